/* A boot-time domain's devices: claimed in module order, its RAM around them, given at build. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/device_owner.h>
#include <keel/domain.h>
#include <keel/domain_devices.h>
#include <keel/domain_mem.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/pvh_info.h>
#include <keel/string.h>

#define DEVICES_ERR_MAX 256
#define DEVICES_LOG_MAX 400

void domain_devices_claim_all(struct domain_config *cfgs, bool *refused, unsigned int n,
			      const struct boot_info *bi)
{
	static bool reserved;
	char err[DEVICES_ERR_MAX];

	if (!reserved) {
		arch_devices_reserve();
		reserved = true;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct domain_config *c = &cfgs[i];

		refused[i] = devown_claim(c->name, c->dom0, &c->devices, c->mem_bytes, bi, err,
					  sizeof(err)) != 0;
		if (refused[i])
			pr_err("domain: '%s' is not started: %s", c->name, err);
	}
}

int domain_devices_populate_ram(struct domain *d, const struct domain_config *c)
{
	struct pvh_memmap_entry holes[PVH_MAX_HOLES], map[PVH_MEMMAP_MAX + 2 * PVH_MAX_HOLES];
	unsigned int nr_holes = 0;
	int n;

	for (unsigned int i = 0; i < c->devices.nr_iomem && nr_holes < PVH_MAX_HOLES; i++) {
		const struct domcfg_range *r = &c->devices.iomem[i];

		if (r->first >= DEVOWN_LEGACY_FIRST && r->last <= DEVOWN_LEGACY_LAST)
			holes[nr_holes++] =
			    (struct pvh_memmap_entry){r->first, r->last - r->first + 1, 0, 0};
	}
	if (!nr_holes)
		return domain_populate_ram(d, c->mem_bytes);
	n = pvh_guest_memmap_holes(c->mem_bytes, holes, nr_holes, map, ARRAY_SIZE(map));
	return n < 0 ? n : domain_populate_map(d, map, (unsigned int)n);
}

/* Append "LABEL a-b,c-d" (ranges) to @buf. */
static size_t put_ranges(char *buf, size_t at, const char *label, const struct domcfg_range *r,
			 unsigned int n)
{
	for (unsigned int i = 0; i < n && at < DEVICES_LOG_MAX; i++)
		at += (size_t)snprintf(buf + at, DEVICES_LOG_MAX - at, "%s%#llx-%#llx",
				       i ? "," : label, r[i].first, r[i].last);
	return MIN(at, (size_t)DEVICES_LOG_MAX);
}

int domain_devices_assign(struct domain *d, const struct domain_config *c)
{
	const struct domcfg_devices *dev = &c->devices;
	char line[DEVICES_LOG_MAX];
	size_t at = 0;
	int rc;

	if (c->dom0 || !domcfg_has_devices(dev))
		return 0;
	rc = arch_domain_assign_devices(d, dev);
	if (rc) {
		pr_err("domain: d%u '%s': giving it its devices failed (%d)", d->id, d->name, rc);
		return rc;
	}
	line[0] = '\0';
	at = put_ranges(line, at, " ioports ", dev->ioports, dev->nr_ioports);
	at = put_ranges(line, at, " iomem ", dev->iomem, dev->nr_iomem);
	for (unsigned int i = 0; i < dev->nr_irqs && at < sizeof(line); i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%u", i ? "," : " GSIs ",
				       dev->irqs[i]);
	if (dev->nr_irqs)
		pr_info("domain: d%u '%s' owns%s (its IO-APIC at %#x)", d->id, d->name, line,
			arch_domain_ioapic_gpa(d));
	else
		pr_info("domain: d%u '%s' owns%s", d->id, d->name, line);
	return 0;
}
