/* HPET and MCFG table parsing: the HPET register block and the PCI ECAM window of segment 0. */
#include <keel/acpi.h>
#include <keel/printk.h>
#include <keel/string.h>

#include "acpi_internal.h"

#define HPET_BLOCK_ID  36
#define HPET_BASE      40
#define HPET_NUMBER    52
#define HPET_MIN_TICK  53
#define HPET_TABLE_LEN 56

#define MCFG_ENTRIES   44
#define MCFG_ENTRY_LEN 16

void acpi_hpet_parse(const u8 *t, u32 len, struct acpi_hpet_info *hpet)
{
	memset(hpet, 0, sizeof(*hpet));
	if (len < HPET_TABLE_LEN) {
		pr_warn("acpi: HPET table too short (%u bytes), skipped", len);
		return;
	}
	hpet->event_timer_block_id = acpi_get32(t + HPET_BLOCK_ID);
	acpi_field_gas(t, len, HPET_BASE, &hpet->base);
	hpet->hpet_number = t[HPET_NUMBER];
	hpet->min_tick = acpi_get16(t + HPET_MIN_TICK);
	if (!hpet->base.address) {
		pr_warn("acpi: HPET table has no base address, skipped");
		return;
	}
	if (hpet->base.space_id != ACPI_GAS_SYSTEM_MEMORY)
		pr_warn("acpi: HPET in address space %u, expected memory", hpet->base.space_id);
	hpet->present = true;
}

void acpi_mcfg_parse(const u8 *t, u32 len, struct acpi_mcfg_info *mcfg)
{
	memset(mcfg, 0, sizeof(*mcfg));
	for (size_t off = MCFG_ENTRIES; off + MCFG_ENTRY_LEN <= len; off += MCFG_ENTRY_LEN) {
		const u8 *e = t + off;

		if (acpi_get16(e + 8) != 0)
			continue; /* segment groups other than 0 are not supported */
		if (e[10] > e[11] || !acpi_get64(e)) {
			pr_warn("acpi: MCFG entry at offset %zu is malformed, ignored", off);
			continue;
		}
		mcfg->present = true;
		mcfg->ecam_base = acpi_get64(e);
		mcfg->bus_start = e[10];
		mcfg->bus_end = e[11];
		return;
	}
}
