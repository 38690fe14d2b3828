/* names.c: a domain's console nodes as numbers, its name as a safe log file name. */
#include <stdio.h>
#include <string.h>

#include "names.h"

bool cons_parse_number(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !len || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned int digit = (unsigned char)s[i] - '0';

		if (digit > 9 || v > (UINT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool safe_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

void cons_stem(const char *name, size_t len, unsigned int domid, char *out)
{
	size_t n = name ? (len < CONS_NAME_MAX ? len : CONS_NAME_MAX) : 0;

	for (size_t i = 0; i < n; i++)
		out[i] = safe_char(name[i]) && !(i == 0 && name[i] == '.') ? name[i] : '_';
	out[n] = '\0';
	if (!n)
		snprintf(out, CONS_STEM_SIZE, "domain-%u", domid);
}

void cons_stem_unique(char *stem, unsigned int domid)
{
	size_t used = strlen(stem);

	snprintf(stem + used, CONS_STEM_SIZE - used, "+%u", domid);
}
