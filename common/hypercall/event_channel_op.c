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
		u32 b[2]; /* port, vcpu */

		if (copy_from_guest(v, b, arg, sizeof(b)))
			return -EFAULT;
		return evtchn_bind_vcpu(d, b[0], b[1]);
	}
	default:
		return -ENOSYS; /* FIFO ABI, interdomain channels: not yet */
	}
}
