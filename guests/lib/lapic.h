/* Guest library: the local APIC as a guest drives it (xAPIC MMIO or x2APIC MSRs), counted IRQs. */
#ifndef GUEST_LAPIC_H
#define GUEST_LAPIC_H

#include <stdint.h>

#define LAPIC_BASE	   0xFEE00000u
#define MSR_APIC_BASE	   0x1Bu
#define MSR_TSC_DEADLINE   0x6E0u
#define APIC_BASE_BSP	   (1u << 8)
#define APIC_BASE_EXTD	   (1u << 10)
#define APIC_BASE_EN	   (1u << 11)
#define LAPIC_ID	   0x20
#define LAPIC_VERSION	   0x30
#define LAPIC_TPR	   0x80
#define LAPIC_PPR	   0xA0
#define LAPIC_EOI	   0xB0
#define LAPIC_LDR	   0xD0
#define LAPIC_DFR	   0xE0
#define LAPIC_SVR	   0xF0
#define LAPIC_ISR	   0x100
#define LAPIC_IRR	   0x200
#define LAPIC_ESR	   0x280
#define LAPIC_ICR_LO	   0x300
#define LAPIC_ICR_HI	   0x310
#define LAPIC_LVT_TIMER	   0x320
#define LAPIC_TMICT	   0x380
#define LAPIC_TMCCT	   0x390
#define LAPIC_TDCR	   0x3E0
#define LAPIC_SELF_IPI	   0x3F0
#define LAPIC_LVT_MASKED   (1u << 16)
#define LAPIC_TIMER_PERIOD (1u << 17)
#define LAPIC_TIMER_TSCDL  (2u << 17)
#define ICR_INIT	   0x00004500u /* INIT, level assert */
#define ICR_SIPI	   0x00004600u
#define ICR_NMI		   0x00000400u
#define ICR_LOGICAL	   (1u << 11)
#define ICR_SELF	   (1u << 18)
#define ICR_ALL		   (2u << 18)
#define ICR_OTHERS	   (3u << 18)

static inline uint32_t lapic_mmio_read(uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + off);
}

static inline void lapic_mmio_write(uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + off) = val;
}

/* Read/write a register in whichever mode the APIC is in (x2APIC: MSR 0x800 + off / 16). */
int lapic_is_x2apic(void);
uint32_t lapic_read(uint32_t off);
void lapic_write(uint32_t off, uint32_t val);
/* Send an IPI: @icr_lo with destination @dest (8 bits in xAPIC mode, 32 in x2APIC mode). */
void lapic_send(uint32_t dest, uint32_t icr_lo);
/* Software-enable the APIC with spurious vector 0xFF; install the counting handler. */
void lapic_enable(void);

/* Interrupts with vectors 0x30-0xEF are counted here per vCPU (APIC ID / 2) and EOIed. */
#define LAPIC_MAX_CPUS 4
extern volatile uint32_t lapic_irqs[LAPIC_MAX_CPUS][256];
extern volatile uint32_t lapic_nmis[LAPIC_MAX_CPUS];
/* Spin with interrupts on until lapic_irqs[cpu][vec] >= @n or @limit_ns pass: 1 if reached. */
int lapic_wait_irqs(unsigned int cpu, unsigned int vec, uint32_t n, uint64_t limit_ns);

#endif
