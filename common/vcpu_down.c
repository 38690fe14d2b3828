/* vCPUs that are down (halted for good, VCPUOP_down), and a domain whose every vCPU is down powers off. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/sched.h>

/*
 * Linux without ACPI _S5 powers off by halting every CPU with interrupts off, and a CPU it takes
 * offline does the same: as on hardware, nothing wakes such a CPU but an NMI or INIT, and Keel
 * gives a PVH domU neither. So once every started vCPU of a domain is down, the domain is done:
 * Keel shuts it down as SHUTDOWN_poweroff (per its on_poweroff). One vCPU going down while others
 * run changes nothing. A vCPU that is STARTING (VCPUOP_up under way) counts as running; one never
 * started does not count. Each vCPU that goes down checks all the others after marking itself,
 * so of two going down together at least the later one sees both.
 */

static void check_all_down(struct domain *d)
{
	bool any = false;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		const struct vcpu *w = d->vcpus[i];
		enum vcpu_start_state s = __atomic_load_n(&w->start_state, __ATOMIC_SEQ_CST);

		if (s == VCPU_STARTING)
			return;
		if (s != VCPU_UP)
			continue;
		if (!__atomic_load_n(&w->pv.down, __ATOMIC_SEQ_CST))
			return;
		any = true;
	}
	if (!any || __atomic_exchange_n(&d->pv.all_down, true, __ATOMIC_SEQ_CST))
		return;
	pr_info(
	    "domain: d%u '%s': every vCPU is down (halted with interrupts off, or VCPUOP_down): "
	    "it is powered off",
	    d->id, d->name);
	domain_shutdown(d, SHUTDOWN_poweroff);
}

/*
 * Can nothing end a HLT with interrupts off? With a callback vector an event needs IF = 1 to be
 * delivered, so no event can. Without one Keel ends such a HLT when an event is flagged
 * (upcall_pending: guests that wait for events without interrupts); it is final only when no
 * timer of the vCPU's own is armed to flag one.
 */
static bool halt_is_final(const struct vcpu *v)
{
	return v->upcall_vector || !vcpu_timer_armed(v);
}

enum vcpu_leave vcpu_halt(struct vcpu *v, bool irqs_on)
{
	bool final = !irqs_on && halt_is_final(v);

	sched_poll_end(v);
	if (!final || !v->upcall_vector) {
		if (vcpu_event_pending(v))
			return VCPU_STAY;
	}
	if (!final) {
		/*
		 * HLT with interrupts off and no callback vector: only an event-channel kick wakes it.
		 * A guest can do this in a loop: say so once per vCPU, not per HLT.
		 */
		if (!irqs_on && vcpu_log_once(v, VCPU_LOG_HLT_NO_IRQ))
			pr_info(
			    "vcpu: d%u vCPU %u halted with interrupts disabled (logged once per vCPU)",
			    v->domain->id, v->id);
		vcpu_block(v);
		return VCPU_LEAVE_BLOCKED;
	}
	/*
	 * Down: marked before it blocks, so a wake (which clears the mark) cannot be overtaken. It
	 * still blocks rather than pauses: an event that does kick it brings it back, not down.
	 */
	{
		u8 up = VCPU_NOT_DOWN; /* one taken down by VCPUOP_down stays that */

		__atomic_compare_exchange_n(&v->pv.down, &up, VCPU_DOWN_HALTED, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	WRITE_ONCE(v->blocked, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!v->upcall_vector && vcpu_event_pending(v) &&
	    __atomic_exchange_n(&v->blocked, false, __ATOMIC_SEQ_CST)) {
		vcpu_down_woken(v);
		return VCPU_STAY;
	}
	sched_sleep(&v->sched, now_ns());
	if (!READ_ONCE(v->blocked))
		vcpu_unpause_wake(v);
	check_all_down(v->domain);
	return vcpu_leave_reason(v);
}

void vcpu_down_woken(struct vcpu *v)
{
	u8 halted = VCPU_DOWN_HALTED;

	__atomic_compare_exchange_n(&v->pv.down, &halted, VCPU_NOT_DOWN, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
}

/* VCPUOP_down: @target stays paused until VCPUOP_up; it counts as down. */
int vcpu_down_op(struct vcpu *target)
{
	if (!vcpu_is_up(target))
		return 0; /* never started: down already */
	if (__atomic_exchange_n(&target->pv.down, VCPU_DOWN_OP, __ATOMIC_SEQ_CST) != VCPU_DOWN_OP)
		vcpu_pause_nosync(target);
	check_all_down(target->domain);
	return 0;
}

/* VCPUOP_up of a vCPU taken down with VCPUOP_down: true if it was (and now runs again). */
bool vcpu_up_after_down(struct vcpu *target)
{
	u8 op = VCPU_DOWN_OP;

	if (!__atomic_compare_exchange_n(&target->pv.down, &op, VCPU_NOT_DOWN, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return false;
	vcpu_unpause(target);
	return true;
}

bool vcpu_is_down_by_op(const struct vcpu *v)
{
	return __atomic_load_n(&v->pv.down, __ATOMIC_SEQ_CST) == VCPU_DOWN_OP;
}
