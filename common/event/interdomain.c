/* Event channels between domains: unbound ports, binding to a peer's port, closing either end. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <public/hypercall.h>

#include "evtchn_internal.h"

/*
 * Lifetimes: a port names its peer by domain id and port number, never by pointer. Whoever
 * follows the link takes a reference (domain_get) and then both port tables, lower domain id
 * first, and checks that the peer's port still points back. A destroyed domain is off the
 * domain list before its ports are closed, so a peer's send or close that cannot find it just
 * drops the event or frees its own end; its destruction then finds the peer's end changed and
 * leaves it alone.
 */

int evtchn_alloc_unbound(struct domain *d, u16 dom, u16 remote_dom, u32 *port)
{
	struct domain *t = d;
	int rc;

	if (dom == DOMID_SELF)
		dom = d->id;
	if (remote_dom == DOMID_SELF)
		remote_dom = d->id;
	if (remote_dom >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	if (dom != d->id) {
		/* Only the privileged domain (the toolstack) allocates in another domain. */
		if (!d->privileged)
			return -EPERM;
		t = domain_get(dom);
		if (!t)
			return -ESRCH;
	}
	rc = evtchn_alloc(t, &(struct evtchn){EVTCHN_UNBOUND, 0, 0, remote_dom, 0, 0}, port);
	if (t != d)
		domain_put(t);
	return rc;
}

/* Under both locks: connect @rport of @rd (unbound, for @d) to a new port of @d. */
static int connect_locked(struct domain *d, struct domain *rd, u32 rport, u32 *lport)
{
	struct evtchn *re = evtchn_port(rd, rport);
	struct evtchn le = {EVTCHN_INTERDOMAIN, 0, 0, rd->id, 0, rport};
	int rc;

	if (!re || re->state != EVTCHN_UNBOUND || re->remote_dom != d->id)
		return -EINVAL;
	rc = evtchn_alloc_locked(d, &le, lport);
	if (rc)
		return rc;
	re = evtchn_port(rd, rport); /* the same entry: tables only grow */
	re->state = EVTCHN_INTERDOMAIN;
	re->remote_dom = d->id;
	re->remote_port = *lport;
	/* As Xen: the new end starts pending, so an event sent before the bind is not lost. */
	evtchn_raise_locked(d, *lport);
	return 0;
}

int evtchn_bind_interdomain(struct domain *d, u16 remote_dom, u32 remote_port, u32 *local_port)
{
	struct domain *rd;
	int rc;

	if (remote_dom == DOMID_SELF)
		remote_dom = d->id;
	rd = remote_dom == d->id ? d : domain_get(remote_dom);
	if (!rd)
		return -ESRCH;
	if (rd->life.dying) {
		rc = -ESRCH;
		goto out;
	}
	for (;;) {
		unsigned long flags = evtchn_lock_pair(d, rd);

		rc = connect_locked(d, rd, remote_port, local_port);
		evtchn_unlock_pair(d, rd, flags);
		if (rc != -EAGAIN)
			break;
		rc = evtchn_grow(d);
		if (rc && rc != -ENOSPC)
			break;
	}
out:
	if (rd != d)
		domain_put(rd);
	return rc;
}

/* Under both locks: @d's end @port of a channel to @rd goes; @rd's end becomes unbound. */
static void disconnect_locked(struct domain *d, u32 port, struct domain *rd, bool clear_pending)
{
	const struct evtchn *e = evtchn_port(d, port);

	if (rd) {
		struct evtchn *re = evtchn_port(rd, e->remote_port);

		if (re && re->state == EVTCHN_INTERDOMAIN && re->remote_dom == d->id &&
		    re->remote_port == port) {
			re->state = EVTCHN_UNBOUND;
			re->remote_dom = d->id; /* @d may bind to it again */
			re->remote_port = 0;
		}
	}
	evtchn_free_locked(d, port, clear_pending);
}

int evtchn_disconnect(struct domain *d, u32 port, bool clear_pending)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&d->evtchn.lock);
		struct evtchn *e = evtchn_port(d, port);
		struct domain *rd;
		u16 rdom;

		if (!evtchn_port_bound(d, port)) {
			spin_unlock_irqrestore(&d->evtchn.lock, flags);
			return -EINVAL;
		}
		if (e->state != EVTCHN_INTERDOMAIN) {
			evtchn_free_locked(d, port, clear_pending);
			spin_unlock_irqrestore(&d->evtchn.lock, flags);
			return 0;
		}
		rdom = e->remote_dom;
		spin_unlock_irqrestore(&d->evtchn.lock, flags);

		rd = rdom == d->id ? d : domain_get(rdom);
		flags = evtchn_lock_pair(d, rd ? rd : d);
		e = evtchn_port(d, port);
		/* Changed while unlocked (another vCPU closed it, or rebound it): look again. */
		if (e && e->state == EVTCHN_INTERDOMAIN && e->remote_dom == rdom) {
			disconnect_locked(d, port, rd, clear_pending);
			evtchn_unlock_pair(d, rd ? rd : d, flags);
			if (rd && rd != d)
				domain_put(rd);
			return 0;
		}
		evtchn_unlock_pair(d, rd ? rd : d, flags);
		if (rd && rd != d)
			domain_put(rd);
	}
}

int evtchn_close(struct domain *d, u32 port)
{
	return evtchn_disconnect(d, port, true);
}
