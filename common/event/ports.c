/* Event channels: a domain's port table (grow, allocate, bind VIRQs and IPIs, close, status). */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>

#include "evtchn_internal.h"

BUILD_BUG_ON(EVTCHN_MAX_VCPUS < DOMAIN_MAX_VCPUS);
BUILD_BUG_ON(EVTCHN_MAX_PORTS % EVTCHN_BUCKET_PORTS != 0);
BUILD_BUG_ON(EVTCHN_MAX_PORTS > 65536); /* virq_port holds u16 port numbers */

const struct evtchn_abi *evtchn_abi_of(const struct domain *d)
{
	return READ_ONCE(d->evtchn.fifo) ? &evtchn_abi_fifo : &evtchn_abi_2l;
}

/* Ports @d may have: the table's size and its delivery ABI's limit. */
static u32 port_limit(const struct domain *d)
{
	return MIN((u32)EVTCHN_MAX_PORTS, evtchn_abi_of(d)->max_ports);
}

/* One more bucket of free ports (called without the lock: it allocates). */
static int grow(struct domain *d)
{
	struct evtchn *b = kzalloc(sizeof(struct evtchn) * EVTCHN_BUCKET_PORTS);
	unsigned long flags;
	int rc = -ENOSPC;

	if (!b)
		return -ENOMEM;
	flags = spin_lock_irqsave(&d->evtchn.lock);
	if (d->evtchn.nr_ports + EVTCHN_BUCKET_PORTS <= port_limit(d)) {
		d->evtchn.bucket[d->evtchn.nr_ports / EVTCHN_BUCKET_PORTS] = b;
		if (d->evtchn.nr_ports == 0)
			b[0].state = EVTCHN_RESERVED; /* port 0 is never valid */
		WRITE_ONCE(d->evtchn.nr_ports, d->evtchn.nr_ports + EVTCHN_BUCKET_PORTS);
		b = NULL;
		rc = 0;
	}
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
	kfree(b);
	return rc;
}

int evtchn_domain_init(struct domain *d)
{
	d->evtchn.nr_ports = 0;
	return grow(d);
}

struct evtchn *evtchn_port(const struct domain *d, u32 port)
{
	if (port == 0 || port >= d->evtchn.nr_ports || port >= port_limit(d))
		return NULL;
	return &d->evtchn.bucket[port / EVTCHN_BUCKET_PORTS][port % EVTCHN_BUCKET_PORTS];
}

bool evtchn_port_bound(const struct domain *d, u32 port)
{
	const struct evtchn *e = evtchn_port(d, port);

	return e && e->state != EVTCHN_FREE && e->state != EVTCHN_RESERVED;
}

unsigned long evtchn_lock_pair(struct domain *a, struct domain *b)
{
	unsigned long flags;

	if (a == b)
		return spin_lock_irqsave(&a->evtchn.lock);
	if (a->id > b->id) {
		struct domain *t = a;

		a = b;
		b = t;
	}
	flags = spin_lock_irqsave(&a->evtchn.lock);
	spin_lock(&b->evtchn.lock);
	return flags;
}

void evtchn_unlock_pair(struct domain *a, struct domain *b, unsigned long flags)
{
	if (a != b)
		spin_unlock(&(a->id > b->id ? a : b)->evtchn.lock);
	spin_unlock_irqrestore(&(a->id > b->id ? b : a)->evtchn.lock, flags);
}

/* A free port (lock held): 0, -EAGAIN when the table may grow (unlock, grow(), retry), -ENOSPC. */
static int find_free_port(const struct domain *d, u32 *port)
{
	for (u32 p = 1; p < d->evtchn.nr_ports; p++) {
		if (evtchn_port(d, p) && evtchn_port(d, p)->state == EVTCHN_FREE) {
			*port = p;
			return 0;
		}
	}
	return d->evtchn.nr_ports + EVTCHN_BUCKET_PORTS <= port_limit(d) ? -EAGAIN : -ENOSPC;
}

int evtchn_alloc_locked(struct domain *d, const struct evtchn *init, u32 *port)
{
	int rc = find_free_port(d, port);

	if (!rc)
		*evtchn_port(d, *port) = *init;
	return rc;
}

int evtchn_alloc(struct domain *d, const struct evtchn *init, u32 *port)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&d->evtchn.lock);
		int rc = evtchn_alloc_locked(d, init, port);

		spin_unlock_irqrestore(&d->evtchn.lock, flags);
		if (rc != -EAGAIN)
			return rc;
		rc = grow(d);
		if (rc && rc != -ENOSPC)
			return rc;
	}
}

int evtchn_grow(struct domain *d)
{
	return grow(d);
}

bool evtchn_virq_is_per_vcpu(unsigned int virq)
{
	return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
	       virq == VIRQ_XENPMU;
}

int evtchn_bind_virq(struct domain *d, u32 virq, u32 vcpu, u32 *port)
{
	struct evtchn e = {EVTCHN_VIRQ, (u8)virq, (u16)vcpu, 0, 0, 0};

	if (virq >= NR_VIRQS || vcpu >= d->nr_vcpus || !d->vcpus[vcpu])
		return -EINVAL;
	if (!evtchn_virq_is_per_vcpu(virq) && vcpu != 0)
		return -EINVAL; /* global VIRQs are bound on vCPU 0 (and may move with bind_vcpu) */
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&d->evtchn.lock);
		int rc;

		if (d->evtchn.virq_port[vcpu][virq]) {
			spin_unlock_irqrestore(&d->evtchn.lock, flags);
			return -EEXIST;
		}
		rc = evtchn_alloc_locked(d, &e, port);
		if (!rc)
			d->evtchn.virq_port[vcpu][virq] = (u16)*port;
		spin_unlock_irqrestore(&d->evtchn.lock, flags);
		if (rc != -EAGAIN)
			return rc;
		rc = grow(d);
		if (rc && rc != -ENOSPC)
			return rc;
	}
}

int evtchn_bind_ipi(struct domain *d, u32 vcpu, u32 *port)
{
	struct evtchn e = {EVTCHN_IPI, 0, (u16)vcpu, 0, 0, 0};

	if (vcpu >= d->nr_vcpus || !d->vcpus[vcpu])
		return -EINVAL;
	return evtchn_alloc(d, &e, port);
}

void evtchn_free_locked(struct domain *d, u32 port, bool clear_pending)
{
	struct evtchn *e = evtchn_port(d, port);

	if (e->state == EVTCHN_VIRQ && e->virq < NR_VIRQS) {
		u16 *slot =
		    &d->evtchn.virq_port[evtchn_virq_is_per_vcpu(e->virq) ? e->vcpu : 0][e->virq];

		if (*slot == port)
			*slot = 0;
	}
	*e = (struct evtchn){EVTCHN_FREE, 0, 0, 0, 0, 0};
	if (clear_pending)
		evtchn_abi_of(d)->clear_pending(d, port);
}

int evtchn_bind_vcpu(struct domain *d, u32 port, u32 vcpu)
{
	unsigned long flags;
	struct evtchn *e;
	int rc = 0;

	if (vcpu >= d->nr_vcpus || !d->vcpus[vcpu])
		return -EINVAL;
	flags = spin_lock_irqsave(&d->evtchn.lock);
	e = evtchn_port(d, port);
	/* As Xen: global VIRQs, unbound, interdomain (and Keel-served) ports move; the rest not. */
	if (!evtchn_port_bound(d, port) ||
	    (e->state == EVTCHN_VIRQ && evtchn_virq_is_per_vcpu(e->virq)) || e->state == EVTCHN_IPI)
		rc = -EINVAL;
	else
		e->vcpu = (u16)vcpu;
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
	return rc;
}

/* The domain @dom names for caller @d (DOMID_SELF or its own id; any for the privileged). */
static struct domain *target_domain(struct domain *d, u16 dom, int *rc)
{
	struct domain *t;

	if (dom == DOMID_SELF || dom == d->id)
		return d;
	*rc = -EPERM;
	if (!d->privileged)
		return NULL;
	t = domain_get(dom);
	*rc = t ? 0 : -ESRCH;
	return t;
}

static void put_target(const struct domain *d, struct domain *t)
{
	if (t && t != d)
		domain_put(t);
}

int evtchn_status(struct domain *d, struct evtchn_status *st)
{
	static const u8 stat[] = {
	    [EVTCHN_FREE] = EVTCHNSTAT_closed,	    [EVTCHN_VIRQ] = EVTCHNSTAT_virq,
	    [EVTCHN_IPI] = EVTCHNSTAT_ipi,	    [EVTCHN_RESERVED] = EVTCHNSTAT_closed,
	    [EVTCHN_UNBOUND] = EVTCHNSTAT_unbound,  [EVTCHN_INTERDOMAIN] = EVTCHNSTAT_interdomain,
	    [EVTCHN_KEEL] = EVTCHNSTAT_interdomain,
	};
	struct evtchn e = {EVTCHN_FREE, 0, 0, 0, 0, 0};
	unsigned long flags;
	int rc = 0;
	struct domain *t = target_domain(d, st->dom, &rc);

	if (!t)
		return rc;
	if (st->port >= port_limit(t)) {
		put_target(d, t);
		return -EINVAL;
	}
	flags = spin_lock_irqsave(&t->evtchn.lock);
	if (evtchn_port(t, st->port))
		e = *evtchn_port(t, st->port);
	spin_unlock_irqrestore(&t->evtchn.lock, flags);
	put_target(d, t);
	st->status = stat[e.state];
	st->vcpu = e.vcpu;
	memset(&st->u, 0, sizeof(st->u));
	if (e.state == EVTCHN_UNBOUND) {
		st->u.unbound.dom = e.remote_dom;
	} else if (e.state == EVTCHN_INTERDOMAIN || e.state == EVTCHN_KEEL) {
		st->u.interdomain.dom = e.remote_dom;
		st->u.interdomain.port = e.state == EVTCHN_KEEL ? 0 : e.remote_port;
	} else if (e.state == EVTCHN_VIRQ) {
		st->u.virq = e.virq;
	}
	return 0;
}

int evtchn_reset(struct domain *d, u16 dom)
{
	int rc = 0;
	struct domain *t = target_domain(d, dom, &rc);

	if (!t)
		return rc;
	/* Port by port: each close takes the locks it needs, so peers may act meanwhile. */
	for (u32 p = 1; p < READ_ONCE(t->evtchn.nr_ports); p++) {
		unsigned long flags = spin_lock_irqsave(&t->evtchn.lock);
		bool close = evtchn_port_bound(t, p) && evtchn_port(t, p)->state != EVTCHN_KEEL;

		spin_unlock_irqrestore(&t->evtchn.lock, flags);
		if (close)
			evtchn_close(t, p); /* -EINVAL if another vCPU closed it first: fine */
	}
	{
		unsigned long flags = spin_lock_irqsave(&t->evtchn.lock);

		evtchn_fifo_reset(t); /* a reset domain starts again on 2-level */
		spin_unlock_irqrestore(&t->evtchn.lock, flags);
	}
	put_target(d, t);
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	/* Its vCPUs and shared_info are gone: peers are told, its own bitmaps are not touched. */
	for (u32 p = 1; p < d->evtchn.nr_ports; p++)
		if (evtchn_port(d, p)->state == EVTCHN_INTERDOMAIN)
			evtchn_disconnect(d, p, false);
	for (unsigned int i = 0; i < EVTCHN_MAX_BUCKETS; i++) {
		kfree(d->evtchn.bucket[i]);
		d->evtchn.bucket[i] = NULL;
	}
	d->evtchn.nr_ports = 0;
	evtchn_fifo_destroy(d);
}
