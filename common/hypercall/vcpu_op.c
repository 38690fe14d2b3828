/* vcpu_op: starting and stopping vCPUs, their timers, and the areas a guest registers for them. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>
#include <public/vcpu.h>

#include "handlers.h"

static long initialise(struct vcpu *v, struct vcpu *target, u64 arg)
{
	struct vcpu_start_context c;

	if (copy_from_guest(v, &c, arg, sizeof(c)))
		return -EFAULT;
	return vcpu_initialise_pvh(target, c.entry_eip, c.ebx);
}

static long set_singleshot(struct vcpu *v, u64 arg)
{
	struct vcpu_set_singleshot_timer t;

	if (copy_from_guest(v, &t, arg, sizeof(t)))
		return -EFAULT;
	return vcpu_set_singleshot(v, t.timeout_abs_ns, t.flags);
}

static long set_periodic(struct vcpu *v, struct vcpu *target, u64 arg)
{
	struct vcpu_set_periodic_timer t;

	if (copy_from_guest(v, &t, arg, sizeof(t)))
		return -EFAULT;
	return vcpu_set_periodic(target, t.period_ns);
}

static long register_info(struct vcpu *v, struct vcpu *target, u64 arg)
{
	struct vcpu_register_vcpu_info r;

	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return -EFAULT;
	return vcpu_register_info(target, r.gfn, r.offset);
}

/* Both area registrations carry one guest virtual address. */
static long register_area(struct vcpu *v, struct vcpu *target, u64 arg, bool runstate)
{
	u64 gva;

	if (copy_from_guest(v, &gva, arg, sizeof(gva)))
		return -EFAULT;
	return runstate ? vcpu_register_runstate_area(v, target, gva)
			: vcpu_register_time_area(v, target, gva);
}

static long get_runstate(struct vcpu *v, struct vcpu *target, u64 arg)
{
	struct runstate_info r;

	runstate_get(target, &r);
	return copy_to_guest(v, arg, &r, sizeof(r)) ? -EFAULT : 0;
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
		return vcpu_up_after_down(target) ? 0 : vcpu_up(target);
	case VCPUOP_down:
		return vcpu_down_op(target);
	case VCPUOP_is_up:
		return vcpu_is_up(target) && !vcpu_is_down_by_op(target);
	case VCPUOP_get_runstate_info:
		return get_runstate(v, target, arg);
	case VCPUOP_register_runstate_memory_area:
		return register_area(v, target, arg, true);
	case VCPUOP_set_periodic_timer:
		return set_periodic(v, target, arg);
	case VCPUOP_stop_periodic_timer:
		vcpu_stop_periodic(target);
		return 0;
	case VCPUOP_set_singleshot_timer:
		return target == v ? set_singleshot(v, arg) : -EINVAL;
	case VCPUOP_stop_singleshot_timer:
		if (target != v)
			return -EINVAL;
		vcpu_stop_singleshot(v);
		return 0;
	case VCPUOP_register_vcpu_info:
		return register_info(v, target, arg);
	case VCPUOP_register_vcpu_time_memory_area:
		return register_area(v, target, arg, false);
	default:
		return -ENOSYS; /* send_nmi, get_physid */
	}
}
