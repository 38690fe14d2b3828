/* Multiprocessor support: starting application processors, cross-CPU calls, stopping CPUs. */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <keel/acpi.h>
#include <keel/types.h>

/* Start every enabled CPU in the MADT (up to `maxcpus=`), using a page of low RAM at @tramp_pa. */
void smp_boot_aps(const struct acpi_madt_info *madt, paddr_t tramp_pa);
/*
 * Run @fn(@arg) on CPU @cpu from its IPI handler (on this CPU: directly) and wait for it.
 * Returns 0 once @fn has run on @cpu; -ENODEV if @cpu is not online; -ETIMEDOUT if @cpu did not
 * start the call within @timeout_ns of now_ns() time (another caller's call to @cpu that holds
 * its slot counts against the same bound). A call that timed out was cancelled atomically and
 * never runs later, so @arg may live on the caller's stack. A call that has started is waited
 * for to its end, however long @fn takes. A slow CPU is the caller's error to handle, never a
 * panic here. Callable with interrupts off: while it waits, this CPU runs calls sent to it.
 */
int smp_call_on(unsigned int cpu, void (*fn)(void *), void *arg, u64 timeout_ns);
/* Send a ping IPI to @cpu (it counts it in percpu->ipi_pings). */
void smp_ping(unsigned int cpu);
void smp_init_ipis(void);

#endif
