/* A vCPU's runstate (running, runnable, blocked, offline and the time in each), kept at every switch. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/shared_info.h>

/*
 * Keel's copy in v->pv.runstate changes under runstate_lock (a leaf lock: nothing is taken inside
 * it), from the vCPU's CPU when it is scheduled in and out and from any CPU that wakes it. Times
 * are now_ns(), the guest's system time; a state is charged only forward in time.
 */

void runstate_init(struct vcpu *v, u64 now)
{
	v->pv.runstate_lock = (spinlock_t)SPINLOCK_INIT;
	v->pv.runstate = (struct runstate_info){.state = RUNSTATE_offline, .state_entry_time = now};
	v->pv.runstate_area = NULL;
}

/*
 * Copy Keel's record to the guest's area. With VMASST_TYPE_runstate_update_flag the guest sees
 * XEN_RUNSTATE_UPDATE in state_entry_time for as long as the other fields change: set before
 * them, cleared after them (x86 keeps stores in order; the fences keep the compiler from moving
 * them). Without it a reader can only compare state_entry_time before and after.
 */
static void publish_locked(struct vcpu *v)
{
	volatile struct runstate_info *g = v->pv.runstate_area;
	const struct runstate_info *r = &v->pv.runstate;
	bool flag = READ_ONCE(v->domain->pv.vm_assist) & (1ULL << VMASST_TYPE_runstate_update_flag);

	if (!g)
		return;
	if (flag) {
		g->state_entry_time = r->state_entry_time | RUNSTATE_UPDATE;
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	g->state = r->state;
	for (unsigned int i = 0; i < 4; i++)
		g->time[i] = r->time[i];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	g->state_entry_time = r->state_entry_time;
}

/* Enter @state at @now (lock held): charge the time since the last change to the old state. */
static void change_locked(struct vcpu *v, int state, u64 now)
{
	struct runstate_info *r = &v->pv.runstate;

	if (r->state == state)
		return;
	if (now > r->state_entry_time) {
		r->time[r->state & 3] += now - r->state_entry_time;
		r->state_entry_time = now;
	}
	r->state = state;
	publish_locked(v);
}

static void change(struct vcpu *v, int state, u64 now)
{
	unsigned long flags = spin_lock_irqsave(&v->pv.runstate_lock);

	change_locked(v, state, now);
	spin_unlock_irqrestore(&v->pv.runstate_lock, flags);
}

void runstate_sched_in(struct vcpu *v, u64 now)
{
	change(v, RUNSTATE_running, now);
}

/*
 * Whether it blocked is read under the lock, so that a wake on another CPU (which clears
 * v->blocked before taking the lock) either comes after and finds it blocked, or came before
 * and is seen here.
 */
void runstate_sched_out(struct vcpu *v, u64 now)
{
	unsigned long flags = spin_lock_irqsave(&v->pv.runstate_lock);
	int state = RUNSTATE_runnable;

	if (READ_ONCE(v->blocked))
		state = RUNSTATE_blocked;
	else if (READ_ONCE(v->pause_count) || READ_ONCE(v->pv.down))
		state = RUNSTATE_offline;
	change_locked(v, state, now);
	spin_unlock_irqrestore(&v->pv.runstate_lock, flags);
}

void runstate_wake(struct vcpu *v, u64 now)
{
	unsigned long flags = spin_lock_irqsave(&v->pv.runstate_lock);

	/* Running (it woke before it left its CPU) or runnable already: nothing changes. */
	if (v->pv.runstate.state == RUNSTATE_blocked || v->pv.runstate.state == RUNSTATE_offline)
		change_locked(v, RUNSTATE_runnable, now);
	spin_unlock_irqrestore(&v->pv.runstate_lock, flags);
}

void runstate_get(struct vcpu *v, struct runstate_info *out)
{
	unsigned long flags = spin_lock_irqsave(&v->pv.runstate_lock);

	*out = v->pv.runstate;
	spin_unlock_irqrestore(&v->pv.runstate_lock, flags);
}

void runstate_publish(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&v->pv.runstate_lock);

	publish_locked(v);
	spin_unlock_irqrestore(&v->pv.runstate_lock, flags);
}
