/* Event channels: a domain's port table (allocate, bind to VIRQs and IPIs, close, rebind). */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>

#include "evtchn_internal.h"

int evtchn_domain_init(struct domain *d)
{
	d->evtchn.ports = kzalloc(sizeof(struct evtchn) * EVTCHN_MAX_PORTS);
	if (!d->evtchn.ports)
		return -ENOMEM;
	d->evtchn.nr_ports = EVTCHN_MAX_PORTS;
	d->evtchn.ports[0].state = EVTCHN_RESERVED; /* port 0 is never valid */
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	kfree(d->evtchn.ports);
	d->evtchn.ports = NULL;
	d->evtchn.nr_ports = 0;
}

const struct evtchn_abi *evtchn_abi_of(const struct domain *d)
{
	return &evtchn_abi_2l;
}

bool evtchn_port_bound(const struct domain *d, u32 port)
{
	return port > 0 && port < d->evtchn.nr_ports &&
	       d->evtchn.ports[port].state != EVTCHN_FREE &&
	       d->evtchn.ports[port].state != EVTCHN_RESERVED;
}

static int alloc_port(struct domain *d, u32 *port)
{
	for (u32 p = 1; p < d->evtchn.nr_ports; p++) {
		if (d->evtchn.ports[p].state == EVTCHN_FREE) {
			*port = p;
			return 0;
		}
	}
	return -ENOSPC;
}

int evtchn_bind_virq(struct domain *d, u32 virq, u32 vcpu, u32 *port)
{
	unsigned long flags;
	int rc;

	if (virq >= NR_VIRQS || vcpu >= d->nr_vcpus || !d->vcpus[vcpu])
		return -EINVAL;
	flags = spin_lock_irqsave(&d->lock);
	for (u32 p = 1; p < d->evtchn.nr_ports; p++) {
		if (d->evtchn.ports[p].state == EVTCHN_VIRQ && d->evtchn.ports[p].virq == virq &&
		    d->evtchn.ports[p].vcpu == vcpu) {
			spin_unlock_irqrestore(&d->lock, flags);
			return -EEXIST;
		}
	}
	rc = alloc_port(d, port);
	if (!rc) {
		d->evtchn.ports[*port] = (struct evtchn){EVTCHN_VIRQ, (u8)virq, (u16)vcpu};
		if (virq == VIRQ_TIMER)
			d->vcpus[vcpu]->virq_timer_port = (int)*port;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

int evtchn_bind_ipi(struct domain *d, u32 vcpu, u32 *port)
{
	unsigned long flags;
	int rc;

	if (vcpu >= d->nr_vcpus || !d->vcpus[vcpu])
		return -EINVAL;
	flags = spin_lock_irqsave(&d->lock);
	rc = alloc_port(d, port);
	if (!rc)
		d->evtchn.ports[*port] = (struct evtchn){EVTCHN_IPI, 0, (u16)vcpu};
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

int evtchn_close(struct domain *d, u32 port)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);
	int rc = 0;

	if (!evtchn_port_bound(d, port)) {
		rc = -EINVAL;
	} else {
		struct evtchn *e = &d->evtchn.ports[port];

		if (e->state == EVTCHN_VIRQ && e->virq == VIRQ_TIMER &&
		    d->vcpus[e->vcpu]->virq_timer_port == (int)port)
			d->vcpus[e->vcpu]->virq_timer_port = 0;
		*e = (struct evtchn){EVTCHN_FREE, 0, 0};
		evtchn_abi_of(d)->clear_pending(d, port);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

int evtchn_bind_vcpu(struct domain *d, u32 port, u32 vcpu)
{
	unsigned long flags;
	int rc = 0;

	if (vcpu >= d->nr_vcpus || !d->vcpus[vcpu])
		return -EINVAL;
	flags = spin_lock_irqsave(&d->lock);
	/* Per-vCPU VIRQs (the timer) stay on the vCPU they were bound to. */
	if (!evtchn_port_bound(d, port) || (d->evtchn.ports[port].state == EVTCHN_VIRQ &&
					    d->evtchn.ports[port].virq == VIRQ_TIMER))
		rc = -EINVAL;
	else
		d->evtchn.ports[port].vcpu = (u16)vcpu;
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}
