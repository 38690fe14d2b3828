/* Guest library: `key=value` lookups in the PVH command line (pure: also host unit-tested). */
#ifndef GUEST_BOOTARGS_H
#define GUEST_BOOTARGS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The command line is a space-separated list of `key` or `key=value` words. The last
 * occurrence of a key wins. cmdline may be NULL (no command line).
 */

/* Copy key's value (possibly empty) into out (NUL-terminated, truncated to n - 1).
 * Returns the value length, or -1 if key is absent. */
int bootargs_get(const char *cmdline, const char *key, char *out, size_t n);
/* 1 if key appears (with or without a value). */
int bootargs_has(const char *cmdline, const char *key);
/* Decimal or 0x-hex value of key; def if absent or malformed (no digits, junk, overflow). */
uint64_t bootargs_get_u64(const char *cmdline, const char *key, uint64_t def);
/* Parse a whole string as decimal or 0x-hex. 0 on success, -1 on malformed input. */
int bootargs_parse_u64(const char *s, uint64_t *out);

#endif
