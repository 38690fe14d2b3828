/* Virtual IO-APICs: dom0's mirror the host's; a domain given GSIs has one of its own. */
#ifndef ASM_VIOAPIC_H
#define ASM_VIOAPIC_H

#include <keel/types.h>

struct domain;
struct vcpu;

/*
 * Give @d (dom0) a virtual IO-APIC for each host one (same id, address and GSIs) and make it the
 * owner of the host's device interrupts but those assigned to other domains (keel/device_owner.h):
 * each GSI it owns and unmasks is routed to it with the trigger and polarity it programs.
 */
int vioapic_domain_init(struct domain *d);
/*
 * Give @d (a domain assigned @gsis, @n of them) one virtual IO-APIC at GUEST_ACPI_IOAPIC_ADDR,
 * id GUEST_ACPI_IOAPIC_ID, GSI base 0, with max(24, highest GSI + 1) pins: the pins of @gsis
 * follow the host's as dom0's do, the others are never connected. 0; -EINVAL for a GSI the host
 * lacks, -EBUSY for one with an owner already, -ENOMEM.
 */
int vioapic_domain_init_owned(struct domain *d, const u32 *gsis, unsigned int n);
/* The guest-physical address of @d's first virtual IO-APIC, 0 when it has none. */
u32 vioapic_guest_address(const struct domain *d);
void vioapic_domain_destroy(struct domain *d);
/* @d's vCPU EOIed @vector: level-triggered pins delivered with it may fire again. */
void vioapic_eoi(struct domain *d, u8 vector);
/* Deliver the device interrupts the host took since (softirq, interrupts on, no lock held). */
void vioapic_run_pending(void);

#endif
