/* The hooks arch-neutral code calls into the architecture for (CPU identity, stopping, tracing). */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <keel/compiler.h>
#include <keel/types.h>

unsigned int arch_cpu_id(void);
unsigned int arch_nr_cpus(void);
/* The local APIC id of CPU @cpu (Keel's number), ~0 if there is no such CPU. */
u32 arch_cpu_apic_id(unsigned int cpu);
/* Deliver the host device interrupts taken since (to dom0); softirq context. */
void arch_device_irqs_run(void);
/* Whether this CPU takes interrupts right now. */
bool arch_irqs_enabled(void);
/* Print a symbolized backtrace starting at the caller's frame. */
void arch_backtrace_here(void);
/* Stop every other CPU (NMI) and wait briefly for them to acknowledge. */
void arch_stop_other_cpus(void);
__noreturn void arch_halt_cpu(void);
/* Look up the symbol containing @addr; returns its name or NULL, with the offset and size. */
const char *arch_symbolize(u64 addr, u64 *offset, u64 *size);

#endif
