/* Guest library: local APIC access in both modes, IPIs, and a counting interrupt handler. */
#include "lapic.h"
#include "pvclock.h"
#include "trap.h"
#include "x86.h"

volatile uint32_t lapic_irqs[LAPIC_MAX_CPUS][256];
volatile uint32_t lapic_nmis[LAPIC_MAX_CPUS];

int lapic_is_x2apic(void)
{
	return (rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD) != 0;
}

uint32_t lapic_read(uint32_t off)
{
	return lapic_is_x2apic() ? (uint32_t)rdmsr(0x800 + off / 16) : lapic_mmio_read(off);
}

void lapic_write(uint32_t off, uint32_t val)
{
	if (lapic_is_x2apic())
		wrmsr(0x800 + off / 16, val);
	else
		lapic_mmio_write(off, val);
}

void lapic_send(uint32_t dest, uint32_t icr_lo)
{
	if (lapic_is_x2apic()) {
		wrmsr(0x830, ((uint64_t)dest << 32) | icr_lo);
		return;
	}
	lapic_mmio_write(LAPIC_ICR_HI, dest << 24);
	lapic_mmio_write(LAPIC_ICR_LO, icr_lo);
}

static unsigned int this_cpu(void)
{
	return (lapic_is_x2apic() ? lapic_read(LAPIC_ID) : lapic_read(LAPIC_ID) >> 24) / 2 %
	       LAPIC_MAX_CPUS;
}

static int lapic_hook(struct trap_frame *f)
{
	uint64_t v = f->vector & 0xff;

	if (v == 2) {
		lapic_nmis[this_cpu()]++;
		return 1;
	}
	if (v < 0x30 || v >= 0xF0)
		return 0;
	lapic_irqs[this_cpu()][v]++;
	lapic_write(LAPIC_EOI, 0);
	return 1;
}

void lapic_enable(void)
{
	trap_hook = lapic_hook;
	lapic_write(LAPIC_SVR, 0x1FF);
}

int lapic_wait_irqs(unsigned int cpu, unsigned int vec, uint32_t n, uint64_t limit_ns)
{
	uint64_t end = time_now_ns() + limit_ns;

	irq_enable();
	while (lapic_irqs[cpu][vec] < n && time_now_ns() < end)
		cpu_relax();
	irq_disable();
	return lapic_irqs[cpu][vec] >= n;
}
