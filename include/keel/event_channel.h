/* Event channels (common/event/): VIRQ, IPI, interdomain and Keel-served ports of a domain. */
#ifndef KEEL_EVENT_CHANNEL_H
#define KEEL_EVENT_CHANNEL_H

#include <keel/spinlock.h>
#include <keel/types.h>
#include <public/event_channel.h>

struct domain;
struct evtchn_fifo;
struct vcpu;

/*
 * Ports a domain may have: the 2-level ABI's limit. The table grows on demand in buckets of
 * EVTCHN_BUCKET_PORTS; each delivery ABI also caps it (struct evtchn_abi.max_ports).
 */
#define EVTCHN_MAX_PORTS    4096
#define EVTCHN_BUCKET_PORTS 256
#define EVTCHN_MAX_BUCKETS  (EVTCHN_MAX_PORTS / EVTCHN_BUCKET_PORTS)
/* vCPUs whose per-vCPU VIRQs are tracked (BUILD_BUG_ON'd against DOMAIN_MAX_VCPUS). */
#define EVTCHN_MAX_VCPUS 32

enum evtchn_state {
	EVTCHN_FREE,
	EVTCHN_VIRQ,
	EVTCHN_IPI,
	EVTCHN_RESERVED,
	EVTCHN_UNBOUND,	    /* allocated for remote_dom to bind to */
	EVTCHN_INTERDOMAIN, /* connected to remote_dom's remote_port */
	EVTCHN_KEEL,	    /* served by Keel: remote_port is the enum evtchn_keel_service */
};

struct evtchn {
	u8 state;
	u8 virq;
	u16 vcpu;	/* the vCPU notified */
	u16 remote_dom; /* UNBOUND, INTERDOMAIN */
	u16 pad;
	u32 remote_port; /* INTERDOMAIN: the peer's port; KEEL: the service */
};

/* Keel services a port may be bound to instead of a domain. */
enum evtchn_keel_service {
	EVTCHN_KEEL_CONSOLE,  /* the PV console ring (common/console_ring.c) */
	EVTCHN_KEEL_XENSTORE, /* reserved for Keel's xenstore */
	EVTCHN_KEEL_NR,
};

struct domain;
struct vcpu;

/* Run when the guest sends on a port of the service: no lock held, on the sending vCPU. */
typedef void (*evtchn_keel_fn)(struct domain *d, u32 port);

/*
 * A domain's event channels (a sub-structure of struct domain). @lock is the port table lock;
 * two domains' tables are locked in order of domain id (lower first).
 */
struct domain_evtchn {
	spinlock_t lock;
	unsigned int nr_ports; /* ports with a table entry: a multiple of EVTCHN_BUCKET_PORTS */
	struct evtchn *bucket[EVTCHN_MAX_BUCKETS]; /* port 0 is reserved */
	/* The port each VIRQ is bound to (0: none); global VIRQs use the row of vCPU 0. */
	u16 virq_port[EVTCHN_MAX_VCPUS][NR_VIRQS];
	bool fifo;			/* FIFO delivery (else 2-level), under @lock */
	struct evtchn_fifo *fifo_state; /* from the first init_control to the domain's end */
};

int evtchn_domain_init(struct domain *d);
/* Close every port (peers see their interdomain ports unbound) and free the table. */
void evtchn_domain_destroy(struct domain *d);
/* Hypercall sub-operations for the calling domain @d; each returns 0 or -errno. */
int evtchn_bind_virq(struct domain *d, u32 virq, u32 vcpu, u32 *port);
int evtchn_bind_ipi(struct domain *d, u32 vcpu, u32 *port);
int evtchn_alloc_unbound(struct domain *d, u16 dom, u16 remote_dom, u32 *port);
int evtchn_bind_interdomain(struct domain *d, u16 remote_dom, u32 remote_port, u32 *local_port);
int evtchn_close(struct domain *d, u32 port);
int evtchn_send(struct domain *d, u32 port);
int evtchn_unmask(struct domain *d, u32 port);
/* Is @port pending in @d's delivery ABI, masked or not? Lock-free: one load. */
bool evtchn_is_pending(struct domain *d, u32 port);
int evtchn_bind_vcpu(struct domain *d, u32 port, u32 vcpu);
/* Fills st->status, vcpu, u from st->dom (DOMID_SELF, or any for the privileged), st->port. */
int evtchn_status(struct domain *d, struct evtchn_status *st);
/* Close every port @d bound (Keel-served ones stay: no toolstack would re-create them). */
int evtchn_reset(struct domain *d, u16 dom);
/* Raise @virq for @v if the guest bound it (per-vCPU VIRQs: @v's; global ones: vCPU 0's). */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);
/* Raise a global @virq of @d (VIRQ_DOM_EXC, VIRQ_CONSOLE, ...) if it is bound. */
void evtchn_send_global_virq(struct domain *d, unsigned int virq);
/* Is @virq bound per vCPU (TIMER, DEBUG, XENOPROF, XENPMU) rather than once per domain? */
bool evtchn_virq_is_per_vcpu(unsigned int virq);

/* The FIFO ABI (common/event/deliver_fifo.c): EVTCHNOP_init_control, expand_array, set_priority. */
int evtchn_fifo_init_control(struct domain *d, u64 gfn, u32 offset, u32 vcpu);
int evtchn_fifo_expand_array(struct domain *d, u64 gfn);
int evtchn_fifo_set_priority(struct domain *d, u32 port, u32 priority);
/* Back to 2-level delivery (EVTCHNOP_reset); port table lock held. */
void evtchn_fifo_reset(struct domain *d);
void evtchn_fifo_destroy(struct domain *d);

/* Keel-served ports. Register the service's callback once at boot. */
void evtchn_keel_register(enum evtchn_keel_service svc, evtchn_keel_fn fn);
/* A new port of @d served by @svc, notifying vCPU 0; 0 or -errno. */
int evtchn_alloc_keel(struct domain *d, enum evtchn_keel_service svc, u32 *port);
/* Raise @d's @port if it is still bound to @svc (the guest may have closed it). */
void evtchn_notify_keel(struct domain *d, enum evtchn_keel_service svc, u32 port);

/*
 * Doorbells (common/event/doorbell.c): interdomain channels Keel makes between two domains it
 * names (shared memory regions), with the hypercalls' semantics unchanged. A waiting doorbell
 * is an unbound port no guest can bind to. evtchn_alloc_doorbell: a new waiting port of @d.
 * evtchn_connect_doorbell: a new port of @d connected to @peer's waiting @peer_port, both ends
 * raised (0; -ENOENT when @peer_port no longer waits: its guest closed or reused it; -ENOSPC).
 * evtchn_doorbell_detach: @d is being destroyed: @peer's @peer_port, if connected to @d (or left
 * unbound for @d), waits again under the same number, and @d's end is freed.
 */
int evtchn_alloc_doorbell(struct domain *d, u32 *port);
int evtchn_connect_doorbell(struct domain *d, struct domain *peer, u32 peer_port, u32 *port);
void evtchn_doorbell_detach(struct domain *d, struct domain *peer, u32 peer_port);

#endif
