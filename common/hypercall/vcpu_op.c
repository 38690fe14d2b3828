/* vcpu_op: one-shot timers, and starting secondary vCPUs with Keel's PVH start protocol. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/guest_access.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/vcpu.h>

#include "handlers.h"

static long set_singleshot(struct vcpu *v, u64 arg)
{
	struct vcpu_set_singleshot_timer t;

	if (copy_from_guest(v, &t, arg, sizeof(t)))
		return -EFAULT;
	if ((t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < now_ns())
		return -ETIME;
	v->singleshot_deadline = t.timeout_abs_ns;
	/* A deadline in the past fires at once (through the timer, on this CPU). */
	timer_set(&v->singleshot, t.timeout_abs_ns ? t.timeout_abs_ns : 1, arch_cpu_id());
	return 0;
}

static long initialise(struct vcpu *v, struct vcpu *target, u64 arg)
{
	struct vcpu_start_context c;

	if (copy_from_guest(v, &c, arg, sizeof(c)))
		return -EFAULT;
	return vcpu_initialise_pvh(target, c.entry_eip, c.ebx);
}

long do_vcpu_op(struct vcpu *v, const u64 *args)
{
	struct domain *d = v->domain;
	u64 cmd = args[0], id = args[1], arg = args[2];
	struct vcpu *target;

	if (id >= d->nr_vcpus || !d->vcpus[id])
		return -ENOENT;
	target = d->vcpus[id];
	switch (cmd) {
	case VCPUOP_initialise:
		return initialise(v, target, arg);
	case VCPUOP_up:
		return vcpu_up(target);
	case VCPUOP_is_up:
		return vcpu_is_up(target);
	case VCPUOP_stop_periodic_timer:
		return 0; /* Keel has no periodic guest timer to stop */
	case VCPUOP_set_singleshot_timer:
		return target == v ? set_singleshot(v, arg) : -EINVAL;
	case VCPUOP_stop_singleshot_timer:
		if (target != v)
			return -EINVAL;
		timer_stop(&v->singleshot);
		v->singleshot_deadline = 0;
		return 0;
	default:
		return -ENOSYS;
	}
}
