/* sched_op: yield, block until an event, and shutdown (poweroff, reboot, crash). */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>
#include <public/sched.h>

#include "handlers.h"

long do_sched_op(struct vcpu *v, const u64 *args)
{
	switch (args[0]) {
	case SCHEDOP_yield:
		v->yielded = true;
		v->need_resched = true;
		return 0;
	case SCHEDOP_block:
		vcpu_block(v);
		return 0;
	case SCHEDOP_shutdown: {
		struct sched_shutdown s;

		if (copy_from_guest(v, &s, args[1], sizeof(s)))
			return -EFAULT;
		if (s.reason > SHUTDOWN_soft_reset)
			return -EINVAL;
		domain_shutdown(v->domain, s.reason);
		return 0;
	}
	default:
		return -ENOSYS; /* poll, remote_shutdown, watchdog: not yet */
	}
}
