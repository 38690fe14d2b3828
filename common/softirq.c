/* Softirqs: per-CPU flags raised in interrupt context (or by other CPUs), run from the CPU loop. */
#include <keel/arch.h>
#include <keel/arch_vcpu.h>
#include <keel/limits.h>
#include <keel/softirq.h>
#include <keel/timer.h>

static volatile unsigned long pending[MAX_CPUS];

void softirq_raise(enum softirq s)
{
	__atomic_fetch_or(&pending[arch_cpu_id()], 1UL << s, __ATOMIC_SEQ_CST);
}

void softirq_raise_on(unsigned int cpu, enum softirq s)
{
	if (cpu >= MAX_CPUS)
		return;
	__atomic_fetch_or(&pending[cpu], 1UL << s, __ATOMIC_SEQ_CST);
	if (cpu != arch_cpu_id())
		arch_kick_cpu(cpu);
}

bool softirq_pending(void)
{
	return __atomic_load_n(&pending[arch_cpu_id()], __ATOMIC_SEQ_CST);
}

/* Clear @s on this CPU; was it raised? */
static bool take(enum softirq s)
{
	return __atomic_fetch_and(&pending[arch_cpu_id()], ~(1UL << s), __ATOMIC_SEQ_CST) &
	       (1UL << s);
}

void softirq_run(void)
{
	if (take(SOFTIRQ_TIMER))
		timer_run_expired();
	if (take(SOFTIRQ_DEVICE_IRQ))
		arch_device_irqs_run();
}

bool softirq_take_schedule(void)
{
	return take(SOFTIRQ_SCHEDULE);
}
