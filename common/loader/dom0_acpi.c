/* dom0's ACPI tables: the host's in place, with a new root, a MADT of its vCPUs, Keel's hidden. */
#include <keel/compiler.h>
#include <keel/dom0_acpi.h>
#include <keel/errno.h>
#include <keel/string.h>

#include "acpi_out.h"

#define RSDP_LEN       36
#define HDR_LEN	       36
#define MAX_ENTRIES    64
#define MADT_LAPIC     0
#define MADT_IOAPIC    1
#define MADT_ISO       2
#define MADT_LAPIC_NMI 4
#define NMI_EDGE_HIGH  0x5 /* MPS INTI flags: active high, edge triggered */

/* The host tables dom0 keeps, by address; *n is set. */
static int host_tables(const struct acpi_info *host, u32 hide, u64 *out, unsigned int *n)
{
	unsigned int esize = host->xsdt ? 8 : 4;
	const u8 *root;
	u32 len;

	*n = 0;
	root = acpi_map_table(host->root_addr, host->xsdt ? "XSDT" : "RSDT", &len);
	if (!root)
		return -EINVAL;
	for (u32 off = HDR_LEN; off + esize <= len && *n < MAX_ENTRIES; off += esize) {
		u64 pa = 0;
		const u8 *t;
		u32 tlen;

		memcpy(&pa, root + off, esize);
		t = acpi_map_table(pa, NULL, &tlen);
		if (!t || !memcmp(t, "APIC", 4) || !memcmp(t, "DMAR", 4) || !memcmp(t, "IVRS", 4) ||
		    !memcmp(t, "MCFG", 4) ||
		    ((hide & DOM0_ACPI_HIDE_HPET) && !memcmp(t, "HPET", 4)))
			continue;
		/* The RSDT holds 32-bit pointers: a table above 4 GiB goes in the XSDT only. */
		out[(*n)++] = pa;
	}
	return 0;
}

static void put_madt_body(struct out *o, const struct acpi_madt_info *m, unsigned int nr_vcpus)
{
	put_le(o, 0xFEE00000u, 4);   /* the vLAPIC, where every vCPU finds its own */
	put_le(o, m->flags & 1u, 4); /* PC-AT compatible: the 8259s exist (masked by dom0) */
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		put8(o, MADT_LAPIC);
		put8(o, 8);
		put8(o, (u8)i);	      /* processor UID */
		put8(o, (u8)(2 * i)); /* APIC id */
		put_le(o, 1, 4);      /* enabled */
	}
	for (unsigned int i = 0; i < m->nr_ioapics; i++) {
		put8(o, MADT_IOAPIC);
		put8(o, 12);
		put8(o, m->ioapics[i].id);
		put8(o, 0);
		put_le(o, m->ioapics[i].address, 4);
		put_le(o, m->ioapics[i].gsi_base, 4);
	}
	for (unsigned int i = 0; i < m->nr_isos; i++) {
		put8(o, MADT_ISO);
		put8(o, 10);
		put8(o, m->isos[i].bus);
		put8(o, m->isos[i].source_irq);
		put_le(o, m->isos[i].gsi, 4);
		put_le(o, m->isos[i].flags, 2);
	}
	put8(o, MADT_LAPIC_NMI);
	put8(o, 6);
	put8(o, 0xFF); /* all processors */
	put_le(o, NMI_EDGE_HIGH, 2);
	put8(o, 1); /* LINT1 */
}

/* The one ECAM window Keel traps for dom0 (segment 0), as the host's MCFG gives it. */
static void put_mcfg_body(struct out *o, const struct acpi_mcfg_info *m)
{
	put_le(o, 0, 8); /* reserved */
	put_le(o, m->ecam_base, 8);
	put_le(o, 0, 2); /* segment group */
	put8(o, m->bus_start);
	put8(o, m->bus_end);
	put_le(o, 0, 4);
}

int dom0_acpi_build(const struct acpi_info *host, unsigned int nr_vcpus, u32 hide, u64 gpa,
		    void *buf, size_t buflen)
{
	struct out o = {.buf = buf, .cap = buflen};
	u64 tables[MAX_ENTRIES];
	unsigned int n;
	size_t madt, mcfg = 0, rsdt, xsdt, end;

	if (!host || !buf || nr_vcpus == 0 || nr_vcpus > DOM0_ACPI_MAX_VCPUS ||
	    !IS_ALIGNED(gpa, 16ULL) || gpa + buflen > 0x100000000ULL || gpa + buflen < gpa)
		return -EINVAL;
	if (host_tables(host, hide, tables, &n))
		return -EINVAL;
	memset(buf, 0, buflen);
	o.len = RSDP_LEN;
	madt = table_begin(&o, "APIC", 5);
	put_madt_body(&o, &host->madt, nr_vcpus);
	table_end(&o, madt);
	if (host->mcfg.present) {
		mcfg = table_begin(&o, "MCFG", 1);
		put_mcfg_body(&o, &host->mcfg);
		table_end(&o, mcfg);
	}

	xsdt = table_begin(&o, "XSDT", 1);
	put_le(&o, gpa + madt, 8);
	if (mcfg)
		put_le(&o, gpa + mcfg, 8);
	for (unsigned int i = 0; i < n; i++)
		put_le(&o, tables[i], 8);
	table_end(&o, xsdt);
	rsdt = table_begin(&o, "RSDT", 1);
	put_le(&o, gpa + madt, 4);
	if (mcfg)
		put_le(&o, gpa + mcfg, 4);
	for (unsigned int i = 0; i < n; i++)
		if (tables[i] < 0x100000000ULL)
			put_le(&o, tables[i], 4);
	table_end(&o, rsdt);
	if (o.overflow)
		return -ENOSPC;
	end = o.len;

	o.len = 0;
	put(&o, "RSD PTR ", 8);
	put8(&o, 0);
	put(&o, "KEEL  ", 6);
	put8(&o, 2); /* ACPI 2.0+: the XSDT */
	put_le(&o, gpa + rsdt, 4);
	put_le(&o, RSDP_LEN, 4);
	put_le(&o, gpa + xsdt, 8);
	put_le(&o, 0, 4);
	o.buf[8] = checksum_byte(o.buf, 20);
	o.buf[32] = checksum_byte(o.buf, RSDP_LEN);
	return o.overflow ? -ENOSPC : (int)end;
}
