/* Device ownership at boot: a port, page or GSI is Keel's, one domain's, or (with dom0) dom0's. */
#include <keel/compiler.h>
#include <keel/device_owner.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/printk.h>
#include <keel/pvh_info.h>
#include <keel/string.h>

#define PAGE_BYTES 4096ULL

/* One range of one kind: Keel's (@who says what it is) or a domain's (@who is its name). */
struct devown_entry {
	enum devown_kind kind;
	u64 first, last;
	const char *who;
};

/*
 * Written only while the boot-time domains are set up (domains_build_from_modules(), before any
 * of them runs) and read while domains are built on the same CPU: no lock.
 */
static struct devown_entry reserved[DEVOWN_MAX_RESERVED];
static unsigned int nr_reserved;
static struct devown_entry claims[DEVOWN_MAX_CLAIMS];
static unsigned int nr_claims;

static const char *const kind_unit[] = {"port", "page", "GSI"};

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

static bool overlap(u64 a_first, u64 a_last, u64 b_first, u64 b_last)
{
	return a_first <= b_last && b_first <= a_last;
}

/* The first entry of @kind in @t[@n] that overlaps [first, last], or NULL. */
static const struct devown_entry *find(const struct devown_entry *t, unsigned int n,
				       enum devown_kind kind, u64 first, u64 last)
{
	for (unsigned int i = 0; i < n; i++)
		if (t[i].kind == kind && overlap(t[i].first, t[i].last, first, last))
			return &t[i];
	return NULL;
}

int devown_reserve(enum devown_kind kind, u64 first, u64 last, const char *what)
{
	if (first > last || (unsigned int)kind > DEVOWN_GSI || !what)
		return -EINVAL;
	if (nr_reserved == DEVOWN_MAX_RESERVED) {
		pr_warn("devown: no room to note '%s' as Keel's", what);
		return -ENOSPC;
	}
	reserved[nr_reserved++] = (struct devown_entry){kind, first, last, what};
	return 0;
}

const char *devown_owner(enum devown_kind kind, u64 first, u64 last)
{
	const struct devown_entry *e = find(claims, nr_claims, kind, first, last);

	return e ? e->who : NULL;
}

bool devown_next(enum devown_kind kind, unsigned int *cursor, u64 *first, u64 *last,
		 const char **owner)
{
	while (*cursor < nr_claims) {
		const struct devown_entry *e = &claims[(*cursor)++];

		if (e->kind == kind) {
			*first = e->first;
			*last = e->last;
			if (owner)
				*owner = e->who;
			return true;
		}
	}
	return false;
}

void devown_reset(void)
{
	nr_reserved = nr_claims = 0;
}

/* "port 0x3f8", "page 0xb8000", "GSI 3": the resource at @at, as messages name it. */
static void name_resource(enum devown_kind kind, u64 at, char *buf, size_t len)
{
	if (kind == DEVOWN_GSI)
		snprintf(buf, len, "GSI %llu", at);
	else
		snprintf(buf, len, "%s %#llx", kind_unit[kind],
			 kind == DEVOWN_MMIO ? ALIGN_DOWN(at, PAGE_BYTES) : at);
}

/*
 * [@first, @last] of @kind against Keel's and the other domains' (@key names the key for the
 * message): 0, -EINVAL (Keel's) or -EBUSY (a domain's).
 */
static int check_free(enum devown_kind kind, const char *key, u64 first, u64 last, char *err,
		      size_t errlen)
{
	const struct devown_entry *e = find(reserved, nr_reserved, kind, first, last);
	char what[32];

	if (e) {
		name_resource(kind, MAX(first, e->first), what, sizeof(what));
		return refuse(err, errlen, "%s: %s is Keel's (%s); pick %ss Keel does not use", key,
			      what, e->who, kind_unit[kind]);
	}
	e = find(claims, nr_claims, kind, first, last);
	if (e) {
		name_resource(kind, MAX(first, e->first), what, sizeof(what));
		refuse(
		    err, errlen,
		    "%s: %s is already assigned to '%s' (a %s belongs to one domain: take it off "
		    "one of the two lines)",
		    key, what, e->who, kind_unit[kind]);
		return -EBUSY;
	}
	return 0;
}

/* Host memory map types that are memory, not devices: RAM (Keel's), ACPI tables, NVS, bad RAM. */
static bool is_memory_type(u32 type)
{
	return type == MEM_RAM || type == MEM_ACPI_RECLAIM || type == MEM_ACPI_NVS ||
	       type == MEM_BAD;
}

static int check_not_host_memory(const struct boot_info *bi, u64 first, u64 last, char *err,
				 size_t errlen)
{
	for (unsigned int i = 0; bi && i < bi->nr_memmap && i < BOOT_MAX_MEMMAP; i++) {
		const struct boot_mem_range *m = &bi->memmap[i];

		if (m->size && is_memory_type(m->type) &&
		    overlap(first, last, m->start, m->start + m->size - 1))
			return refuse(err, errlen,
				      "iomem=%#llx-%#llx: page %#llx is memory in the host memory "
				      "map (type %u), not a device: only device memory can be "
				      "assigned",
				      first, last, ALIGN_DOWN(MAX(first, m->start), PAGE_BYTES),
				      m->type);
	}
	return 0;
}

/* The guest-physical areas a domain of @mem_bytes uses itself, besides its RAM. */
static const struct {
	u64 first, last;
	const char *what;
} own_layout[] = {
    {GUEST_ACPI_GPA, GUEST_ACPI_GPA + GUEST_ACPI_SIZE - 1, "ACPI tables"},
    {GUEST_ACPI_IOAPIC_ADDR, GUEST_ACPI_IOAPIC_ADDR + PAGE_BYTES - 1, "IO-APIC"},
    {GUEST_ACPI_LAPIC_ADDR, GUEST_ACPI_LAPIC_ADDR + PAGE_BYTES - 1, "local APIC"},
    {PVH_SPECIAL_PAGES_GPA, PVH_SPECIAL_PAGES_GPA + PVH_SPECIAL_PAGES *PAGE_BYTES - 1,
     "special pages (xenstore, console)"},
};

/* [first, last] is mapped 1:1: it must not cover what the domain has at those guest addresses. */
static int check_guest_layout(u64 mem_bytes, u64 first, u64 last, char *err, size_t errlen)
{
	u64 low_end = MIN(mem_bytes, PVH_LOWMEM_TOP); /* RAM [0, low_end), then from 4 GiB */
	u64 high_end = PVH_HIGHMEM_BASE + (mem_bytes - low_end);
	u64 outside = first; /* the range's lowest address outside the legacy window */

	if (outside >= DEVOWN_LEGACY_FIRST && outside <= DEVOWN_LEGACY_LAST)
		outside = DEVOWN_LEGACY_LAST + 1;
	// cppcheck-suppress knownConditionTrueFalse ; both vary (the devown unit suite takes each way)
	if (outside <= last && outside < low_end)
		return refuse(err, errlen,
			      "iomem=%#llx-%#llx: guest address %#llx is the domain's own RAM "
			      "(RAM is 0-%#llx; only the legacy window 0xa0000-0xfffff can hold "
			      "a device there)",
			      first, last, outside, low_end - 1);
	if (high_end > PVH_HIGHMEM_BASE && overlap(first, last, PVH_HIGHMEM_BASE, high_end - 1))
		return refuse(err, errlen,
			      "iomem=%#llx-%#llx: guest address %#llx is the domain's own RAM "
			      "(its RAM above 4 GiB is %#llx-%#llx)",
			      first, last, MAX(first, PVH_HIGHMEM_BASE), PVH_HIGHMEM_BASE,
			      high_end - 1);
	for (unsigned int i = 0; i < ARRAY_SIZE(own_layout); i++)
		if (overlap(first, last, own_layout[i].first, own_layout[i].last))
			return refuse(err, errlen,
				      "iomem=%#llx-%#llx: guest address %#llx is the domain's %s "
				      "(%#llx-%#llx): assign another range",
				      first, last, MAX(first, own_layout[i].first),
				      own_layout[i].what, own_layout[i].first, own_layout[i].last);
	return 0;
}

/* Every rule for one domain's list, nothing recorded. */
static int check_all(const struct domcfg_devices *dev, u64 mem_bytes, const struct boot_info *bi,
		     char *err, size_t errlen)
{
	char key[48];
	int rc;

	for (unsigned int i = 0; i < dev->nr_ioports; i++) {
		const struct domcfg_range *r = &dev->ioports[i];

		snprintf(key, sizeof(key), "ioports=%#llx-%#llx", r->first, r->last);
		if ((rc = check_free(DEVOWN_PORT, key, r->first, r->last, err, errlen)))
			return rc;
	}
	for (unsigned int i = 0; i < dev->nr_iomem; i++) {
		const struct domcfg_range *r = &dev->iomem[i];

		snprintf(key, sizeof(key), "iomem=%#llx-%#llx", r->first, r->last);
		if ((rc = check_free(DEVOWN_MMIO, key, r->first, r->last, err, errlen)) ||
		    (rc = check_not_host_memory(bi, r->first, r->last, err, errlen)) ||
		    (rc = check_guest_layout(mem_bytes, r->first, r->last, err, errlen)))
			return rc;
	}
	for (unsigned int i = 0; i < dev->nr_irqs; i++) {
		u32 gsi = dev->irqs[i];

		snprintf(key, sizeof(key), "irqs=%u", gsi);
		if ((rc = check_free(DEVOWN_GSI, key, gsi, gsi, err, errlen)))
			return rc;
		if (!arch_device_gsi_exists(gsi))
			return refuse(err, errlen,
				      "irqs=%u: GSI %u is not a pin of this machine's IO-APICs "
				      "(Keel's 'ioapic:' lines at boot list their GSIs)",
				      gsi, gsi);
	}
	return 0;
}

static void record(enum devown_kind kind, u64 first, u64 last, const char *name)
{
	claims[nr_claims++] = (struct devown_entry){kind, first, last, name};
}

int devown_claim(const char *name, bool dom0, const struct domcfg_devices *dev, u64 mem_bytes,
		 const struct boot_info *bi, char *err, size_t errlen)
{
	unsigned int need;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!name || !dev)
		return refuse(err, errlen, "bad arguments");
	if (!domcfg_has_devices(dev))
		return 0;
	if (dom0)
		return refuse(err, errlen,
			      "dom0 already has every device Keel does not keep: ioports=, iomem= "
			      "and irqs= are for the other domains (take them off dom0's line)");
	need = dev->nr_ioports + dev->nr_iomem + dev->nr_irqs;
	if (nr_claims + need > DEVOWN_MAX_CLAIMS)
		return refuse(err, errlen, "Keel has no room for more device assignments");
	rc = check_all(dev, mem_bytes, bi, err, errlen);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < dev->nr_ioports; i++)
		record(DEVOWN_PORT, dev->ioports[i].first, dev->ioports[i].last, name);
	for (unsigned int i = 0; i < dev->nr_iomem; i++)
		record(DEVOWN_MMIO, dev->iomem[i].first, dev->iomem[i].last, name);
	for (unsigned int i = 0; i < dev->nr_irqs; i++)
		record(DEVOWN_GSI, dev->irqs[i], dev->irqs[i], name);
	return 0;
}
