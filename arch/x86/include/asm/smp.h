/* Multiprocessor support: starting application processors, cross-CPU calls, stopping CPUs. */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <keel/acpi.h>
#include <keel/types.h>

/* Start every enabled CPU in the MADT (up to `maxcpus=`), using a page of low RAM at @tramp_pa. */
void smp_boot_aps(const struct acpi_madt_info *madt, paddr_t tramp_pa);
/* Run @fn(@arg) on CPU @cpu from its IPI handler and wait for it to finish. 0 or -errno. */
int smp_call_on(unsigned int cpu, void (*fn)(void *), void *arg);
/* Send a ping IPI to @cpu (it counts it in percpu->ipi_pings). */
void smp_ping(unsigned int cpu);
void smp_init_ipis(void);

#endif
