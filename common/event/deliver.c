/* Event channels: raising events (send, VIRQs) and unmasking, through the domain's delivery ABI. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>

#include "evtchn_internal.h"

/*
 * send, unmask and bind_vcpu read the port table under d->lock, so that a close on another vCPU
 * cannot change a port half-way (lock order: d->lock, then the scheduler's).
 */
int evtchn_send(struct domain *d, u32 port)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);
	int rc = -EINVAL;

	/* VIRQ ports are raised by Keel, not sent. */
	if (evtchn_port_bound(d, port) && d->evtchn.ports[port].state == EVTCHN_IPI) {
		evtchn_abi_of(d)->set_pending(d, d->vcpus[d->evtchn.ports[port].vcpu], port);
		rc = 0;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

int evtchn_unmask(struct domain *d, u32 port)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);
	int rc = -EINVAL;

	if (evtchn_port_bound(d, port)) {
		evtchn_abi_of(d)->unmask(d, d->vcpus[d->evtchn.ports[port].vcpu], port);
		rc = 0;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
	struct domain *d = v->domain;
	int port = virq == VIRQ_TIMER ? v->virq_timer_port : 0;

	if (port > 0)
		evtchn_abi_of(d)->set_pending(d, v, (u32)port);
}
