/* The host's IO-APICs: Keel owns them and routes each device interrupt (pin = GSI) itself. */
#ifndef ASM_IOAPIC_H
#define ASM_IOAPIC_H

#include <keel/acpi.h>
#include <keel/types.h>

/* Host vector of GSI g: IOAPIC_VEC_BASE + g, for g < IOAPIC_MAX_GSIS. */
#define IOAPIC_VEC_BASE 0x30
#define IOAPIC_MAX_GSIS 0x70 /* vectors 0x30..0x9f; 0xa0..0xef: MSIs (asm/dom0_msi.h) */

/* Map every IO-APIC the MADT lists and mask all their pins. Logs what it found. */
void ioapic_init(const struct acpi_madt_info *madt);
/* GSIs the host's IO-APICs have (the highest GSI + 1, at most IOAPIC_MAX_GSIS). */
unsigned int ioapic_nr_gsis(void);
/* Whether @gsi is a pin of some IO-APIC. */
bool ioapic_has_gsi(u32 gsi);
/*
 * Route @gsi to its host vector on the boot CPU, with the trigger and polarity given, masked or
 * not. 0 or -EINVAL for a GSI no IO-APIC has.
 */
int ioapic_route(u32 gsi, bool level, bool active_low, bool masked);
void ioapic_mask(u32 gsi, bool masked);
/* From the interrupt handler: a level-triggered pin stays masked until its EOI is back. */
void ioapic_mask_if_level(u32 gsi);

#endif
