/* Event channels inside common/event/: the port table's helpers and the delivery ABI interface. */
#ifndef KEEL_EVTCHN_INTERNAL_H
#define KEEL_EVTCHN_INTERNAL_H

#include <keel/domain.h>
#include <keel/event_channel.h>

struct vcpu;

/*
 * How pending and masked ports are kept in guest memory and signalled. The 2-level ABI
 * (bitmaps in shared_info, common/event/deliver_2l.c) is the default; the FIFO ABI
 * (common/event/deliver_fifo.c) takes over at the domain's first EVTCHNOP_init_control. Every hook runs with the
 * domain's port table lock (d->evtchn.lock) held and interrupts off; @port is below both
 * max_ports and d->evtchn.nr_ports.
 */
struct evtchn_abi {
	const char *name;
	u32 max_ports; /* ports this ABI can address */
	/* Mark @port pending and, if it is unmasked, upcall @v. */
	void (*set_pending)(struct domain *d, struct vcpu *v, u32 port);
	/* Forget a pending event on @port (it was closed). */
	void (*clear_pending)(struct domain *d, u32 port);
	/* Unmask @port; deliver it to @v if it was pending while masked. */
	void (*unmask)(struct domain *d, struct vcpu *v, u32 port);
	/* Is @port pending, masked or not? (SCHEDOP_poll asks.) */
	bool (*is_pending)(struct domain *d, u32 port);
};

extern const struct evtchn_abi evtchn_abi_2l;
extern const struct evtchn_abi evtchn_abi_fifo;

/* The delivery ABI @d uses. */
const struct evtchn_abi *evtchn_abi_of(const struct domain *d);

/* The table entry of @port, or NULL if @port is 0, out of range or not allocated. Lock held. */
struct evtchn *evtchn_port(const struct domain *d, u32 port);
/* Is @port bound (neither free nor reserved)? Port table lock held. */
bool evtchn_port_bound(const struct domain *d, u32 port);
/* Raise @port of @d on its notified vCPU. Port table lock held. */
void evtchn_raise_locked(struct domain *d, u32 port);
/* The callback of Keel service @svc, or NULL. */
evtchn_keel_fn evtchn_keel_callback(u32 svc);

/* Take a free port of @d set to @init (lock held): 0, -ENOSPC, or -EAGAIN: unlock, grow, retry. */
int evtchn_alloc_locked(struct domain *d, const struct evtchn *init, u32 *port);
/* Lock @d and take a free port set to @init, growing the table when it is full. */
int evtchn_alloc(struct domain *d, const struct evtchn *init, u32 *port);
/* One more bucket of ports for @d (no lock held): 0, -ENOSPC at the limit, -ENOMEM. */
int evtchn_grow(struct domain *d);
/* Free bound @port (lock held), forgetting its VIRQ binding and (if @clear_pending) its event. */
void evtchn_free_locked(struct domain *d, u32 port, bool clear_pending);
/*
 * Close interdomain or other @port of @d: the peer's end becomes unbound (for @d to bind again).
 * @clear_pending is false when @d's shared_info is already gone (destruction). 0 or -EINVAL.
 */
int evtchn_disconnect(struct domain *d, u32 port, bool clear_pending);

/*
 * Two domains' port tables locked at once, lower domain id first (the same domain once).
 * Returns the saved interrupt state for evtchn_unlock_pair().
 */
unsigned long evtchn_lock_pair(struct domain *a, struct domain *b);
void evtchn_unlock_pair(struct domain *a, struct domain *b, unsigned long flags);

#endif
