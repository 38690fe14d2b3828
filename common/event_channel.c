/* Event channels: the port table of a domain and 2-level delivery through shared_info. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/guest_access.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

int evtchn_domain_init(struct domain *d)
{
	d->evtchns = kzalloc(sizeof(struct evtchn) * EVTCHN_MAX_PORTS);
	if (!d->evtchns)
		return -ENOMEM;
	d->nr_ports = EVTCHN_MAX_PORTS;
	d->evtchns[0].state = EVTCHN_RESERVED; /* port 0 is never valid */
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	kfree(d->evtchns);
	d->evtchns = NULL;
	d->nr_ports = 0;
}

static bool test_and_set(volatile uint64_t *word, unsigned int bit)
{
	return __atomic_fetch_or(word, 1ULL << bit, __ATOMIC_SEQ_CST) & (1ULL << bit);
}

/* A pending, unmasked @port: flag its word in @v's selector and, if that is new, upcall @v. */
static void notify_vcpu(struct vcpu *v, u32 port)
{
	if (!v->vcpu_info || test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64))
		return;
	WRITE_ONCE(v->vcpu_info->upcall_pending, 1);
	vcpu_kick(v);
}

/* Mark @port pending and, if it is unmasked, tell @v through its vcpu_info. */
static void set_pending(struct domain *d, struct vcpu *v, u32 port)
{
	struct shared_info *s = d->shared_info;

	if (test_and_set(&s->evtchn_pending[port / 64], port % 64))
		return;
	if (READ_ONCE(s->evtchn_mask[port / 64]) & (1ULL << (port % 64)))
		return;
	notify_vcpu(v, port);
}

static int alloc_port(struct domain *d, u32 *port)
{
	for (u32 p = 1; p < d->nr_ports; p++) {
		if (d->evtchns[p].state == EVTCHN_FREE) {
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
	for (u32 p = 1; p < d->nr_ports; p++) {
		if (d->evtchns[p].state == EVTCHN_VIRQ && d->evtchns[p].virq == virq &&
		    d->evtchns[p].vcpu == vcpu) {
			spin_unlock_irqrestore(&d->lock, flags);
			return -EEXIST;
		}
	}
	rc = alloc_port(d, port);
	if (!rc) {
		d->evtchns[*port] = (struct evtchn){EVTCHN_VIRQ, (u8)virq, (u16)vcpu};
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
		d->evtchns[*port] = (struct evtchn){EVTCHN_IPI, 0, (u16)vcpu};
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

static bool port_valid(struct domain *d, u32 port)
{
	return port > 0 && port < d->nr_ports && d->evtchns[port].state != EVTCHN_FREE &&
	       d->evtchns[port].state != EVTCHN_RESERVED;
}

int evtchn_close(struct domain *d, u32 port)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);
	int rc = 0;

	if (!port_valid(d, port)) {
		rc = -EINVAL;
	} else {
		struct evtchn *e = &d->evtchns[port];

		if (e->state == EVTCHN_VIRQ && e->virq == VIRQ_TIMER &&
		    d->vcpus[e->vcpu]->virq_timer_port == (int)port)
			d->vcpus[e->vcpu]->virq_timer_port = 0;
		*e = (struct evtchn){EVTCHN_FREE, 0, 0};
		__atomic_fetch_and(&d->shared_info->evtchn_pending[port / 64],
				   ~(1ULL << (port % 64)), __ATOMIC_SEQ_CST);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

/*
 * send, unmask and bind_vcpu read the port table under d->lock, so that a close on another vCPU
 * cannot change a port half-way (lock order: d->lock, then the scheduler's).
 */
int evtchn_send(struct domain *d, u32 port)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);
	int rc = -EINVAL;

	/* VIRQ ports are raised by Keel, not sent. */
	if (port_valid(d, port) && d->evtchns[port].state == EVTCHN_IPI) {
		set_pending(d, d->vcpus[d->evtchns[port].vcpu], port);
		rc = 0;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

int evtchn_unmask(struct domain *d, u32 port)
{
	struct shared_info *s = d->shared_info;
	unsigned long flags = spin_lock_irqsave(&d->lock);
	struct vcpu *v;

	if (!port_valid(d, port)) {
		spin_unlock_irqrestore(&d->lock, flags);
		return -EINVAL;
	}
	v = d->vcpus[d->evtchns[port].vcpu];
	__atomic_fetch_and(&s->evtchn_mask[port / 64], ~(1ULL << (port % 64)), __ATOMIC_SEQ_CST);
	/* Pending while masked: deliver it now. */
	if (READ_ONCE(s->evtchn_pending[port / 64]) & (1ULL << (port % 64)))
		notify_vcpu(v, port);
	spin_unlock_irqrestore(&d->lock, flags);
	return 0;
}

int evtchn_bind_vcpu(struct domain *d, u32 port, u32 vcpu)
{
	unsigned long flags;
	int rc = 0;

	if (vcpu >= d->nr_vcpus || !d->vcpus[vcpu])
		return -EINVAL;
	flags = spin_lock_irqsave(&d->lock);
	/* Per-vCPU VIRQs (the timer) stay on the vCPU they were bound to. */
	if (!port_valid(d, port) ||
	    (d->evtchns[port].state == EVTCHN_VIRQ && d->evtchns[port].virq == VIRQ_TIMER))
		rc = -EINVAL;
	else
		d->evtchns[port].vcpu = (u16)vcpu;
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
	struct domain *d = v->domain;
	int port = virq == VIRQ_TIMER ? v->virq_timer_port : 0;

	if (port > 0)
		set_pending(d, v, (u32)port);
}

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
