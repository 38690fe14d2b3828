/* Host-test shim for timers: settable clock, per-thread CPU, recorded softirqs and programming. */
#include <keel/arch.h>
#include <keel/limits.h>
#include <keel/softirq.h>
#include <keel/time.h>
#include <keel/timer.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

u64 shim_core_now;
_Thread_local unsigned int shim_core_cpu;
unsigned int shim_core_softirq_local[MAX_CPUS][2];
unsigned int shim_core_softirq_remote[MAX_CPUS][2];
u64 shim_core_progs[SHIM_CORE_MAX_PROGS];
unsigned int shim_core_nr_progs;

void shim_core_timer_reset(void)
{
	shim_core_now = 0;
	shim_core_cpu = 0;
	memset(shim_core_softirq_local, 0, sizeof(shim_core_softirq_local));
	memset(shim_core_softirq_remote, 0, sizeof(shim_core_softirq_remote));
	shim_core_nr_progs = 0;
}

u64 shim_core_last_prog(void)
{
	assert_true(shim_core_nr_progs > 0);
	return shim_core_progs[(shim_core_nr_progs - 1) % SHIM_CORE_MAX_PROGS];
}

u64 now_ns(void)
{
	return __atomic_load_n(&shim_core_now, __ATOMIC_SEQ_CST);
}

/* Busy-waiting moves the simulated clock on, so that time-bounded waits end or warn. */
void udelay(u64 us)
{
	__atomic_fetch_add(&shim_core_now, us * 1000, __ATOMIC_SEQ_CST);
}

unsigned int arch_cpu_id(void)
{
	return shim_core_cpu;
}

void softirq_raise(enum softirq s)
{
	assert_true((unsigned int)s < 2 && shim_core_cpu < MAX_CPUS);
	shim_core_softirq_local[shim_core_cpu][s]++;
}

void softirq_raise_on(unsigned int cpu, enum softirq s)
{
	assert_true((unsigned int)s < 2 && cpu < MAX_CPUS);
	shim_core_softirq_remote[cpu][s]++;
}

void arch_timer_program(u64 deadline_ns)
{
	shim_core_progs[shim_core_nr_progs % SHIM_CORE_MAX_PROGS] = deadline_ns;
	shim_core_nr_progs++;
}
