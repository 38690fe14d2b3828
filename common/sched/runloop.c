/* The per-CPU loop: run softirqs, ask the scheduler, run the chosen vCPU, idle when none. */
#include <keel/arch.h>
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/limits.h>
#include <keel/pvclock.h>
#include <keel/runloop.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>

volatile bool runloop_started;

/* Wakes an idle CPU when a capped unit's next budget period starts. */
static struct timer recheck[MAX_CPUS];

static void recheck_fn(struct timer *t)
{
	softirq_raise(SOFTIRQ_SCHEDULE);
}

static void idle(void)
{
	__asm__ __volatile__("cli");
	if (softirq_pending())
		__asm__ __volatile__("sti");
	else
		__asm__ __volatile__("sti; hlt" ::: "memory");
}

/*
 * Run @v, which schedule() handed to this CPU, then release it; returns whether it yielded. While
 * held, @v and its domain cannot be freed (domain_reap() waits); once released they may be freed
 * at any moment, so nothing after sched_release() touches them.
 */
static bool run_one(struct vcpu *v, u64 slice_ns, unsigned int cpu)
{
	enum vcpu_leave why = VCPU_LEAVE_RESCHED;
	bool yielded, dying;

	v->processor = cpu;
	v->need_resched = false;
	WRITE_ONCE(v->running, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Paused after the scheduler picked it: do not enter the guest. */
	if (READ_ONCE(v->pause_count) == 0 && !v->domain->life.dying) {
		vcpu_set_current(v);
		runstate_sched_in(v, now_ns()); /* common/runstate.c */
		sched_poll_end(v);		/* common/sched/poll.c: a poll that woke is over */
		pvclock_update(v);
		why = arch_vcpu_run(v, slice_ns);
		runstate_sched_out(v, now_ns());
		vcpu_set_current(NULL);
		/* Console lines a flush left waiting go out in the domain's own time. */
		domain_console_try_flush(v->domain);
	}
	yielded = v->yielded;
	v->yielded = false;
	/* Its domain ended while it ran (or before): CPU 0 must reap it. */
	dying = why == VCPU_LEAVE_DEAD || v->domain->life.dying;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	WRITE_ONCE(v->running, false);
	sched_release(&v->sched);
	if (dying && cpu != 0)
		softirq_raise_on(0, SOFTIRQ_SCHEDULE); /* CPU 0 reaps */
	return yielded;
}

bool cpu_run_once(unsigned int cpu, bool yield)
{
	struct sched_decision d;

	softirq_run();
	softirq_take_schedule();
	if (cpu == 0)
		domain_reap();
	d = sched_schedule(cpu, now_ns(), yield);
	if (d.kick_cpu >= 0)
		softirq_raise_on((unsigned int)d.kick_cpu, SOFTIRQ_SCHEDULE);
	if (!d.next) {
		/* Only capped or depleted work left: come back when its budget is refilled. */
		if (d.slice_ns && d.slice_ns != SCHED_SLICE_NONE)
			timer_set(&recheck[cpu], now_ns() + d.slice_ns, cpu);
		idle();
		return false;
	}
	/* SCHED_SLICE_NONE goes through as it is: arch_vcpu_run arms no deadline for it. */
	return run_one(d.next->owner, d.slice_ns ? d.slice_ns : SCHED_DEFAULT_SLICE_NS, cpu);
}

void cpu_run_loop(void)
{
	unsigned int cpu = arch_cpu_id();
	bool yield = false;

	timer_init(&recheck[cpu], recheck_fn);
	recheck[cpu].irq_safe = true;
	for (;;)
		yield = cpu_run_once(cpu, yield);
}
