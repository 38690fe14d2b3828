/* A vCPU's guest timers: singleshot and periodic (both raise VIRQ_TIMER), and the poll timeout. */
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/vcpu.h>

/* Periods Keel accepts (as Xen: at least 1 ms; at most 2^62 ns, so deadlines never wrap). */
#define PERIOD_MIN_NS 1000000ULL
#define PERIOD_MAX_NS (1ULL << 62)

/*
 * The callbacks run from the CPU loop (not irq_safe: raising an event may wake a vCPU) and only
 * set event bits and wake; every stop is made with nothing held, so timer_stop() may wait.
 */
static void singleshot_fired(struct timer *t)
{
	struct vcpu *v = container_of(t, struct vcpu, singleshot);
	u64 fired = READ_ONCE(v->singleshot_deadline);

	/*
	 * Raised before it counts as disarmed, so a HLT in between sees the event rather than "no
	 * timer"; and only this deadline is cleared, not one the guest set meanwhile.
	 */
	evtchn_send_virq(v, VIRQ_TIMER);
	__atomic_compare_exchange_n(&v->singleshot_deadline, &fired, 0, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
}

static void periodic_fired(struct timer *t)
{
	struct vcpu *v = container_of(t, struct vcpu, pv.periodic);
	u64 period = READ_ONCE(v->pv.period_ns), now = now_ns(), next;

	if (!period)
		return; /* stopped while it fired */
	evtchn_send_virq(v, VIRQ_TIMER);
	/* Ticks missed while the CPU was busy are dropped, not fired in a burst. */
	next = v->pv.periodic_next + period;
	if (next <= now)
		next = now + period;
	v->pv.periodic_next = next;
	timer_set(t, next, arch_cpu_id());
}

static void poll_timed_out(struct timer *t)
{
	struct vcpu *v = container_of(t, struct vcpu, pv.poll_timer);

	if (READ_ONCE(v->pv.polling))
		vcpu_kick(v);
}

void vcpu_timers_init(struct vcpu *v)
{
	timer_init(&v->singleshot, singleshot_fired);
	timer_init(&v->pv.periodic, periodic_fired);
	timer_init(&v->pv.poll_timer, poll_timed_out);
}

/* Before @v is freed: each stop waits if its callback runs on another CPU. */
void vcpu_timers_stop(struct vcpu *v)
{
	WRITE_ONCE(v->pv.period_ns, 0);
	timer_stop(&v->singleshot);
	timer_stop(&v->pv.periodic);
	timer_stop(&v->pv.poll_timer);
}

/*
 * VCPUOP_set_singleshot_timer: fire once at @deadline_ns (system time). With
 * VCPU_SSHOTTMR_future a deadline already passed is refused with -ETIME and the timer is left as
 * it was; without it the call succeeds and the timer fires at once (Linux BUGs otherwise).
 */
int vcpu_set_singleshot(struct vcpu *v, u64 deadline_ns, u32 flags)
{
	if ((flags & VCPU_SSHOTTMR_future) && deadline_ns < now_ns())
		return -ETIME;
	WRITE_ONCE(v->singleshot_deadline, deadline_ns ? deadline_ns : 1);
	/* The timer's deadline 0 means inactive: a deadline of 0 is "now" (1 ns). */
	timer_set(&v->singleshot, deadline_ns ? deadline_ns : 1, arch_cpu_id());
	return 0;
}

void vcpu_stop_singleshot(struct vcpu *v)
{
	timer_stop(&v->singleshot);
	WRITE_ONCE(v->singleshot_deadline, 0);
}

void vcpu_stop_periodic(struct vcpu *v)
{
	WRITE_ONCE(v->pv.period_ns, 0);
	timer_stop(&v->pv.periodic);
}

/* VCPUOP_set_periodic_timer: VIRQ_TIMER every @period_ns from now on (replaces an older one). */
int vcpu_set_periodic(struct vcpu *v, u64 period_ns)
{
	if (period_ns < PERIOD_MIN_NS || period_ns > PERIOD_MAX_NS)
		return -EINVAL;
	/* Stopped first, so that a callback running elsewhere cannot re-arm the old period. */
	vcpu_stop_periodic(v);
	v->pv.periodic_next = now_ns() + period_ns;
	WRITE_ONCE(v->pv.period_ns, period_ns);
	timer_set(&v->pv.periodic, v->pv.periodic_next, arch_cpu_id());
	return 0;
}

bool vcpu_timer_armed(const struct vcpu *v)
{
	return READ_ONCE(v->singleshot_deadline) || READ_ONCE(v->pv.period_ns);
}
