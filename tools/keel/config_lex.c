/* The xl.cfg tokens: words, quoted strings and their escapes, punctuation, comments, positions. */
#include <string.h>

#include "config_int.h"

/* Characters of a bare word: keys, numbers, and (refused in files) unquoted strings. */
static bool word_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.' || ch == ':' || ch == '/' || ch == '-';
}

static void lex_advance(struct lexer *lx)
{
	if (lx->text[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->pos++;
}

static void lex_string(struct lexer *lx, struct token *t)
{
	char q = lx->text[lx->pos];

	t->type = T_STRING;
	t->quote = q;
	lex_advance(lx);
	t->start = lx->pos;
	for (;;) {
		unsigned char ch;

		if (lx->pos >= lx->len || lx->text[lx->pos] == '\n') {
			t->type = T_ERROR;
			t->err = LE_UNTERMINATED;
			t->err_col = t->col;
			t->end = lx->pos;
			return;
		}
		ch = (unsigned char)lx->text[lx->pos];
		if (ch == (unsigned char)q) {
			t->end = lx->pos;
			lex_advance(lx);
			return;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			if (t->err == LE_NONE) {
				t->err = LE_CONTROL;
				t->err_col = lx->col;
				t->err_byte = ch;
			}
		} else if (ch == '\\' && q == '"') {
			unsigned char next = lx->pos + 1 < lx->len ? lx->text[lx->pos + 1] : 0;

			if (next == '"' || next == '\\') {
				lex_advance(lx);
			} else if (t->err == LE_NONE && next != '\n' && next != 0) {
				t->err = LE_ESCAPE;
				t->err_col = lx->col;
				t->err_byte = next;
			}
		}
		lex_advance(lx);
	}
}

void cfg_lex(struct lexer *lx, struct token *t)
{
	unsigned char ch;

	for (;;) {
		if (lx->pos >= lx->len)
			break;
		ch = (unsigned char)lx->text[lx->pos];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
			lex_advance(lx);
		} else if (ch == '#') {
			while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
				lex_advance(lx);
		} else {
			break;
		}
	}
	memset(t, 0, sizeof(*t));
	t->line = lx->line;
	t->col = lx->col;
	t->start = lx->pos;
	if (lx->pos >= lx->len) {
		t->type = T_EOF;
		return;
	}
	ch = (unsigned char)lx->text[lx->pos];
	if (ch == '"' || ch == '\'') {
		lex_string(lx, t);
		return;
	}
	if (word_char(ch)) {
		while (lx->pos < lx->len && word_char((unsigned char)lx->text[lx->pos]))
			lex_advance(lx);
		t->type = T_WORD;
		t->end = lx->pos;
		return;
	}
	lex_advance(lx);
	t->end = lx->pos;
	switch (ch) {
	case '\n':
		t->type = T_NL;
		return;
	case ';':
		t->type = T_SEMI;
		return;
	case '=':
		t->type = T_EQ;
		return;
	case '[':
		t->type = T_LBR;
		return;
	case ']':
		t->type = T_RBR;
		return;
	case ',':
		t->type = T_COMMA;
		return;
	case '+':
		if (lx->pos < lx->len && lx->text[lx->pos] == '=') {
			lex_advance(lx);
			t->type = T_PLUSEQ;
			return;
		}
		break;
	default:
		break;
	}
	t->type = T_ERROR;
	t->err = LE_CHAR;
	t->err_col = t->col;
	t->err_byte = ch;
}
