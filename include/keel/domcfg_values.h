/* Values of boot-module command-line keys: numbers, sizes, times, CPU lists (for domain_config*.c). */
#ifndef KEEL_DOMCFG_VALUES_H
#define KEEL_DOMCFG_VALUES_H

#include <keel/compiler.h>
#include <keel/types.h>

/* Longest slice of a hostile word quoted back in a message. */
#define DOMCFG_WORD_QUOTE_MAX 48

/* One `key=value` (or bare `key`) word of a module line. */
struct domcfg_word {
	const char *text;
	size_t len;
	const char *key;
	size_t klen;
	const char *val; /* NULL for a bare word */
	size_t vlen;
};

/* The arguments for "%.*s" quoting a word, or its key (at most DOMCFG_WORD_QUOTE_MAX characters). */
#define DOMCFG_QUOTE(w) (int)MIN((w)->len, (size_t)DOMCFG_WORD_QUOTE_MAX), (w)->text
#define DOMCFG_KEYQ(w)	(int)MIN((w)->klen, (size_t)DOMCFG_WORD_QUOTE_MAX), (w)->key

/* Write the message into @err (if any: @errlen may be 0) and return -EINVAL. */
int __printf(3, 4) domcfg_refuse(char *err, size_t errlen, const char *fmt, ...);

bool domcfg_is_digit(char c);
/* Whether the @n characters at @s are exactly @lit. */
bool domcfg_slice_is(const char *s, size_t n, const char *lit);
/* Decimal digits only; -EINVAL if not a number, -ERANGE above @max. */
int domcfg_parse_dec(const char *s, size_t n, u64 max, u64 *out);

/*
 * @w's value as a size: decimal with an optional K, M or G suffix (either case, powers of 1024),
 * a multiple of 4 KiB, within [@min, @max] bytes. 0, or -EINVAL with the message in @err.
 */
int domcfg_parse_size(const struct domcfg_word *w, u64 min, u64 max, u64 *out, char *err,
		      size_t errlen);

/* @w's value as "all" or a CPU list `0-1,3` (CPUs 0..MAX_CPUS-1) into a mask. */
int domcfg_parse_cpu_list(const struct domcfg_word *w, u64 *out, char *err, size_t errlen);

/*
 * A duration at @s (@n characters): decimal with a unit `ns`, `us`, `ms` or `s`; at most @max_ns.
 * 0, -EINVAL (not a number, no or unknown unit) or -ERANGE (above @max_ns).
 */
int domcfg_parse_time(const char *s, size_t n, u64 max_ns, u64 *out_ns);

#endif
