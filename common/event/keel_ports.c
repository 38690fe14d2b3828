/* Keel-served event channels: ports whose other end is a Keel service (console ring, xenstore). */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <public/hypercall.h>

#include "evtchn_internal.h"

static evtchn_keel_fn keel_callbacks[EVTCHN_KEEL_NR];

void evtchn_keel_register(enum evtchn_keel_service svc, evtchn_keel_fn fn)
{
	if ((unsigned int)svc < EVTCHN_KEEL_NR)
		__atomic_store_n(&keel_callbacks[svc], fn, __ATOMIC_RELEASE);
}

evtchn_keel_fn evtchn_keel_callback(u32 svc)
{
	return svc < EVTCHN_KEEL_NR ? __atomic_load_n(&keel_callbacks[svc], __ATOMIC_ACQUIRE)
				    : NULL;
}

int evtchn_alloc_keel(struct domain *d, enum evtchn_keel_service svc, u32 *port)
{
	if ((unsigned int)svc >= EVTCHN_KEEL_NR)
		return -EINVAL;
	struct evtchn e = {EVTCHN_KEEL, 0, 0, DOMID_XEN, 0, (u32)svc};

	return evtchn_alloc(d, &e, port);
}

void evtchn_notify_keel(struct domain *d, enum evtchn_keel_service svc, u32 port)
{
	unsigned long flags = spin_lock_irqsave(&d->evtchn.lock);
	const struct evtchn *e = evtchn_port(d, port);

	if (e && e->state == EVTCHN_KEEL && e->remote_port == (u32)svc)
		evtchn_raise_locked(d, port);
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
}
