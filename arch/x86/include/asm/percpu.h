/* Per-CPU data: one struct per CPU, found through the GS base. */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <asm/desc.h>
#include <keel/limits.h>
#include <keel/types.h>

struct percpu {
	struct percpu *self; /* must stay first: this_cpu() reads %gs:0 */
	unsigned int cpu;    /* Keel's CPU index, 0 = boot CPU */
	u32 apic_id;
	volatile bool online;
	void *stack_top;
	void *ist_top[IST_COUNT];
	struct gdt_page gdt;
	struct tss tss;
	volatile u64 timer_ticks;  /* local APIC timer interrupts taken */
	volatile u64 ipi_pings;	   /* test IPIs answered */
	volatile u64 selftest_tsc; /* TSC sample taken at the TSC-agreement rendezvous */
	unsigned int nesting;	   /* exception nesting depth */
};

extern struct percpu *cpu_table[MAX_CPUS];
extern unsigned int nr_cpus_online;
extern unsigned int nr_cpus_possible;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned int smp_processor_id(void)
{
	return this_cpu()->cpu;
}

/* Allocate and initialise CPU @cpu's data (stacks, GDT, TSS); the boot CPU uses its boot stack. */
struct percpu *percpu_alloc(unsigned int cpu, u32 apic_id);
/* Load this CPU's GDT, TSS, IDT and GS base. */
void percpu_load(struct percpu *p);

#endif
