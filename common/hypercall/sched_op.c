/* sched_op: yield, block until an event, poll ports, and shutdown with its reasons. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>
#include <public/sched.h>

#include "handlers.h"

/*
 * SHUTDOWN_suspend is refused with -EINVAL: Keel cannot save a domain, and Linux takes a failed
 * suspend as cancelled and runs on. The others end the domain (common/domain_end.c): poweroff
 * per on_poweroff, reboot and soft_reset per on_reboot, crash and watchdog per on_crash.
 */
static long shutdown(struct vcpu *v, u64 arg, bool code_only)
{
	struct sched_shutdown s;

	if (copy_from_guest(v, &s, arg, sizeof(s)))
		return -EFAULT;
	if (s.reason > SHUTDOWN_soft_reset || s.reason == SHUTDOWN_suspend)
		return -EINVAL;
	if (code_only) {
		/* SCHEDOP_shutdown_code: the reason any later shutdown of the domain reports. */
		__atomic_store_n(&v->domain->pv.shutdown_code, s.reason + 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	domain_shutdown(v->domain, s.reason);
	return 0;
}

static long poll(struct vcpu *v, u64 arg)
{
	struct sched_poll p;

	if (copy_from_guest(v, &p, arg, sizeof(p)))
		return -EFAULT;
	return sched_poll(v, &p);
}

long do_sched_op(struct vcpu *v, const u64 *args)
{
	switch (args[0]) {
	case SCHEDOP_yield:
		v->yielded = true;
		v->need_resched = true;
		return 0;
	case SCHEDOP_block:
		/* Wakes when an event is flagged for it, whatever EFLAGS.IF (it is left as it is). */
		sched_poll_end(v);
		vcpu_block(v);
		return 0;
	case SCHEDOP_shutdown:
		return shutdown(v, args[1], false);
	case SCHEDOP_shutdown_code:
		return shutdown(v, args[1], true);
	case SCHEDOP_poll:
		return poll(v, args[1]);
	default:
		return -ENOSYS; /* remote_shutdown (dom0's toolstack), watchdog: not yet */
	}
}
