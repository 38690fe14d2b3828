/* Typed command-line options: each subsystem declares its own; the parser fills them in at boot. */
#ifndef KEEL_CMDLINE_H
#define KEEL_CMDLINE_H

#include <keel/compiler.h>
#include <keel/types.h>

enum param_type {
	PARAM_BOOL,   /* `name`, `name=1|0|yes|no|on|off|true|false`, `no-name` */
	PARAM_UINT,   /* `name=123`, `name=0x7b`, with optional K/M/G suffix */
	PARAM_STRING, /* `name=text` copied into a buffer of `size` bytes */
	PARAM_CUSTOM, /* `name=text` handed to `parse`, which returns 0 or -errno */
};

struct keel_param {
	const char *name;
	enum param_type type;
	void *var;   /* bool *, u64 *, or char[size] */
	size_t size; /* PARAM_STRING buffer size */
	int (*parse)(const char *value);
	const char *help;
};

#define KEEL_PARAM_SECTION __section("keel_params") __used __aligned(8)

/* One keel_param named @n in the keel_params section; the typed forms below are the interface. */
#define KEEL_PARAM_DEFINE(n, t, v, sz, fn, h) \
	static const struct keel_param __param_##n KEEL_PARAM_SECTION = {#n, t, v, sz, fn, h}

#define KEEL_PARAM_BOOL(n, v, h)    KEEL_PARAM_DEFINE(n, PARAM_BOOL, &(v), 0, NULL, h)
#define KEEL_PARAM_UINT(n, v, h)    KEEL_PARAM_DEFINE(n, PARAM_UINT, &(v), 0, NULL, h)
#define KEEL_PARAM_STRING(n, v, h)  KEEL_PARAM_DEFINE(n, PARAM_STRING, (v), sizeof(v), NULL, h)
#define KEEL_PARAM_CUSTOM(n, fn, h) KEEL_PARAM_DEFINE(n, PARAM_CUSTOM, NULL, 0, fn, h)

/*
 * Parse @cmdline (space-separated `name[=value]` words; values may be "double quoted")
 * against the parameters in [@first, @last). Unknown names and bad values are logged as
 * warnings and skipped. Returns the number of words that were not accepted.
 */
int cmdline_parse(const char *cmdline, const struct keel_param *first,
		  const struct keel_param *last);

/* Parse against every parameter linked into Keel (the keel_params section). */
int cmdline_parse_all(const char *cmdline);

/* The raw command line as given by the boot loader (kept for logs and dom0). */
extern char keel_cmdline[1024];

/* What followed a standalone `--` word in the line given to cmdline_parse_all ("" if none). */
const char *cmdline_dom0_args(void);

/* Log every option linked into Keel with its type and help text. */
void cmdline_print_help(void);

#endif
