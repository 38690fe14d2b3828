/* Event channels (common/event/): ports bound to VIRQs and IPIs today, interdomain ones later. */
#ifndef KEEL_EVENT_CHANNEL_H
#define KEEL_EVENT_CHANNEL_H

#include <keel/types.h>
#include <public/event_channel.h>

#define EVTCHN_MAX_PORTS 1024 /* per domain (the 2-level ABI allows 4096) */

enum evtchn_state { EVTCHN_FREE, EVTCHN_VIRQ, EVTCHN_IPI, EVTCHN_RESERVED };

struct evtchn {
	u8 state;
	u8 virq;
	u16 vcpu;
};

/* A domain's event channels (a sub-structure of struct domain). */
struct domain_evtchn {
	unsigned int nr_ports;
	struct evtchn *ports; /* nr_ports entries; port 0 is reserved */
};

struct domain;
struct vcpu;

int evtchn_domain_init(struct domain *d);
void evtchn_domain_destroy(struct domain *d);
/* Hypercall sub-operations; each returns 0 or -errno and fills the out fields. */
int evtchn_bind_virq(struct domain *d, u32 virq, u32 vcpu, u32 *port);
int evtchn_bind_ipi(struct domain *d, u32 vcpu, u32 *port);
int evtchn_close(struct domain *d, u32 port);
int evtchn_send(struct domain *d, u32 port);
int evtchn_unmask(struct domain *d, u32 port);
int evtchn_bind_vcpu(struct domain *d, u32 port, u32 vcpu);
/* Raise @virq for @v if the guest bound it (timer, debug, ...). */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);

#endif
