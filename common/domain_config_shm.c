/* The `shm=` key of a module line: shared memory regions and their place in the guest's memory map. */
#include <keel/compiler.h>
#include <keel/domain_config.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/printk.h>
#include <keel/pvh_info.h>
#include <keel/string.h>

/* Longest slice of the word quoted back in a message (as domain_config.c). */
#define SHM_QUOTE_MAX 48
/* Guest-physical space Keel maps: 46 bits, as memory_op's limit on guest frames. */
#define SHM_GPA_LIMIT (1ULL << 46)
/* The pages of the hole below 4 GiB that a region must leave alone, besides the special pages. */
#define SHM_IOAPIC_GPA	0xFEC00000ULL
#define SHM_DEVICE_PAGE 4096ULL

/* The word being parsed, for messages. */
struct shm_ctx {
	const char *word;
	size_t wlen;
	char *err;
	size_t errlen;
};

static int __printf(2, 3) shm_fail(const struct shm_ctx *x, const char *fmt, ...)
{
	if (x->err && x->errlen) {
		size_t n = (size_t)snprintf(
		    x->err, x->errlen, "%.*s: ", (int)MIN(x->wlen, (size_t)SHM_QUOTE_MAX), x->word);

		if (n < x->errlen) {
			va_list ap;

			va_start(ap, fmt);
			vsnprintf(x->err + n, x->errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

static bool shm_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int shm_hex_digit(char c)
{
	if (shm_is_digit(c))
		return c - '0';
	c = (char)(c | 0x20); /* lower case */
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The position of @c in @s[0..@n), or @n. */
static size_t shm_find(const char *s, size_t n, char c)
{
	size_t i = 0;

	while (i < n && s[i] != c)
		i++;
	return i;
}

static int shm_parse_name(const struct shm_ctx *x, unsigned int index, const char *s, size_t n,
			  struct domcfg_shm *r)
{
	if (n == 0 || n >= DOMCFG_SHM_NAME_MAX)
		return shm_fail(x, "region %u: the name must be 1..%d characters", index + 1,
				DOMCFG_SHM_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!(shm_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '-'))
			return shm_fail(
			    x, "region %u: bad character '%c' in its name (use A-Z a-z 0-9 _ -)",
			    index + 1, c);
	}
	memcpy(r->name, s, n);
	r->name[n] = '\0';
	return 0;
}

/* Decimal with an optional K, M or G (powers of 1024), as mem= takes it. */
static int shm_parse_size(const struct shm_ctx *x, const struct domcfg_shm *r, const char *s,
			  size_t n, u64 *out)
{
	size_t digits = 0;
	unsigned int shift = 0;
	u64 v = 0;

	while (digits < n && shm_is_digit(s[digits]))
		digits++;
	if (digits == 0 || digits + 1 < n)
		return shm_fail(
		    x, "region '%s': the size is not a number with K, M or G (e.g. 64K)", r->name);
	if (digits < n) {
		const char *suffix = strchr("KMG", s[digits] & ~0x20); /* upper case */

		if (!suffix || !s[digits])
			return shm_fail(x, "region '%s': unknown size suffix '%c' (use K, M or G)",
					r->name, s[digits]);
		shift = 10 * (unsigned int)(suffix - "KMG" + 1);
	}
	for (size_t i = 0; i < digits; i++) {
		u64 d = (u64)(s[i] - '0');

		if (d > (DOMCFG_SHM_MAX >> shift) || v > ((DOMCFG_SHM_MAX >> shift) - d) / 10)
			return shm_fail(x, "region '%s': above the 256 MiB maximum", r->name);
		v = v * 10 + d;
	}
	v <<= shift;
	if (v < DOMCFG_SHM_MIN)
		return shm_fail(x, "region '%s': below the 4 KiB minimum (use 4K or more)",
				r->name);
	if (!IS_ALIGNED(v, 4096ULL))
		return shm_fail(
		    x,
		    "region '%s': the size is not a multiple of 4 KiB (round it to whole 4K pages)",
		    r->name);
	*out = v;
	return 0;
}

static int shm_parse_gpa(const struct shm_ctx *x, const struct domcfg_shm *r, const char *s,
			 size_t n, u64 *out)
{
	u64 v = 0;

	if (n < 3 || s[0] != '0' || (s[1] | 0x20) != 'x')
		return shm_fail(
		    x, "region '%s': the address is not hex (write it 0x..., e.g. 0xe0000000)",
		    r->name);
	for (size_t i = 2; i < n; i++) {
		int d = shm_hex_digit(s[i]);

		if (d < 0)
			return shm_fail(x, "region '%s': bad hex digit '%c' in the address",
					r->name, s[i]);
		if (v >= SHM_GPA_LIMIT)
			return shm_fail(
			    x,
			    "region '%s': the address is above 0x%llx (the top of guest-physical space)",
			    r->name, SHM_GPA_LIMIT);
		v = v * 16 + (u64)d;
	}
	if (!IS_ALIGNED(v, 4096ULL))
		return shm_fail(x, "region '%s': the address is not 4 KiB aligned (end it in 000)",
				r->name);
	*out = v;
	return 0;
}

/* One NAME:SIZE@GPA:ACCESS item into @r. */
static int shm_parse_item(const struct shm_ctx *x, unsigned int index, const char *s, size_t n,
			  struct domcfg_shm *r)
{
	size_t colon = shm_find(s, n, ':'), at, colon2;
	int rc;

	at = colon < n ? colon + 1 + shm_find(s + colon + 1, n - colon - 1, '@') : n;
	colon2 = at < n ? at + 1 + shm_find(s + at + 1, n - at - 1, ':') : n;
	if (n == 0 || colon2 >= n)
		return shm_fail(
		    x, "region %u is not NAME:SIZE@GPA:ACCESS (e.g. shm=ring:64K@0xe0000000:rw)",
		    index + 1);
	memset(r, 0, sizeof(*r));
	rc = shm_parse_name(x, index, s, colon, r);
	rc = rc ?: shm_parse_size(x, r, s + colon + 1, at - colon - 1, &r->size);
	rc = rc ?: shm_parse_gpa(x, r, s + at + 1, colon2 - at - 1, &r->gpa);
	if (rc)
		return rc;
	if (r->gpa + r->size > SHM_GPA_LIMIT)
		return shm_fail(
		    x, "region '%s': it ends above 0x%llx (the top of guest-physical space)",
		    r->name, SHM_GPA_LIMIT);
	if (n - colon2 - 1 == 2 && memcmp(s + colon2 + 1, "rw", 2) == 0)
		r->writable = true;
	else if (n - colon2 - 1 != 2 || memcmp(s + colon2 + 1, "ro", 2) != 0)
		return shm_fail(x, "region '%s': unknown access '%.*s' (use rw or ro)", r->name,
				(int)MIN(n - colon2 - 1, (size_t)SHM_QUOTE_MAX), s + colon2 + 1);
	return 0;
}

int domcfg_parse_shm(const char *word, size_t wlen, const char *val, size_t vlen,
		     struct domain_config *out, char *err, size_t errlen)
{
	const struct shm_ctx x = {word, wlen, err, errlen};
	size_t pos = 0;
	unsigned int n = 0;

	for (;;) {
		size_t len = shm_find(val + pos, vlen - pos, ',');
		int rc;

		if (n == DOMCFG_MAX_SHM)
			return shm_fail(&x, "more than %d regions (at most %d per domain)",
					DOMCFG_MAX_SHM, DOMCFG_MAX_SHM);
		rc = shm_parse_item(&x, n, val + pos, len, &out->shm[n]);
		if (rc)
			return rc;
		for (unsigned int i = 0; i < n; i++)
			if (strcmp(out->shm[i].name, out->shm[n].name) == 0)
				return shm_fail(&x,
						"region '%s' named twice (name each region once)",
						out->shm[n].name);
		n++;
		pos += len;
		if (pos == vlen)
			break;
		pos++; /* the comma; a trailing one leaves an empty item, refused above */
	}
	out->nr_shm = n;
	return 0;
}

static bool shm_overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* What of the guest's fixed layout [gpa, gpa + size) overlaps, with the fix; NULL: nothing. */
static const char *shm_layout_clash(u64 mem, u64 gpa, u64 size)
{
	u64 low = MIN(mem, PVH_LOWMEM_TOP);

	if (shm_overlaps(gpa, size, 0, low) ||
	    (mem > PVH_LOWMEM_TOP && shm_overlaps(gpa, size, PVH_HIGHMEM_BASE, mem - low)))
		return "overlaps the domain's RAM (move it past the RAM, e.g. into "
		       "0xC0000000-0xFBFFFFFF)";
	if (shm_overlaps(gpa, size, PVH_SPECIAL_PAGES_GPA, PVH_SPECIAL_PAGES * 4096ULL))
		return "overlaps the special pages at 0xFEFF8000-0xFEFFFFFF (move it)";
	if (shm_overlaps(gpa, size, GUEST_ACPI_LAPIC_ADDR, SHM_DEVICE_PAGE))
		return "overlaps the local APIC page at 0xFEE00000 (move it)";
	if (shm_overlaps(gpa, size, SHM_IOAPIC_GPA, SHM_DEVICE_PAGE))
		return "overlaps the IO-APIC page at 0xFEC00000 (move it)";
	if (shm_overlaps(gpa, size, GUEST_ACPI_GPA, GUEST_ACPI_SIZE))
		return "overlaps the guest ACPI tables at 0xFC000000 (move it)";
	return NULL;
}

int domcfg_check_shm(const char *word, size_t wlen, const struct domain_config *c, char *err,
		     size_t errlen)
{
	const struct shm_ctx x = {word, wlen, err, errlen};

	if (c->dom0 && c->nr_shm)
		return shm_fail(
		    &x,
		    "dom0 cannot share regions (its memory is the host's, 1:1; share between the other domains)");
	for (unsigned int i = 0; i < c->nr_shm; i++) {
		const struct domcfg_shm *r = &c->shm[i];
		const char *clash = shm_layout_clash(c->mem_bytes, r->gpa, r->size);

		if (clash)
			return shm_fail(&x, "region '%s' %s", r->name, clash);
		for (unsigned int j = 0; j < i; j++)
			if (shm_overlaps(r->gpa, r->size, c->shm[j].gpa, c->shm[j].size))
				return shm_fail(
				    &x,
				    "region '%s' overlaps region '%s' (give each its own range)",
				    r->name, c->shm[j].name);
	}
	return 0;
}
