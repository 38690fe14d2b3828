/* MADT ("APIC") parsing: local APIC address, CPUs (xAPIC and x2APIC), IOAPICs, IRQ overrides. */
#include <keel/acpi.h>
#include <keel/printk.h>
#include <keel/string.h>

#include "acpi_internal.h"

#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS	40
#define MADT_ENTRIES	44

#define MADT_PCAT_COMPAT (1u << 0)

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_ISO = 2,
	MADT_NMI_SOURCE = 3,
	MADT_LAPIC_NMI = 4,
	MADT_LAPIC_OVERRIDE = 5,
	MADT_X2APIC = 9,
	MADT_X2APIC_NMI = 0xa,
};

/* Smallest valid length of each entry type Keel reads; 0: not read (only the header). */
static u8 madt_min_len(u8 type)
{
	switch (type) {
	case MADT_LAPIC:
		return 8;
	case MADT_IOAPIC:
		return 12;
	case MADT_ISO:
		return 10;
	case MADT_LAPIC_NMI:
		return 6;
	case MADT_LAPIC_OVERRIDE:
		return 12;
	case MADT_X2APIC:
		return 16;
	case MADT_X2APIC_NMI:
		return 12;
	default:
		return 2;
	}
}

static void madt_add_cpu(struct acpi_madt_info *madt, u32 apic_id, u32 uid, u32 flags, bool x2apic)
{
	struct acpi_cpu *cpu;

	if (!(flags & (ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE)))
		return; /* present in the table but unusable */
	if (x2apic && apic_id == 0xffffffffu) {
		pr_warn("acpi: MADT x2APIC entry with invalid ID ignored");
		return;
	}
	for (unsigned int i = 0; i < madt->nr_cpus; i++) {
		if (madt->cpus[i].apic_id == apic_id) {
			pr_debug("acpi: MADT: duplicate APIC ID %u ignored", apic_id);
			return;
		}
	}
	if (madt->nr_cpus >= ACPI_MAX_CPUS) {
		if (madt->nr_cpus_dropped++ == 0)
			pr_warn("acpi: MADT lists more than %u CPUs, extra ones ignored",
				ACPI_MAX_CPUS);
		return;
	}
	cpu = &madt->cpus[madt->nr_cpus++];
	cpu->apic_id = apic_id;
	cpu->acpi_uid = uid;
	cpu->flags = flags & (ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE);
	cpu->x2apic = x2apic;
	if (flags & ACPI_CPU_ENABLED)
		madt->nr_cpus_enabled++;
}

static void madt_add_ioapic(struct acpi_madt_info *madt, const u8 *e)
{
	struct acpi_ioapic *io;

	if (madt->nr_ioapics >= ACPI_MAX_IOAPICS) {
		pr_warn("acpi: MADT: more than %u IOAPICs, IOAPIC %u ignored", ACPI_MAX_IOAPICS,
			e[2]);
		return;
	}
	io = &madt->ioapics[madt->nr_ioapics++];
	io->id = e[2];
	io->address = acpi_get32(e + 4);
	io->gsi_base = acpi_get32(e + 8);
}

static void madt_add_iso(struct acpi_madt_info *madt, const u8 *e)
{
	struct acpi_iso *iso;

	if (madt->nr_isos >= ACPI_MAX_ISOS) {
		pr_warn("acpi: MADT: more than %u interrupt overrides, IRQ %u ignored",
			ACPI_MAX_ISOS, e[3]);
		return;
	}
	iso = &madt->isos[madt->nr_isos++];
	iso->bus = e[2];
	iso->source_irq = e[3];
	iso->gsi = acpi_get32(e + 4);
	iso->flags = acpi_get16(e + 8);
}

static void madt_entry(struct acpi_madt_info *madt, const u8 *e)
{
	switch (e[0]) {
	case MADT_LAPIC:
		madt_add_cpu(madt, e[3], e[2], acpi_get32(e + 4), false);
		break;
	case MADT_X2APIC:
		madt_add_cpu(madt, acpi_get32(e + 4), acpi_get32(e + 12), acpi_get32(e + 8), true);
		break;
	case MADT_IOAPIC:
		madt_add_ioapic(madt, e);
		break;
	case MADT_ISO:
		madt_add_iso(madt, e);
		break;
	case MADT_LAPIC_NMI:
	case MADT_X2APIC_NMI:
		madt->nr_lapic_nmis++;
		break;
	case MADT_LAPIC_OVERRIDE:
		madt->lapic_addr = acpi_get64(e + 4);
		break;
	default:
		break;
	}
}

void acpi_madt_parse(const u8 *t, u32 len, struct acpi_madt_info *madt)
{
	size_t off = MADT_ENTRIES;

	memset(madt, 0, sizeof(*madt));
	if (len < MADT_ENTRIES) {
		pr_warn("acpi: MADT too short (%u bytes), skipped", len);
		return;
	}
	madt->present = true;
	madt->lapic_addr = acpi_get32(t + MADT_LAPIC_ADDR);
	madt->flags = acpi_get32(t + MADT_FLAGS);
	madt->pcat_compat = madt->flags & MADT_PCAT_COMPAT;

	while (off < len) {
		const u8 *e = t + off;
		u8 elen;

		if (len - off < 2) {
			pr_warn("acpi: MADT: truncated entry header at offset %zu, walk stopped",
				off);
			break;
		}
		elen = e[1];
		if (elen < madt_min_len(e[0])) {
			pr_warn(
			    "acpi: MADT: entry type %u at offset %zu has bad length %u, walk stopped",
			    e[0], off, elen);
			break;
		}
		if (elen > len - off) {
			pr_warn(
			    "acpi: MADT: entry type %u at offset %zu runs past the table, walk stopped",
			    e[0], off);
			break;
		}
		madt_entry(madt, e);
		off += elen;
	}
	if (madt->nr_cpus_dropped)
		pr_warn("acpi: MADT: %u CPUs beyond the limit of %u ignored", madt->nr_cpus_dropped,
			ACPI_MAX_CPUS);
}
