/* dom0's platform: its 1:1 RAM and memory map, the host ACPI tables rewritten, devices passed on. */
#include <keel/arch_vcpu.h>
#include <keel/dom0_acpi.h>
#include <keel/dom0_build.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/printk.h>

static int write_acpi(struct domain *d, u64 gpa, u64 *rsdp)
{
	void *buf = kzalloc(DOM0_ACPI_SIZE);
	int len, rc;

	if (!buf)
		return -ENOMEM;
	len = dom0_acpi_build(acpi_host_info(), d->nr_vcpus, DOM0_ACPI_HIDE_HPET, gpa, buf,
			      DOM0_ACPI_SIZE);
	rc = len < 0 ? len : domain_copy_to_gpa(d, gpa, buf, (size_t)len);
	kfree(buf);
	if (rc)
		pr_err("dom0: cannot build its ACPI tables from the host's (%d)", rc);
	else
		*rsdp = gpa;
	return rc;
}

int dom0_build_platform(struct domain *d, const struct boot_info *bi, u64 *rsdp)
{
	const struct dom0_mem_plan *p = dom0_mem_plan();
	struct pvh_memmap_entry *map;
	u64 acpi;
	int n, rc;

	if (!p->present || !p->nr_ram ||
	    p->ram[p->nr_ram - 1].end - p->ram[p->nr_ram - 1].start < DOM0_ACPI_SIZE + MiB(1))
		return -EINVAL;
	acpi = p->ram[p->nr_ram - 1].end - DOM0_ACPI_SIZE;
	map = kmalloc(DOMAIN_MEMMAP_MAX * sizeof(*map));
	if (!map)
		return -ENOMEM;
	n = dom0_mem_memmap(p, bi, acpi, DOM0_ACPI_SIZE, map, DOMAIN_MEMMAP_MAX);
	rc = n < 0 ? n : domain_populate_identity(d, p->ram, p->nr_ram, map, (unsigned int)n);
	if (!rc) {
		for (int i = 0; i < n; i++)
			pr_info("dom0: e820 %016llx-%016llx type %u", (u64)map[i].addr,
				(u64)(map[i].addr + map[i].size - 1), map[i].type);
		rc = write_acpi(d, acpi, rsdp);
	}
	rc = rc ?: arch_domain_passthrough(d, map, (unsigned int)n);
	kfree(map);
	if (rc)
		pr_err("dom0: building its platform failed (%d)", rc);
	return rc;
}
