/* vCPU lifecycle and blocking: create, start at the PVH entry, pause, block until an event, kick. */
#include <keel/arch.h>
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/limits.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vcpu.h>

static struct vcpu *current_on[MAX_CPUS];

struct vcpu *current_vcpu(void)
{
	return current_on[arch_cpu_id()];
}
void vcpu_set_current(struct vcpu *v)
{
	current_on[arch_cpu_id()] = v;
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
	struct vcpu *v = kzalloc(sizeof(*v));

	if (!v)
		return NULL;
	v->id = id;
	v->domain = d;
	v->pause_count = 1;	    /* not started */
	vcpu_timers_init(v);	    /* common/vcpu_timer.c */
	runstate_init(v, now_ns()); /* common/runstate.c */
	sched_unit_init(&v->sched, v, SCHED_DEFAULT_WEIGHT, 0, ~0ULL);
	snprintf(v->sched.label, sizeof(v->sched.label), "d%uv%u", d->id, id);
	if (arch_vcpu_init(v)) {
		kfree(v);
		return NULL;
	}
	if (sched_insert(&v->sched)) {
		arch_vcpu_destroy(v);
		kfree(v);
		return NULL;
	}
	return v;
}

/* Free @v: no CPU may hold it (domain_reap() removed it from the scheduler and waited). */
void vcpu_destroy(struct vcpu *v)
{
	sched_remove(&v->sched);
	BUG_ON(sched_unit_held(&v->sched) || v->running);
	vcpu_timers_stop(v); /* waits if a callback runs on another CPU */
	arch_vcpu_destroy(v);
	kfree(v);
}

/* Move @v's start state from @from to @to; false if another caller got there first. */
static bool start_claim(struct vcpu *v, enum vcpu_start_state from, enum vcpu_start_state to)
{
	enum vcpu_start_state expected = from;

	return __atomic_compare_exchange_n(&v->start_state, &expected, to, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

bool vcpu_is_up(const struct vcpu *v)
{
	return __atomic_load_n(&v->start_state, __ATOMIC_SEQ_CST) == VCPU_UP;
}

int vcpu_initialise_pvh(struct vcpu *v, u32 entry, u32 ebx)
{
	if (!start_claim(v, VCPU_DOWN, VCPU_INITIALISING))
		return -EEXIST; /* each vCPU is initialised once */
	v->start_entry = entry;
	v->start_ebx = ebx;
	__atomic_store_n(&v->start_state, VCPU_INITIALISED, __ATOMIC_SEQ_CST);
	return 0;
}

int vcpu_up(struct vcpu *v)
{
	enum vcpu_start_state now;

	if (start_claim(v, VCPU_INITIALISED, VCPU_STARTING)) {
		/*
		 * Only the claimer edits @v's state, and @v has never run: a vCPU is woken only
		 * once it is UP, so no CPU can have been handed it.
		 */
		BUG_ON(sched_unit_held(&v->sched) || v->running);
		arch_vcpu_set_pvh_entry(v, v->start_entry, v->start_ebx);
		__atomic_store_n(&v->start_state, VCPU_UP, __ATOMIC_SEQ_CST);
		vcpu_unpause_wake(v); /* runs now if its domain is not paused */
		return 0;
	}
	now = __atomic_load_n(&v->start_state, __ATOMIC_SEQ_CST);
	if (now == VCPU_UP)
		return 0;
	return now == VCPU_STARTING ? -EBUSY : -EINVAL;
}

int vcpu_start_sipi(struct vcpu *v, u8 vector)
{
	/* A SIPI claims a vCPU that is down, or initialised but not yet up, like VCPUOP_up. */
	if (!start_claim(v, VCPU_DOWN, VCPU_STARTING) &&
	    !start_claim(v, VCPU_INITIALISED, VCPU_STARTING))
		return -EBUSY;
	BUG_ON(sched_unit_held(&v->sched) || v->running); /* never run: see vcpu_up() */
	arch_vcpu_set_sipi_entry(v, vector);
	__atomic_store_n(&v->start_state, VCPU_UP, __ATOMIC_SEQ_CST);
	vcpu_unpause_wake(v);
	return 0;
}

int vcpu_start_pvh(struct vcpu *v, u32 entry, u32 ebx)
{
	int rc = vcpu_initialise_pvh(v, entry, ebx);

	return rc ? rc : vcpu_up(v);
}

bool vcpu_log_once(struct vcpu *v, enum vcpu_log_once what)
{
	return !(__atomic_fetch_or(&v->logged_once, (u32)what, __ATOMIC_RELAXED) & (u32)what);
}

/* Wait until @v is off every CPU (it was told to leave). */
/*
 * Waiting is measured in time: a CPU that takes over a second to leave guest mode (it has
 * interrupts off in Keel, or is slow) is logged once, not a panic; the wait goes on, since
 * the caller may only touch the vCPU once it is off every CPU.
 */
#define DESCHEDULE_WARN_NS 1000000000ULL

static void wait_descheduled(struct vcpu *v)
{
	u64 start = now_ns();
	bool warned = false;

	if (v == current_vcpu())
		return;
	while (READ_ONCE(v->running)) {
		arch_kick_cpu(v->processor);
		udelay(10);
		if (!warned && now_ns() - start > DESCHEDULE_WARN_NS) {
			pr_warn(
			    "vcpu: d%u vCPU %u has not left CPU %u after %llu ms; still waiting",
			    v->domain->id, v->id, v->processor, DESCHEDULE_WARN_NS / 1000000);
			warned = true;
		}
	}
}

void vcpu_pause_nosync(struct vcpu *v)
{
	if (__atomic_add_fetch(&v->pause_count, 1, __ATOMIC_SEQ_CST) == 1) {
		sched_sleep(&v->sched, now_ns());
		v->need_resched = true;
		if (v->running)
			arch_kick_cpu(v->processor);
	}
}

void vcpu_pause(struct vcpu *v)
{
	vcpu_pause_nosync(v);
	wait_descheduled(v);
}

void vcpu_unpause(struct vcpu *v)
{
	BUG_ON(!v->pause_count);
	if (__atomic_sub_fetch(&v->pause_count, 1, __ATOMIC_SEQ_CST) == 0 && !v->blocked)
		vcpu_unpause_wake(v);
}

enum vcpu_leave vcpu_leave_reason(const struct vcpu *v)
{
	const struct domain *d = v->domain;

	if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED || d->state == DOMAIN_DEAD ||
	    d->life.dying)
		return VCPU_LEAVE_DEAD;
	if (READ_ONCE(v->blocked))
		return VCPU_LEAVE_BLOCKED;
	if (v->need_resched || READ_ONCE(v->pause_count))
		return VCPU_LEAVE_RESCHED;
	return VCPU_STAY;
}

bool vcpu_event_pending(const struct vcpu *v)
{
	return vcpu_upcall_pending(v) || arch_vcpu_irq_pending(v);
}

bool vcpu_upcall_pending(const struct vcpu *v)
{
	return v->vcpu_info && READ_ONCE(v->vcpu_info->upcall_pending);
}

void vcpu_block(struct vcpu *v)
{
	WRITE_ONCE(v->blocked, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* An event that raced with us wins: do not sleep through it. */
	if (vcpu_event_pending(v) && __atomic_exchange_n(&v->blocked, false, __ATOMIC_SEQ_CST))
		return;
	sched_sleep(&v->sched, now_ns());
	/* A kick between setting the flag and sched_sleep() found us not yet asleep: recheck. */
	if (!READ_ONCE(v->blocked))
		vcpu_unpause_wake(v);
}

/* Put a no-longer-blocked vCPU back on a run queue if nothing else holds it. */
void vcpu_unpause_wake(struct vcpu *v)
{
	int cpu;

	if (v->pause_count || !vcpu_is_up(v))
		return;
	runstate_wake(v, now_ns()); /* common/runstate.c */
	vcpu_down_woken(v);	    /* common/vcpu_down.c: not halted for good after all */
	cpu = sched_wake(&v->sched, now_ns());
	if (cpu >= 0)
		softirq_raise_on((unsigned int)cpu, SOFTIRQ_SCHEDULE);
}

void vcpu_kick(struct vcpu *v)
{
	if (__atomic_exchange_n(&v->blocked, false, __ATOMIC_SEQ_CST)) {
		vcpu_unpause_wake(v);
		return;
	}
	/* Running elsewhere: make it leave guest mode so the upcall is injected promptly. */
	if (READ_ONCE(v->running) && v->processor != arch_cpu_id())
		arch_kick_cpu(v->processor);
}
