/* The guest configuration parser's insides: parsed settings, the checking context, messages. */
#ifndef KEEL_CONFIG_INT_H
#define KEEL_CONFIG_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum cfg_origin { CFG_FILE, CFG_CLI };

/* One value: a string (quoted) or a bare word as written (a number, or a command-line word). */
struct cfg_atom {
	char *text; /* NUL-terminated, escapes undone */
	int line, col;
	bool quoted;
};

/* KEY = VALUE, from the file or one command-line override. */
struct cfg_setting {
	char *key;
	enum cfg_origin origin;
	int line, col;	 /* of the key; line 0 on the command line */
	const char *arg; /* the override as given (CFG_CLI) */
	int argi;	 /* CFG_CLI: which override (from 1), for the order of messages */
	int id;		 /* enum cfg_key_id, or -1 (set when the settings are resolved) */
	bool is_list;	 /* [ ... ]; else items[0] is the value */
	struct cfg_atom *items;
	unsigned int n;
};

/* Where a message points: a setting's key or item, with a column for syntax errors. */
struct cfg_loc {
	enum cfg_origin origin;
	int line, col;	 /* col 0: no column */
	const char *arg; /* CFG_CLI: the override, named with the column */
	int argi;	 /* CFG_CLI: which override (from 1) */
};

/* Keel's keys, in the order they are checked (later ones read what earlier ones set). */
enum cfg_key_id {
	K_NAME,
	K_TYPE,
	K_MEMORY,
	K_MAXMEM,
	K_VCPUS,
	K_MAXVCPUS,
	K_CPUS,
	K_CPU_WEIGHT,
	K_CAP,
	K_KERNEL,
	K_RAMDISK,
	K_ROOT,
	K_EXTRA,
	K_CMDLINE,
	K_DISK,
	K_VIF,
	K_ON_POWEROFF,
	K_ON_REBOOT,
	K_ON_CRASH,
	CFG_NR_KEYS
};

struct cfg_msg {
	int rank, line, col; /* sort order: file (by line, column), command line (by argi), */
	int argi;	     /* then the whole configuration */
	unsigned int seq;
	bool is_error;
	char *text;
};

struct cfg_ctx {
	const char *file;
	char *dir; /* the file's directory with a trailing '/', or NULL (none in its name) */
	const struct keel_cfg_hooks *hooks;
	struct keel_cfg *out;
	struct cfg_setting *set; /* every setting parsed, file first */
	size_t nr_set, cap_set;
	const struct cfg_setting *win[CFG_NR_KEYS]; /* the setting that counts, per key */
	bool bad[CFG_NR_KEYS];			    /* its value was refused */
	uint64_t cpus[KEEL_CFG_MAX_VCPUS];	    /* cpus: each entry's mask */
	unsigned int nr_cpus;			    /* 0: cpus not set (or refused) */
	bool cpus_one;				    /* cpus was one string: every vCPU's */
	struct cfg_msg *msgs;
	size_t nr_msgs, cap_msgs;
	unsigned int errors;
	bool oom;
};

/* Messages (config.c). @at NULL: about the whole configuration ("FILE: KEY: ..."). */
void cfg_report(struct cfg_ctx *c, bool is_error, const struct cfg_loc *at, const char *key,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define cfg_error(c, at, key, ...) cfg_report(c, true, at, key, __VA_ARGS__)
#define cfg_warn(c, at, key, ...)  cfg_report(c, false, at, key, __VA_ARGS__)
struct cfg_loc cfg_at(const struct cfg_setting *s);			 /* its key's line */
struct cfg_loc cfg_at_item(const struct cfg_setting *s, unsigned int i); /* item i's line */
/* @s for a message: at most 60 bytes of it, "..." when cut, control bytes as '?' (@buf:
 * CFG_SHOW_MAX bytes). */
#define CFG_SHOW_MAX 64
const char *cfg_show(char *buf, const char *s);
void *cfg_alloc(struct cfg_ctx *c, size_t size); /* zeroed; NULL (and c->oom) on failure */
char *cfg_strdup(struct cfg_ctx *c, const char *s);
char *cfg_strndup(struct cfg_ctx *c, const char *s, size_t n);
int cfg_key_id(const char *key); /* enum cfg_key_id, or -1 */
const char *cfg_key_name(int id);
const char *cfg_key_example(int id); /* "memory = 512" */

/* Tokens (config_lex.c). */
enum tok_type {
	T_EOF,
	T_NL,
	T_SEMI,
	T_EQ,
	T_PLUSEQ,
	T_LBR,
	T_RBR,
	T_COMMA,
	T_WORD,
	T_STRING,
	T_ERROR
};
enum lex_error { LE_NONE, LE_UNTERMINATED, LE_ESCAPE, LE_CONTROL, LE_CHAR };

struct token {
	enum tok_type type;
	size_t start, end; /* the word, or a string's inside (without its quotes) */
	int line, col;
	char quote;
	enum lex_error err; /* T_ERROR, or a string with a bad character inside */
	int err_col;
	unsigned char err_byte;
};

struct lexer {
	const char *text;
	size_t len, pos;
	int line, col; /* of text[pos] */
};

/* The next token at lx->pos; never fails (T_ERROR says what is wrong). */
void cfg_lex(struct lexer *lx, struct token *t);

/* The grammar (config_parse.c): settings appended to c->set; syntax errors reported. */
void cfg_parse_text(struct cfg_ctx *c, const char *text, size_t len);
void cfg_parse_override(struct cfg_ctx *c, const char *arg, int argi);
void cfg_setting_free(struct cfg_setting *s);

/* Keel's scalar keys (config_keys.c), each checking c->win[id] into c->out. */
void cfg_apply_scalars(struct cfg_ctx *c);
/* The whole configuration: required keys, defaults, cross-key checks (config_keys.c). */
void cfg_finish(struct cfg_ctx *c);
/* A path named by @s (relative: to the file's directory), checked as @kind; NULL if refused. */
char *cfg_path(struct cfg_ctx *c, const struct cfg_setting *s, const struct cfg_loc *at,
	       const char *key, const char *path, enum keel_cfg_path_kind kind, const char *fix);

/* disk = [...] and vif = [...] (config_dev.c). */
void cfg_apply_disks(struct cfg_ctx *c, const struct cfg_setting *s);
void cfg_apply_vifs(struct cfg_ctx *c, const struct cfg_setting *s);
/* "xvda" -> its vbd number; 0 if @vdev is not an xvd name (exposed for the tests). */
uint32_t cfg_vdev_id(const char *vdev);

#endif
