/* The values of the device keys on a module line: I/O port ranges, MMIO page ranges, GSIs. */
#include <keel/compiler.h>
#include <keel/domcfg_devices.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>

/* Longest slice of one hostile list item quoted back in a message. */
#define ITEM_QUOTE_MAX 24
#define PAGE_BYTES     4096ULL

/* One comma-separated item of a list value. */
struct item {
	const char *s;
	size_t n;
};

#define ITEMQ(it) (int)MIN((it)->n, (size_t)ITEM_QUOTE_MAX), (it)->s

static int __printf(3, 4) refuse(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20); /* lower case */
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "0x" and 1..16 hex digits; -EINVAL when malformed, -ERANGE above @max. */
static int parse_hex(const char *s, size_t n, u64 max, u64 *out)
{
	u64 v = 0;

	if (n < 3 || s[0] != '0' || (s[1] | 0x20) != 'x')
		return -EINVAL;
	for (size_t i = 2; i < n; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return -EINVAL;
		if ((u64)d > max || v > (max - (u64)d) / 16)
			return -ERANGE;
		v = v * 16 + (u64)d;
	}
	*out = v;
	return 0;
}

/* Decimal digits only (at most @max); -EINVAL when malformed, -ERANGE above @max. */
static int parse_dec(const char *s, size_t n, u64 max, u64 *out)
{
	u64 v = 0;

	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		u64 d = (u64)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* The next item of @val at *@pos (which moves past its comma); false at the end. */
static bool next_item(const char *val, size_t len, size_t *pos, struct item *it)
{
	size_t start = *pos, end = start;

	if (start > len)
		return false;
	while (end < len && val[end] != ',')
		end++;
	it->s = val + start;
	it->n = end - start;
	*pos = end + 1; /* past the comma, or past the end */
	return true;
}

/* FIRST-LAST (or, with @single_ok, FIRST alone) in hex, first <= last <= @max. */
static int parse_range(const struct item *it, u64 max, bool single_ok, const char *what,
		       const char *example, struct domcfg_range *r, char *err, size_t errlen)
{
	const char *dash = NULL;
	size_t n1 = 0;
	int rc;

	*r = (struct domcfg_range){0, 0};
	while (n1 < it->n && it->s[n1] != '-')
		n1++;
	if (n1 < it->n)
		dash = it->s + n1;

	if (!dash && !single_ok)
		return refuse(err, errlen, "'%.*s' is not a range (write FIRST-LAST, e.g. %s)",
			      ITEMQ(it), example);
	rc = parse_hex(it->s, n1, max, &r->first);
	if (!rc && dash)
		rc = parse_hex(dash + 1, it->n - n1 - 1, max, &r->last);
	else if (!rc)
		r->last = r->first;
	if (rc == -ERANGE)
		return refuse(err, errlen, "'%.*s': %s above %#llx", ITEMQ(it), what, max);
	if (rc)
		return refuse(err, errlen,
			      "'%.*s' is not a hex range (write 0x... numbers, e.g. %s)", ITEMQ(it),
			      example);
	if (r->first > r->last)
		return refuse(err, errlen, "'%.*s' is backwards (write it low-high)", ITEMQ(it));
	return 0;
}

static bool overlaps(const struct domcfg_range *a, const struct domcfg_range *b)
{
	return a->first <= b->last && b->first <= a->last;
}

/* @r against the ranges before it in @list[@n]. */
static int check_overlap(const struct domcfg_range *list, unsigned int n,
			 const struct domcfg_range *r, const char *what, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < n; i++)
		if (overlaps(&list[i], r))
			return refuse(err, errlen,
				      "%#llx-%#llx overlaps %#llx-%#llx given before (give each %s "
				      "once)",
				      r->first, r->last, list[i].first, list[i].last, what);
	return 0;
}

static int parse_ioport_item(const struct item *it, struct domcfg_devices *dev, char *err,
			     size_t errlen)
{
	struct domcfg_range r;
	int rc =
	    parse_range(it, DOMCFG_MAX_PORT, true, "port", "ioports=0x2f8-0x2ff", &r, err, errlen);

	rc = rc ?: check_overlap(dev->ioports, dev->nr_ioports, &r, "port", err, errlen);
	if (!rc)
		dev->ioports[dev->nr_ioports++] = r;
	return rc;
}

static int parse_iomem_item(const struct item *it, struct domcfg_devices *dev, char *err,
			    size_t errlen)
{
	struct domcfg_range r = {0, 0};
	int rc = parse_range(it, DOMCFG_MAX_IOMEM_ADDR, false, "address", "iomem=0xb8000-0xb8fff",
			     &r, err, errlen);

	if (rc)
		return rc;
	if (!IS_ALIGNED(r.first, PAGE_BYTES))
		return refuse(err, errlen,
			      "'%.*s' does not start on a 4 KiB page (start it at ...000, e.g. "
			      "iomem=0xb8000-0xb8fff)",
			      ITEMQ(it));
	if (!IS_ALIGNED(r.last + 1, PAGE_BYTES))
		return refuse(err, errlen,
			      "'%.*s' does not end with a whole 4 KiB page (end it at ...fff, e.g. "
			      "iomem=0xb8000-0xb8fff)",
			      ITEMQ(it));
	rc = check_overlap(dev->iomem, dev->nr_iomem, &r, "page", err, errlen);
	if (!rc)
		dev->iomem[dev->nr_iomem++] = r;
	return rc;
}

static int parse_irq_item(const struct item *it, struct domcfg_devices *dev, char *err,
			  size_t errlen)
{
	u64 gsi = 0;
	int rc = parse_dec(it->s, it->n, DOMCFG_MAX_GSI, &gsi);

	if (rc == -ERANGE)
		return refuse(err, errlen, "GSI '%.*s' out of range (GSIs are 0..%d)", ITEMQ(it),
			      DOMCFG_MAX_GSI);
	if (rc)
		return refuse(err, errlen,
			      "'%.*s' is not a decimal GSI number (use e.g. irqs=3 or irqs=3,4)",
			      ITEMQ(it));
	for (unsigned int i = 0; i < dev->nr_irqs; i++)
		if (dev->irqs[i] == gsi)
			return refuse(err, errlen, "GSI %llu given twice (give each GSI once)",
				      gsi);
	dev->irqs[dev->nr_irqs++] = (u32)gsi;
	return 0;
}

int domcfg_parse_devices(enum domcfg_dev_key key, const char *val, size_t len,
			 struct domcfg_devices *dev, char *err, size_t errlen)
{
	static const char *const examples[] = {"ioports=0x2f8-0x2ff", "iomem=0xb8000-0xb8fff",
					       "irqs=3"};
	unsigned int *count;
	struct item it;
	size_t pos = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!dev || (unsigned int)key > DOMCFG_DEV_IRQS || (!val && len))
		return refuse(err, errlen, "bad arguments");
	count = key == DOMCFG_DEV_IOPORTS ? &dev->nr_ioports
		: key == DOMCFG_DEV_IOMEM ? &dev->nr_iomem
					  : &dev->nr_irqs;
	if (len == 0)
		return refuse(err, errlen, "no entries (write e.g. %s)", examples[key]);
	while (next_item(val, len, &pos, &it)) {
		int rc;

		if (it.n == 0)
			return refuse(err, errlen,
				      "an empty entry (separate entries by one comma)");
		if (*count >= DOMCFG_MAX_DEV_ENTRIES)
			return refuse(err, errlen, "more than %d entries (at most %d per key)",
				      DOMCFG_MAX_DEV_ENTRIES, DOMCFG_MAX_DEV_ENTRIES);
		rc = key == DOMCFG_DEV_IOPORTS ? parse_ioport_item(&it, dev, err, errlen)
		     : key == DOMCFG_DEV_IOMEM ? parse_iomem_item(&it, dev, err, errlen)
					       : parse_irq_item(&it, dev, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

bool domcfg_has_devices(const struct domcfg_devices *dev)
{
	return dev->nr_ioports || dev->nr_iomem || dev->nr_irqs;
}
