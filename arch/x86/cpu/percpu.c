/* Per-CPU data: allocation of each CPU's block, stacks, GDT/TSS, and loading them on that CPU. */
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <keel/arch.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/string.h>

extern char boot_stack_top[];
struct percpu *cpu_table[MAX_CPUS];
unsigned int nr_cpus_online;
unsigned int nr_cpus_possible;

static void *stack_alloc(size_t size)
{
	return stack_map(size);
}

struct percpu *percpu_alloc(unsigned int cpu, u32 apic_id)
{
	struct percpu *p;

	BUG_ON(cpu >= MAX_CPUS || cpu_table[cpu]);
	p = kzalloc(sizeof(*p));
	if (!p)
		panic("percpu: out of memory for CPU %u", cpu);
	p->self = p;
	p->cpu = cpu;
	p->apic_id = apic_id;
	/* The boot CPU keeps running on the boot stack it started with. */
	p->stack_top = cpu == 0 ? (void *)boot_stack_top : stack_alloc(CPU_STACK_SIZE);
	for (int i = 0; i < IST_COUNT; i++) {
		p->ist_top[i] = stack_alloc(IST_STACK_SIZE);
		p->tss.ist[i] = (u64)p->ist_top[i];
	}
	p->tss.rsp[0] = (u64)p->stack_top;
	cpu_table[cpu] = p;
	return p;
}

void percpu_load(struct percpu *p)
{
	gdt_init_cpu(&p->gdt, &p->tss);
	idt_load();
	wrmsr(MSR_GS_BASE, (u64)p);
}

unsigned int arch_cpu_id(void)
{
	/* Before per-CPU data exists (GS base 0) we are the boot CPU. */
	return rdmsr(MSR_GS_BASE) ? smp_processor_id() : 0;
}

unsigned int arch_nr_cpus(void)
{
	return nr_cpus_online;
}

bool arch_irqs_enabled(void)
{
	return read_flags() & X86_EFLAGS_IF;
}

__noreturn void arch_halt_cpu(void)
{
	cpu_halt_forever();
}

u32 arch_cpu_apic_id(unsigned int cpu)
{
	return cpu < MAX_CPUS && cpu_table[cpu] ? cpu_table[cpu]->apic_id : ~0u;
}
