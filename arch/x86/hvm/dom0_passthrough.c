/* dom0 owns the host's devices: device memory mapped 1:1, its ports and interrupts passed through. */
#include <asm/dom0_msi.h>
#include <asm/dom0_msix.h>
#include <asm/dom0_pci.h>
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>
#include <keel/arch.h>
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/device_owner.h>
#include <keel/dom0_acpi.h>
#include <keel/dom0_mem.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <public/start_info.h>

#define FOUR_GIB  0x100000000ULL
#define MAX_KEPT  (ACPI_MAX_IOAPICS + 3 + DEVOWN_MAX_CLAIMS)
#define MAX_SPACE 32 /* device-space ranges remembered for MSI-X traps */

/* The device space dom0 has mapped 1:1 (adjacent pieces merged). Written once, at dom0's build. */
static struct mem_region space[MAX_SPACE];
static unsigned int nr_space;

static void remember(u64 start, u64 end)
{
	if (nr_space && space[nr_space - 1].end == start)
		space[nr_space - 1].end = end;
	else if (nr_space < MAX_SPACE)
		space[nr_space++] = (struct mem_region){start, end};
}

bool dom0_device_space_contains(u64 start, u64 end)
{
	for (unsigned int i = 0; i < nr_space; i++)
		if (start >= space[i].start && end <= space[i].end && start < end)
			return true;
	return false;
}

/*
 * Device space Keel keeps or traps: the local APIC, the IO-APICs, the HPET, the ECAM window; and
 * the pages assigned to other domains (keel/device_owner.h), which dom0 must not reach.
 */
static unsigned int kept_pages(struct mem_region *out)
{
	const struct acpi_info *ai = acpi_host_info();
	unsigned int n = 0;

	out[n++] = (struct mem_region){APIC_MMIO_BASE, APIC_MMIO_BASE + APIC_PAGE_SIZE};
	for (unsigned int i = 0; i < ai->madt.nr_ioapics && n < MAX_KEPT - 1; i++) {
		paddr_t a = ALIGN_DOWN((paddr_t)ai->madt.ioapics[i].address, PAGE_SIZE);

		out[n++] = (struct mem_region){a, a + PAGE_SIZE};
	}
	if (ai->hpet.present && ai->hpet.base.address) {
		paddr_t a = ALIGN_DOWN(ai->hpet.base.address, PAGE_SIZE);

		out[n++] = (struct mem_region){a, a + PAGE_SIZE};
	}
	if (ai->mcfg.present) {
		paddr_t a = ai->mcfg.ecam_base + ((paddr_t)ai->mcfg.bus_start << 20);

		out[n++] = (struct mem_region){
		    a, a + (((paddr_t)ai->mcfg.bus_end - ai->mcfg.bus_start + 1) << 20)};
	}
	for (unsigned int cursor = 0, withheld = 0; n < MAX_KEPT;) {
		u64 first, last;

		if (!devown_next(DEVOWN_MMIO, &cursor, &first, &last, NULL)) {
			if (withheld)
				pr_info("dom0: %u page range%s withheld: assigned to other domains",
					withheld, withheld == 1 ? "" : "s");
			break;
		}
		out[n++] = (struct mem_region){first, last + 1};
		withheld++;
	}
	return n;
}

/* Map [start, end) 1:1 as device memory, minus Keel's pages. */
static int map_devices(struct domain *d, u64 start, u64 end, const struct mem_region *kept,
		       unsigned int nr_kept, u64 *mapped)
{
	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	for (unsigned int i = 0; i < nr_kept && start < end; i++) {
		if (kept[i].end <= start || kept[i].start >= end)
			continue;
		if (kept[i].start > start) {
			int rc = map_devices(d, start, kept[i].start, kept + i + 1, nr_kept - i - 1,
					     mapped);

			if (rc)
				return rc;
		}
		start = kept[i].end;
	}
	if (start >= end)
		return 0;
	*mapped += end - start;
	remember(start, end);
	return hvm_ops->map_mmio(d, start, start, end - start);
}

/*
 * Below 4 GiB, everything the memory map does not call RAM or unusable (Keel's RAM) is the
 * host's: firmware areas, ACPI tables, the legacy VGA window and ROMs, the PCI hole.
 */
static int map_device_space(struct domain *d, const struct pvh_memmap_entry *map, unsigned int n)
{
	static struct mem_region kept[MAX_KEPT]; /* dom0's build only: too big for the stack */
	unsigned int nr_kept = kept_pages(kept);
	u64 cur = 0, mapped = 0;
	int rc = 0;

	for (unsigned int i = 0; i <= n && !rc && cur < FOUR_GIB; i++) {
		u64 s = i < n ? MIN(map[i].addr, FOUR_GIB) : FOUR_GIB;
		u64 e = i < n ? MIN(map[i].addr + map[i].size, FOUR_GIB) : FOUR_GIB;
		bool keep_out =
		    i < n &&
		    (map[i].type == PVH_MEMMAP_RAM || map[i].type == PVH_MEMMAP_UNUSABLE ||
		     dom0_mem_owns(dom0_mem_plan(), map[i].addr, map[i].addr + map[i].size));

		if (s > cur)
			rc = map_devices(d, cur, s, kept, nr_kept, &mapped); /* a hole */
		if (!rc && i < n && !keep_out)
			rc = map_devices(d, MAX(s, cur), e, kept, nr_kept, &mapped);
		cur = MAX(cur, e);
	}
	if (!rc)
		pr_info("dom0: %llu MiB of device space below 4 GiB mapped 1:1", mapped >> 20);
	return rc;
}

void arch_device_irqs_run(void)
{
	vioapic_run_pending();
	dom0_msi_run_pending();
}

/* Say how many port ranges other domains own: dom0 finds nothing there (ioport.c). */
static void log_withheld_ports(void)
{
	unsigned int cursor = 0, withheld = 0;
	u64 first, last;

	while (devown_next(DEVOWN_PORT, &cursor, &first, &last, NULL))
		withheld++;
	if (withheld)
		pr_info("dom0: %u port range%s withheld: assigned to other domains", withheld,
			withheld == 1 ? "" : "s");
}

int arch_domain_passthrough(struct domain *d, const struct pvh_memmap_entry *map, unsigned int n)
{
	int rc;

	log_withheld_ports();
	hvm_domain_devices_drop_domu(d);
	d->arch.io_passthrough = true;
	nr_space = 0;
	rc = hvm_dom0_ports_init(d) ?: map_device_space(d, map, n) ?: vioapic_domain_init(d) ?:
	     dom0_ecam_init(d);
	if (rc)
		pr_err("dom0: passing the host's devices through failed (%d)", rc);
	return rc;
}
