/* Doorbells: interdomain channels Keel makes and mends itself (shared regions, domain_shm.c). */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <public/hypercall.h>

#include "evtchn_internal.h"

/*
 * A waiting doorbell is an unbound port offered to DOMID_INVALID: no domain has that id, so no
 * guest can bind to it with EVTCHNOP_bind_interdomain; only Keel connects it. To its guest it is
 * an ordinary unbound port (sending on it does nothing, EVTCHNOP_status says unbound).
 */
static bool waiting(const struct evtchn *e)
{
	return e && e->state == EVTCHN_UNBOUND && e->remote_dom == DOMID_INVALID;
}

int evtchn_alloc_doorbell(struct domain *d, u32 *port)
{
	struct evtchn e = {EVTCHN_UNBOUND, 0, 0, DOMID_INVALID, 0, 0};

	return evtchn_alloc(d, &e, port);
}

int evtchn_connect_doorbell(struct domain *d, struct domain *peer, u32 peer_port, u32 *port)
{
	if (d == peer)
		return -EINVAL;
	for (;;) {
		unsigned long flags = evtchn_lock_pair(d, peer);
		struct evtchn mine = {EVTCHN_INTERDOMAIN, 0, 0, peer->id, 0, peer_port};
		struct evtchn *pe = evtchn_port(peer, peer_port);
		int rc = waiting(pe) ? evtchn_alloc_locked(d, &mine, port) : -ENOENT;

		if (!rc) {
			pe = evtchn_port(peer, peer_port); /* the same entry: tables only grow */
			pe->state = EVTCHN_INTERDOMAIN;
			pe->remote_dom = d->id;
			pe->remote_port = *port;
			/* Both ends start pending: each side learns that its peer is there now. */
			evtchn_raise_locked(d, *port);
			evtchn_raise_locked(peer, peer_port);
		}
		evtchn_unlock_pair(d, peer, flags);
		if (rc != -EAGAIN)
			return rc;
		rc = evtchn_grow(d);
		if (rc && rc != -ENOSPC)
			return rc;
	}
}

void evtchn_doorbell_detach(struct domain *d, struct domain *peer, u32 peer_port)
{
	unsigned long flags;
	struct evtchn *pe;

	if (d == peer)
		return;
	flags = evtchn_lock_pair(d, peer);
	pe = evtchn_port(peer, peer_port);
	/* Connected to @d, or left unbound for it by @d's own close: wait for its next build. */
	if (pe && pe->remote_dom == d->id &&
	    (pe->state == EVTCHN_INTERDOMAIN || pe->state == EVTCHN_UNBOUND)) {
		const struct evtchn *de = evtchn_port(d, pe->remote_port);

		if (pe->state == EVTCHN_INTERDOMAIN && de && de->state == EVTCHN_INTERDOMAIN &&
		    de->remote_dom == peer->id && de->remote_port == peer_port)
			evtchn_free_locked(d, pe->remote_port, false); /* @d's vCPUs are gone */
		pe->state = EVTCHN_UNBOUND;
		pe->remote_dom = DOMID_INVALID;
		pe->remote_port = 0;
	}
	evtchn_unlock_pair(d, peer, flags);
}
