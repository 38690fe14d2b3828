/* The xl.cfg grammar: KEY = VALUE, lists, command-line overrides, syntax errors, recovery. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

struct parser {
	struct cfg_ctx *c;
	struct lexer lx;
	struct token tok; /* the current token */
	enum cfg_origin origin;
	const char *arg; /* CFG_CLI: the override */
	int argi;
	char key[48];  /* the setting's key, for messages ("" before it is known) */
	bool drop;     /* this setting had an error: it is not kept */
	bool quiet;    /* ... and nothing more is said about it */
	bool resynced; /* recovery stopped at the next setting's KEY = */
};

static void advance(struct parser *p)
{
	cfg_lex(&p->lx, &p->tok);
}

static struct token peek(const struct parser *p)
{
	struct lexer copy = p->lx;
	struct token t;

	cfg_lex(&copy, &t);
	return t;
}

static bool is_key(const char *s, size_t n)
{
	size_t i;

	if (n == 0 ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	}
	return true;
}

/* A word that is a number as written ("512", "0x200", "-1", also "512M"): kept as it stands. */
static bool numeric_word(const char *s, size_t n)
{
	if (n > 1 && s[0] == '-')
		s++;
	return s[0] >= '0' && s[0] <= '9';
}

/* The current token starts the next setting: KEY followed by = (or +=). */
static bool at_setting(const struct parser *p)
{
	struct token next;

	if (p->tok.type != T_WORD || !is_key(p->lx.text + p->tok.start, p->tok.end - p->tok.start))
		return false;
	next = peek(p);
	return next.type == T_EQ || next.type == T_PLUSEQ;
}

static void syntax(struct parser *p, int line, int col, bool quiet, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void syntax(struct parser *p, int line, int col, bool quiet, const char *fmt, ...)
{
	struct cfg_loc at = {
	    .origin = p->origin, .line = line, .col = col, .arg = p->arg, .argi = p->argi};
	char buf[512];
	va_list ap;

	p->drop = true;
	if (p->quiet)
		return;
	p->quiet = quiet;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cfg_error(p->c, &at, p->key[0] ? p->key : NULL, "%s", buf);
}

/* What the current token is, for "unexpected ..." (@buf: CFG_SHOW_MAX + 2 bytes). */
static const char *tok_name(const struct parser *p, char *buf)
{
	char word[CFG_SHOW_MAX];

	switch (p->tok.type) {
	case T_EOF:
		return "the end of the file";
	case T_NL:
		return "the end of the line";
	case T_SEMI:
		return ";";
	case T_EQ:
		return "=";
	case T_PLUSEQ:
		return "+=";
	case T_LBR:
		return "[";
	case T_RBR:
		return "]";
	case T_COMMA:
		return ",";
	default:
		break;
	}
	if (p->tok.type == T_STRING) /* shown with its quotes */
		snprintf(word, sizeof(word), "%.*s", (int)(p->tok.end - p->tok.start + 2),
			 p->lx.text + p->tok.start - 1);
	else
		snprintf(word, sizeof(word), "%.*s", (int)(p->tok.end - p->tok.start),
			 p->lx.text + p->tok.start);
	return cfg_show(buf, word);
}

/* Report a T_ERROR token, or a string token with a bad character inside. */
static void lex_error(struct parser *p)
{
	const struct token *t = &p->tok;
	unsigned char b = t->err_byte;

	switch (t->err) {
	case LE_UNTERMINATED:
		syntax(p, t->line, t->err_col, true,
		       "unterminated string (a string ends on its line); close it with %c",
		       t->quote);
		break;
	case LE_ESCAPE:
		syntax(
		    p, t->line, t->err_col, true,
		    "unknown escape \\%c; in double quotes only \\\" and \\\\ are escapes (single "
		    "quotes have none)",
		    b);
		break;
	case LE_CONTROL:
		syntax(p, t->line, t->err_col, true,
		       "control character 0x%02x in a string; remove it", b);
		break;
	default:
		if (b == 0)
			syntax(p, t->line, t->err_col, true, "NUL byte; a configuration is text");
		else if (b >= 0x21 && b < 0x7f)
			syntax(p, t->line, t->err_col, true,
			       "unexpected '%c'; a setting is KEY = VALUE, strings in quotes", b);
		else
			syntax(
			    p, t->line, t->err_col, true,
			    "unexpected byte 0x%02x; a setting is KEY = VALUE, strings in quotes",
			    b);
		break;
	}
}

/*
 * After an error: skip the rest of the setting. At list depth 0 that ends at the end of the
 * line (or ;); inside a list, at its ] or at the next setting's KEY =.
 */
static void recover(struct parser *p, int depth)
{
	for (;;) {
		switch (p->tok.type) {
		case T_EOF:
			return;
		case T_NL:
		case T_SEMI:
			if (depth == 0)
				return;
			break;
		case T_LBR:
			depth++;
			break;
		case T_RBR:
			if (depth > 0)
				depth--;
			break;
		case T_WORD:
			if (depth > 0 && p->origin == CFG_FILE && at_setting(p)) {
				p->resynced = true;
				return;
			}
			break;
		default:
			break;
		}
		advance(p);
	}
}

/* The current token (a string or word) as an atom appended to @s. */
static bool push_atom(struct parser *p, struct cfg_setting *s)
{
	const struct token *t = &p->tok;
	const char *src = p->lx.text + t->start;
	size_t n = t->end - t->start, i, j;
	struct cfg_atom *items;
	char *text;

	if (s->n % 8 == 0) {
		items = realloc(s->items, (s->n + 8) * sizeof(*items));
		if (!items) {
			p->c->oom = true;
			return false;
		}
		s->items = items;
	}
	text = cfg_alloc(p->c, n + 1);
	if (!text)
		return false;
	for (i = 0, j = 0; i < n; i++) {
		if (t->type == T_STRING && t->quote == '"' && src[i] == '\\' && i + 1 < n)
			i++;
		text[j++] = src[i];
	}
	text[j] = '\0';
	s->items[s->n++] = (struct cfg_atom){
	    .text = text, .line = t->line, .col = t->col, .quoted = t->type == T_STRING};
	return true;
}

/* A value that is one word or string: check it and keep it. */
static bool atom_value(struct parser *p, struct cfg_setting *s)
{
	if (p->tok.type == T_STRING && p->tok.err != LE_NONE) {
		lex_error(p);
		return false;
	}
	if (p->tok.type == T_WORD && p->origin == CFG_FILE &&
	    !numeric_word(p->lx.text + p->tok.start, p->tok.end - p->tok.start)) {
		char buf[CFG_SHOW_MAX + 2];
		const char *w = tok_name(p, buf);

		syntax(p, p->tok.line, p->tok.col, true, "%s is not quoted; write %s = \"%s\"", w,
		       p->key, w);
		return false;
	}
	return push_atom(p, s);
}

static bool list_value(struct parser *p, struct cfg_setting *s)
{
	int open_line = p->tok.line, open_col = p->tok.col;
	bool after_item = false;
	char buf[CFG_SHOW_MAX + 2];

	s->is_list = true;
	advance(p);
	for (;;) {
		while (p->tok.type == T_NL)
			advance(p);
		switch (p->tok.type) {
		case T_RBR:
			advance(p);
			return !p->drop;
		case T_COMMA:
			if (!after_item) {
				syntax(p, p->tok.line, p->tok.col, true,
				       "empty list item; remove the extra ,");
				recover(p, 1);
				return false;
			}
			after_item = false;
			advance(p);
			continue;
		case T_WORD:
		case T_STRING:
			if (p->origin == CFG_FILE && at_setting(p)) {
				syntax(
				    p, open_line, open_col, true,
				    "the list is not closed (the next setting starts on line %d); "
				    "end it with ]",
				    p->tok.line);
				p->resynced = true;
				return false;
			}
			if (after_item)
				syntax(
				    p, p->tok.line, p->tok.col, false,
				    "missing , before this item; separate list items with commas");
			if (!atom_value(p, s)) {
				if (!p->c->oom)
					recover(p, 1);
				return false;
			}
			after_item = true;
			advance(p);
			continue;
		case T_EOF:
			syntax(p, open_line, open_col, true,
			       "the list is not closed (the file ends first); end it with ]");
			return false;
		case T_LBR:
			syntax(p, p->tok.line, p->tok.col, true,
			       "a list inside a list; list items are strings");
			recover(p, 1);
			return false;
		case T_ERROR:
			lex_error(p);
			recover(p, 1);
			return false;
		default:
			syntax(p, p->tok.line, p->tok.col, true,
			       "unexpected %s in a list; write [ \"item\", \"item\" ]",
			       tok_name(p, buf));
			recover(p, 1);
			return false;
		}
	}
}

/* The value after KEY =, into @s; the current token is its first. */
static bool value(struct parser *p, struct cfg_setting *s)
{
	char buf[CFG_SHOW_MAX + 2];
	int id = cfg_key_id(p->key);

	switch (p->tok.type) {
	case T_STRING:
	case T_WORD:
		if (!atom_value(p, s))
			return false;
		advance(p);
		return true;
	case T_LBR:
		return list_value(p, s);
	case T_NL:
	case T_EOF:
	case T_SEMI:
		if (id >= 0)
			syntax(p, p->tok.line, p->tok.col, true, "no value after =; write %s",
			       cfg_key_example(id));
		else
			syntax(p, p->tok.line, p->tok.col, true,
			       "no value after =; write %s = \"VALUE\"", p->key);
		return false;
	case T_ERROR:
		lex_error(p);
		return false;
	default:
		syntax(p, p->tok.line, p->tok.col, true,
		       "unexpected %s where the value should be; write a number, a \"string\" or "
		       "a [ list ]",
		       tok_name(p, buf));
		return false;
	}
}

static void keep(struct parser *p, struct cfg_setting *s)
{
	struct cfg_ctx *c = p->c;

	if (p->drop || c->oom) {
		cfg_setting_free(s);
		return;
	}
	if (c->nr_set == c->cap_set) {
		size_t cap = c->cap_set ? 2 * c->cap_set : 16;
		struct cfg_setting *set = realloc(c->set, cap * sizeof(*set));

		if (!set) {
			c->oom = true;
			cfg_setting_free(s);
			return;
		}
		c->set = set;
		c->cap_set = cap;
	}
	c->set[c->nr_set++] = *s;
}

/* One KEY = VALUE [;] from the current token (a word). */
static void setting(struct parser *p)
{
	struct cfg_setting s = {
	    .origin = p->origin, .line = p->tok.line, .col = p->tok.col, .arg = p->arg};
	const char *k = p->lx.text + p->tok.start;
	size_t n = p->tok.end - p->tok.start;
	char buf[CFG_SHOW_MAX + 2];
	int id;

	p->drop = p->quiet = p->resynced = false;
	p->key[0] = '\0';
	if (!is_key(k, n)) {
		syntax(p, p->tok.line, p->tok.col, true,
		       "%s is not a key; a setting is KEY = VALUE (keys are letters, digits and _)",
		       tok_name(p, buf));
		recover(p, 0);
		return;
	}
	snprintf(p->key, sizeof(p->key), "%.*s", (int)n, k);
	s.key = cfg_strndup(p->c, k, n);
	id = cfg_key_id(p->key);
	advance(p);
	if (p->tok.type == T_PLUSEQ) {
		syntax(p, p->tok.line, p->tok.col, true,
		       "+= (appending) is not supported; give the whole value with =");
	} else if (p->tok.type != T_EQ) {
		if (id >= 0)
			syntax(p, p->tok.line, p->tok.col, true,
			       "expected = after the key; write %s", cfg_key_example(id));
		else
			syntax(p, p->tok.line, p->tok.col, true,
			       "expected = after the key; write %s = \"VALUE\"", p->key);
	} else {
		advance(p);
		if (value(p, &s)) {
			if (p->tok.type == T_SEMI)
				advance(p);
			else if (p->tok.type == T_ERROR)
				lex_error(p);
			else if (p->tok.type != T_NL && p->tok.type != T_EOF)
				syntax(
				    p, p->tok.line, p->tok.col, true,
				    "unexpected %s after the value; quote a value with spaces or "
				    "commas, and put one setting on a line (or ; between them)",
				    tok_name(p, buf));
		}
	}
	if (p->drop && !p->resynced)
		recover(p, 0);
	keep(p, &s);
}

void cfg_parse_text(struct cfg_ctx *c, const char *text, size_t len)
{
	struct parser p = {
	    .c = c, .lx = {.text = text, .len = len, .line = 1, .col = 1}, .origin = CFG_FILE};
	char buf[CFG_SHOW_MAX + 2];

	advance(&p);
	while (p.tok.type != T_EOF && !c->oom) {
		switch (p.tok.type) {
		case T_NL:
		case T_SEMI:
			advance(&p);
			break;
		case T_WORD:
			setting(&p);
			break;
		case T_ERROR:
			p.key[0] = '\0';
			p.quiet = false;
			lex_error(&p);
			recover(&p, 0);
			break;
		default:
			p.key[0] = '\0';
			p.quiet = false;
			syntax(&p, p.tok.line, p.tok.col, true,
			       "unexpected %s at the start of a setting; a setting is KEY = VALUE",
			       tok_name(&p, buf));
			recover(&p, 0);
			break;
		}
	}
}

/*
 * "key=value" from the command line. A value starting with a quote or [ is read with the
 * file's grammar; any other is a string exactly as given (without spaces at its ends).
 */
void cfg_parse_override(struct cfg_ctx *c, const char *arg, int argi)
{
	struct parser p = {.c = c, .origin = CFG_CLI, .arg = arg, .argi = argi};
	struct cfg_setting s = {.origin = CFG_CLI, .arg = arg, .argi = argi};
	const char *eq = strchr(arg, '='), *k = arg, *v, *end;
	char buf[CFG_SHOW_MAX];
	size_t n;

	while (*k == ' ' || *k == '\t')
		k++;
	n = eq ? (size_t)(eq - k) : 0;
	while (n > 0 && (k[n - 1] == ' ' || k[n - 1] == '\t'))
		n--;
	if (!eq || !is_key(k, n)) {
		cfg_error(c, &(struct cfg_loc){.origin = CFG_CLI, .argi = argi}, NULL,
			  "\"%s\" is not key=value; write e.g. memory=1024 after the file",
			  cfg_show(buf, arg));
		return;
	}
	snprintf(p.key, sizeof(p.key), "%.*s", (int)n, k);
	s.key = cfg_strndup(c, k, n);
	for (v = eq + 1; *v == ' ' || *v == '\t';)
		v++;
	if (*v == '"' || *v == '\'' || *v == '[') {
		size_t off = (size_t)(v - arg);

		p.lx = (struct lexer){
		    .text = arg, .len = strlen(arg), .pos = off, .line = 1, .col = (int)off + 1};
		advance(&p);
		if (value(&p, &s)) {
			while (p.tok.type == T_SEMI || p.tok.type == T_NL)
				advance(&p);
			if (p.tok.type == T_ERROR)
				lex_error(&p);
			else if (p.tok.type != T_EOF)
				syntax(&p, 1, p.tok.col, true,
				       "unexpected %s after the value; give one value",
				       tok_name(&p, buf));
		}
		keep(&p, &s);
		return;
	}
	for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t');)
		end--;
	for (const char *q = v; q < end; q++) {
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f) {
			syntax(&p, 1, (int)(q - arg) + 1, true,
			       "control character 0x%02x in the value; remove it",
			       (unsigned char)*q);
			break;
		}
	}
	if (!p.drop && s.key) {
		p.lx = (struct lexer){
		    .text = v, .len = (size_t)(end - v), .line = 1, .col = (int)(v - arg) + 1};
		p.tok = (struct token){.type = T_STRING,
				       .start = 0,
				       .end = (size_t)(end - v),
				       .line = 1,
				       .col = (int)(v - arg) + 1};
		if (push_atom(&p, &s))
			s.items[0].quoted = false;
	}
	keep(&p, &s);
}

void cfg_setting_free(struct cfg_setting *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		free(s->items[i].text);
	free(s->items);
	free(s->key);
	memset(s, 0, sizeof(*s));
}
