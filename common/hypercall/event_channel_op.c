/* event_channel_op: the guest's calls on its event channels, arguments copied and checked. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>

#include "handlers.h"

long do_event_channel_op(struct vcpu *v, const u64 *args)
{
	struct domain *d = v->domain;
	u64 cmd = args[0], arg = args[1];
	int rc;

	switch (cmd) {
	case EVTCHNOP_bind_virq: {
		struct evtchn_bind_virq b;

		if (copy_from_guest(v, &b, arg, sizeof(b)))
			return -EFAULT;
		rc = evtchn_bind_virq(d, b.virq, b.vcpu, &b.port);
		if (!rc && copy_to_guest(v, arg, &b, sizeof(b)))
			return -EFAULT;
		return rc;
	}
	case EVTCHNOP_bind_ipi: {
		struct evtchn_bind_ipi b;

		if (copy_from_guest(v, &b, arg, sizeof(b)))
			return -EFAULT;
		rc = evtchn_bind_ipi(d, b.vcpu, &b.port);
		if (!rc && copy_to_guest(v, arg, &b, sizeof(b)))
			return -EFAULT;
		return rc;
	}
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask: {
		struct evtchn_port_arg p;

		if (copy_from_guest(v, &p, arg, sizeof(p)))
			return -EFAULT;
		if (cmd == EVTCHNOP_close)
			return evtchn_close(d, p.port);
		return cmd == EVTCHNOP_send ? evtchn_send(d, p.port) : evtchn_unmask(d, p.port);
	}
	case EVTCHNOP_bind_vcpu: {
		struct evtchn_bind_vcpu b;

		if (copy_from_guest(v, &b, arg, sizeof(b)))
			return -EFAULT;
		return evtchn_bind_vcpu(d, b.port, b.vcpu);
	}
	case EVTCHNOP_alloc_unbound: {
		struct evtchn_alloc_unbound a;

		if (copy_from_guest(v, &a, arg, sizeof(a)))
			return -EFAULT;
		rc = evtchn_alloc_unbound(d, a.dom, a.remote_dom, &a.port);
		if (!rc && copy_to_guest(v, arg, &a, sizeof(a)))
			return -EFAULT;
		return rc;
	}
	case EVTCHNOP_bind_interdomain: {
		struct evtchn_bind_interdomain b;

		if (copy_from_guest(v, &b, arg, sizeof(b)))
			return -EFAULT;
		rc = evtchn_bind_interdomain(d, b.remote_dom, b.remote_port, &b.local_port);
		if (!rc && copy_to_guest(v, arg, &b, sizeof(b)))
			return -EFAULT;
		return rc;
	}
	case EVTCHNOP_status: {
		struct evtchn_status st;

		if (copy_from_guest(v, &st, arg, sizeof(st)))
			return -EFAULT;
		rc = evtchn_status(d, &st);
		if (!rc && copy_to_guest(v, arg, &st, sizeof(st)))
			return -EFAULT;
		return rc;
	}
	case EVTCHNOP_reset: {
		struct evtchn_reset r;

		if (copy_from_guest(v, &r, arg, sizeof(r)))
			return -EFAULT;
		return evtchn_reset(d, r.dom);
	}
	case EVTCHNOP_init_control: {
		struct evtchn_init_control c;

		if (copy_from_guest(v, &c, arg, sizeof(c)))
			return -EFAULT;
		rc = evtchn_fifo_init_control(d, c.control_gfn, c.offset, c.vcpu);
		c.link_bits = EVTCHN_FIFO_LINK_BITS;
		if (!rc && copy_to_guest(v, arg, &c, sizeof(c)))
			return -EFAULT;
		return rc;
	}
	case EVTCHNOP_expand_array: {
		struct evtchn_expand_array e;

		if (copy_from_guest(v, &e, arg, sizeof(e)))
			return -EFAULT;
		return evtchn_fifo_expand_array(d, e.array_gfn);
	}
	case EVTCHNOP_set_priority: {
		struct evtchn_set_priority p;

		if (copy_from_guest(v, &p, arg, sizeof(p)))
			return -EFAULT;
		return evtchn_fifo_set_priority(d, p.port, p.priority);
	}
	default:
		return -ENOSYS; /* PIRQs: not offered */
	}
}
