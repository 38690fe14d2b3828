/* dom0's virtual IO-APICs: one per host IO-APIC, same id, address and GSIs, routed by Keel. */
#ifndef ASM_VIOAPIC_H
#define ASM_VIOAPIC_H

#include <keel/types.h>

struct domain;
struct vcpu;

/*
 * Give @d (dom0) a virtual IO-APIC for each host one and make it the owner of the host's device
 * interrupts: each GSI it unmasks is routed to it with the trigger and polarity it programs.
 */
int vioapic_domain_init(struct domain *d);
void vioapic_domain_destroy(struct domain *d);
/* @d's vCPU EOIed @vector: level-triggered pins delivered with it may fire again. */
void vioapic_eoi(struct domain *d, u8 vector);
/* Deliver the device interrupts the host took since (softirq, interrupts on, no lock held). */
void vioapic_run_pending(void);

#endif
