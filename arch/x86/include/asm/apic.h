/* The local APIC (xAPIC or x2APIC): identity, EOI, IPIs and the per-CPU timer. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <keel/types.h>

#define APIC_DM_FIXED 0x000
#define APIC_DM_NMI   0x400
#define APIC_DM_INIT  0x500
#define APIC_DM_SIPI  0x600

/* Bring up this CPU's local APIC (x2APIC when available and allowed). */
void lapic_init_cpu(void);
bool lapic_is_x2apic(void);
u32 lapic_id(void);
void lapic_eoi(void);
/* Send an IPI; @vector is ignored for INIT and NMI, the start page for SIPI. */
void lapic_send_ipi(u32 apic_id, u32 mode, u8 vector);
/* NMI every CPU but this one. */
void lapic_send_nmi_allbutself(void);

/* Timer: calibrated once on the boot CPU against the PIT or HPET, then armed on every CPU. */
void lapic_timer_calibrate(void);
void lapic_timer_periodic(unsigned int hz);
void lapic_timer_oneshot_ns(u64 ns);
void lapic_timer_stop(void);
extern u64 lapic_timer_khz;

#endif
