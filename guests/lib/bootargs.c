/* Guest library: command-line word lookup and strict number parsing. */
#include "bootargs.h"

#define BOOTARGS_MAX_LEN 4096 /* never scan further than this */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int bootargs_parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
		digits++;
	}
	if (!digits)
		return -1;
	*out = v;
	return 0;
}

/* Find the last word whose key is `key`; returns a pointer to the value ('=' skipped) or to
 * the end of the key, and its length in *vlen (-1 for a bare key). NULL if absent. */
static const char *find(const char *cmdline, const char *key, int *vlen)
{
	const char *found = NULL;
	size_t klen = 0;
	size_t i = 0;

	if (!cmdline || !key)
		return NULL;
	while (key[klen])
		klen++;
	if (!klen)
		return NULL;
	while (i < BOOTARGS_MAX_LEN && cmdline[i]) {
		size_t start, end, k;

		while (i < BOOTARGS_MAX_LEN && cmdline[i] && is_space(cmdline[i]))
			i++;
		start = i;
		while (i < BOOTARGS_MAX_LEN && cmdline[i] && !is_space(cmdline[i]))
			i++;
		end = i;
		if (end - start < klen)
			continue;
		for (k = 0; k < klen && cmdline[start + k] == key[k]; k++)
			;
		if (k != klen)
			continue;
		if (start + klen == end) {
			found = cmdline + end;
			*vlen = -1;
		} else if (cmdline[start + klen] == '=') {
			found = cmdline + start + klen + 1;
			*vlen = (int)(end - (start + klen + 1));
		}
	}
	return found;
}

int bootargs_has(const char *cmdline, const char *key)
{
	int vlen;

	return find(cmdline, key, &vlen) != NULL;
}

int bootargs_get(const char *cmdline, const char *key, char *out, size_t n)
{
	int vlen = 0;
	const char *v = find(cmdline, key, &vlen);
	size_t len, copy;

	if (!v)
		return -1;
	len = vlen < 0 ? 0 : (size_t)vlen;
	if (n) {
		copy = len < n - 1 ? len : n - 1;
		for (size_t i = 0; i < copy; i++)
			out[i] = v[i];
		out[copy] = '\0';
	}
	return (int)len;
}

uint64_t bootargs_get_u64(const char *cmdline, const char *key, uint64_t def)
{
	char buf[32];
	uint64_t v;
	int len = bootargs_get(cmdline, key, buf, sizeof(buf));

	if (len < 0 || len >= (int)sizeof(buf) || bootargs_parse_u64(buf, &v))
		return def;
	return v;
}
