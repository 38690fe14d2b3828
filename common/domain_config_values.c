/* Values of boot-module command-line keys: numbers, sizes, times and CPU lists, with their messages. */
#include <keel/compiler.h>
#include <keel/domain_config.h>
#include <keel/domcfg_values.h>
#include <keel/errno.h>
#include <keel/limits.h>
#include <keel/printk.h>
#include <keel/string.h>

/* Write the message into @err (if any) and return -EINVAL. */
int domcfg_refuse(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

bool domcfg_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool domcfg_slice_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

int domcfg_parse_dec(const char *s, size_t n, u64 max, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!domcfg_is_digit(s[i]))
			return -EINVAL;
		if ((u64)(s[i] - '0') > max || v > (max - (u64)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (u64)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* @bytes as "1 MiB" (@word false) or "1M" (@word true): the largest unit that divides it. */
static void size_text(u64 bytes, bool word, char *buf, size_t len)
{
	static const char *const names[] = {"KiB", "MiB", "GiB"};
	unsigned int u = 0;

	bytes >>= 10;
	while (u < 2 && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	if (word)
		snprintf(buf, len, "%llu%c", bytes, "KMG"[u]);
	else
		snprintf(buf, len, "%llu %s", bytes, names[u]);
}

int domcfg_parse_size(const struct domcfg_word *w, u64 min, u64 max, u64 *out, char *err,
		      size_t errlen)
{
	char text[24];
	size_t digits = 0;
	unsigned int shift = 0;
	u64 v = 0;

	while (digits < w->vlen && domcfg_is_digit(w->val[digits]))
		digits++;
	if (digits == 0)
		return domcfg_refuse(
		    err, errlen, "%.*s: not a size (use a number with K, M or G, e.g. %.*s=64M)",
		    DOMCFG_QUOTE(w), DOMCFG_KEYQ(w));
	if (digits + 1 < w->vlen)
		return domcfg_refuse(
		    err, errlen,
		    "%.*s: junk after the size (use a number with K, M or G, e.g. %.*s=64M)",
		    DOMCFG_QUOTE(w), DOMCFG_KEYQ(w));
	if (digits < w->vlen) {
		const char *suffix = strchr("KMG", w->val[digits] & ~0x20); /* upper case */

		if (!suffix || !w->val[digits])
			return domcfg_refuse(err, errlen,
					     "%.*s: unknown size suffix '%c' (use K, M or G)",
					     DOMCFG_QUOTE(w), w->val[digits]);
		shift = 10 * (unsigned int)(suffix - "KMG" + 1);
	}
	if (domcfg_parse_dec(w->val, digits, max >> shift, &v) || (v << shift) > max) {
		size_text(max, false, text, sizeof(text));
		return domcfg_refuse(err, errlen, "%.*s: above the %s maximum", DOMCFG_QUOTE(w),
				     text);
	}
	v <<= shift;
	if (v < min) {
		char word[24];

		size_text(min, false, text, sizeof(text));
		size_text(min, true, word, sizeof(word));
		return domcfg_refuse(err, errlen,
				     "%.*s: below the %s minimum (use %.*s=%s or more)",
				     DOMCFG_QUOTE(w), text, DOMCFG_KEYQ(w), word);
	}
	if (!IS_ALIGNED(v, 4096ULL))
		return domcfg_refuse(err, errlen,
				     "%.*s: not a multiple of 4 KiB (round it to whole 4K pages)",
				     DOMCFG_QUOTE(w));
	*out = v;
	return 0;
}

_Static_assert(MAX_CPUS <= 64, "a pinning mask (struct domain_config.cpus) is a u64");

int domcfg_parse_cpu_list(const struct domcfg_word *w, u64 *out, char *err, size_t errlen)
{
	const char *s = w->val, *end = w->val + w->vlen;
	u64 mask = 0;

	if (domcfg_slice_is(w->val, w->vlen, "all")) {
		*out = DOMCFG_ALL_CPUS;
		return 0;
	}
	for (;;) {
		const char *item = s, *dash = NULL;
		u64 lo = 0, hi = 0;

		while (s < end && *s != ',') {
			if (*s == '-' && !dash)
				dash = s;
			s++;
		}
		if (domcfg_parse_dec(item, (size_t)((dash ? dash : s) - item), ~0ULL, &lo) ||
		    (dash && domcfg_parse_dec(dash + 1, (size_t)(s - dash - 1), ~0ULL, &hi)))
			return domcfg_refuse(err, errlen,
					     "%.*s: bad CPU list (use e.g. cpus=0-1,3 or cpus=all)",
					     DOMCFG_QUOTE(w));
		if (!dash)
			hi = lo;
		if (lo > hi)
			return domcfg_refuse(
			    err, errlen, "%.*s: range %llu-%llu is backwards (write it low-high)",
			    DOMCFG_QUOTE(w), lo, hi);
		if (hi >= MAX_CPUS)
			return domcfg_refuse(err, errlen,
					     "%.*s: CPU %llu out of range (CPUs are 0..%d)",
					     DOMCFG_QUOTE(w), hi, MAX_CPUS - 1);
		mask |= (hi == 63 ? ~0ULL : (1ULL << (hi + 1)) - 1) & ~((1ULL << lo) - 1);
		if (s == end)
			break;
		s++; /* the comma; a trailing one leaves an empty item, refused above */
	}
	*out = mask;
	return 0;
}

int domcfg_parse_time(const char *s, size_t n, u64 max_ns, u64 *out_ns)
{
	static const struct {
		const char *unit;
		u64 ns;
	} units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	size_t digits = 0;
	u64 v = 0;

	while (digits < n && domcfg_is_digit(s[digits]))
		digits++;
	if (digits == 0)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (!domcfg_slice_is(s + digits, n - digits, units[i].unit))
			continue;
		if (domcfg_parse_dec(s, digits, max_ns / units[i].ns, &v))
			return -ERANGE;
		*out_ns = v * units[i].ns;
		return 0;
	}
	return -EINVAL;
}
