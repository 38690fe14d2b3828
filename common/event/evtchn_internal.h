/* Event channels inside common/event/: the port table's helpers and the delivery ABI interface. */
#ifndef KEEL_EVTCHN_INTERNAL_H
#define KEEL_EVTCHN_INTERNAL_H

#include <keel/domain.h>
#include <keel/event_channel.h>

struct vcpu;

/*
 * How pending and masked ports are kept in guest memory and signalled. The 2-level ABI
 * (bitmaps in shared_info, common/event/deliver_2l.c) is the only one today; the FIFO ABI
 * (EVTCHNOP_init_control) will be a second table chosen per domain.
 */
struct evtchn_abi {
	const char *name;
	/* Mark @port pending and, if it is unmasked, upcall @v. Port table lock held. */
	void (*set_pending)(struct domain *d, struct vcpu *v, u32 port);
	/* Forget a pending event on @port (it was closed). Port table lock held. */
	void (*clear_pending)(struct domain *d, u32 port);
	/* Unmask @port; deliver it to @v if it was pending while masked. Port table lock held. */
	void (*unmask)(struct domain *d, struct vcpu *v, u32 port);
};

extern const struct evtchn_abi evtchn_abi_2l;

/* The delivery ABI @d uses. */
const struct evtchn_abi *evtchn_abi_of(const struct domain *d);
/* Is @port bound (neither free nor reserved)? Port table lock held. */
bool evtchn_port_bound(const struct domain *d, u32 port);

#endif
