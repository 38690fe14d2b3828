/* Event channels: raising events (send, VIRQs) and unmasking, through the domain's delivery ABI. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>

#include "evtchn_internal.h"

/* Mark @port pending for @v; vCPUs polling it wake (SCHEDOP_poll: common/sched/poll.c). */
static void raise_port(struct domain *d, struct vcpu *v, u32 port)
{
	evtchn_abi_of(d)->set_pending(d, v, port);
	sched_poll_wake_port(d, port);
}

/*
 * send, unmask and bind_vcpu read the port table under d->evtchn.lock, so that a close on
 * another vCPU cannot change a port half-way (lock order: port tables by domain id, then the
 * scheduler's).
 */
void evtchn_raise_locked(struct domain *d, u32 port)
{
	const struct evtchn *e = evtchn_port(d, port);
	struct vcpu *v;

	if (!e || e->vcpu >= d->nr_vcpus || !d->abi.shared_info)
		return;
	v = d->vcpus[e->vcpu];
	if (v)
		raise_port(d, v, port);
}

/* The peer's end of @d's interdomain channel: raise it if it still points back at @port. */
static void send_to_peer(struct domain *d, u32 port, u16 rdom, u32 rport)
{
	struct domain *rd = rdom == d->id ? d : domain_get(rdom);
	unsigned long flags;
	const struct evtchn *re;

	if (!rd)
		return; /* being destroyed: its end is about to be closed */
	flags = spin_lock_irqsave(&rd->evtchn.lock);
	re = evtchn_port(rd, rport);
	if (re && re->state == EVTCHN_INTERDOMAIN && re->remote_dom == d->id &&
	    re->remote_port == port)
		evtchn_raise_locked(rd, rport);
	spin_unlock_irqrestore(&rd->evtchn.lock, flags);
	if (rd != d)
		domain_put(rd);
}

int evtchn_send(struct domain *d, u32 port)
{
	unsigned long flags = spin_lock_irqsave(&d->evtchn.lock);
	const struct evtchn *e = evtchn_port(d, port);
	struct evtchn copy = {EVTCHN_FREE, 0, 0, 0, 0, 0};

	if (e)
		copy = *e;
	/* An IPI is raised under the lock; the other kinds once it is dropped. */
	if (copy.state == EVTCHN_IPI)
		evtchn_raise_locked(d, port);
	spin_unlock_irqrestore(&d->evtchn.lock, flags);

	switch (copy.state) {
	case EVTCHN_IPI:
	case EVTCHN_UNBOUND: /* nobody listens yet: dropped, as Xen does */
		return 0;
	case EVTCHN_INTERDOMAIN:
		send_to_peer(d, port, copy.remote_dom, copy.remote_port);
		return 0;
	case EVTCHN_KEEL: {
		evtchn_keel_fn fn = evtchn_keel_callback(copy.remote_port);

		if (fn)
			fn(d, port);
		return 0;
	}
	default:
		return -EINVAL; /* free, reserved, out of range; VIRQ ports are raised by Keel */
	}
}

bool evtchn_is_pending(struct domain *d, u32 port)
{
	if (!d->abi.shared_info || port >= evtchn_abi_of(d)->max_ports)
		return false;
	return evtchn_abi_of(d)->is_pending(d, port);
}

int evtchn_unmask(struct domain *d, u32 port)
{
	unsigned long flags = spin_lock_irqsave(&d->evtchn.lock);
	const struct evtchn *e = evtchn_port(d, port);
	int rc = -EINVAL;

	if (evtchn_port_bound(d, port) && e->vcpu < d->nr_vcpus && d->vcpus[e->vcpu]) {
		evtchn_abi_of(d)->unmask(d, d->vcpus[e->vcpu], port);
		rc = 0;
	}
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
	return rc;
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
	struct domain *d = v->domain;
	unsigned long flags;
	unsigned int row;

	if (virq >= NR_VIRQS)
		return;
	if (!evtchn_virq_is_per_vcpu(virq)) {
		evtchn_send_global_virq(d, virq);
		return;
	}
	row = v->id;
	if (row >= EVTCHN_MAX_VCPUS)
		return;
	flags = spin_lock_irqsave(&d->evtchn.lock);
	if (d->evtchn.virq_port[row][virq])
		evtchn_raise_locked(d, d->evtchn.virq_port[row][virq]);
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
}

void evtchn_send_global_virq(struct domain *d, unsigned int virq)
{
	unsigned long flags;

	if (virq >= NR_VIRQS || evtchn_virq_is_per_vcpu(virq))
		return;
	flags = spin_lock_irqsave(&d->evtchn.lock);
	/* Global VIRQs go to the vCPU the port is bound to now (bind_vcpu may move it). */
	if (d->evtchn.virq_port[0][virq])
		evtchn_raise_locked(d, d->evtchn.virq_port[0][virq]);
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
}
