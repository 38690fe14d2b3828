/* keel CLI: what every command shares: the handles, domain lookup, messages, the command table. */
#ifndef KEEL_CLI_H
#define KEEL_CLI_H

#include <libkeel.h>
#include <stdbool.h>
#include <stdint.h>

struct xs_handle;

struct cli {
	struct keel_handle *keel; /* privcmd: opened by cli_keel() */
	struct xs_handle *xs;	  /* xenstored: opened by cli_xs() */
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv); /* argv[0] is the command's name */
	const char *synopsis;				  /* after "keel NAME " */
	const char *help;				  /* what it does, its options */
};

/* Exit statuses: 0 done, 1 failed, 2 bad usage. */
#define CLI_FAILED 1
#define CLI_USAGE  2

/* "keel: " + the message to stderr; returns CLI_FAILED. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "keel NAME: usage: keel NAME SYNOPSIS" to stderr; returns CLI_USAGE. */
int cli_usage(const char *name);
/* Open privcmd / xenstored on first use; exit with a message naming what failed. */
struct keel_handle *cli_keel(struct cli *c);
struct xs_handle *cli_xs(struct cli *c);

/* A domain by name or id; 0, or CLI_FAILED with "keel: no domain NAME" printed. */
int cli_find_domain(struct cli *c, const char *what, struct keel_domain_info *out);
/* Every domain (at most @max) into @out; the count, or -1 with a message printed. */
int cli_domains(struct cli *c, struct keel_domain_info *out, unsigned int max);
/* A non-negative decimal number no larger than @max into *@out; false if it is not one. */
bool cli_number(const char *s, uint64_t max, uint64_t *out);
/* "r", "p", "s", "c", "d": one letter per state flag set, as xl's list prints them. */
const char *cli_state(const struct keel_domain_info *d, char buf[8]);

extern const struct cli_command cli_commands[];
const struct cli_command *cli_command(const char *name);

#endif
