/* Guest ABI: the event_channel_op hypercall, virtual IRQ numbers and event-channel structs. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_EVENT_CHANNEL_H
#define KEEL_PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>

typedef uint32_t evtchn_port_t;

/* event_channel_op(cmd, arg) */
#define EVTCHNOP_bind_interdomain 0 /* struct evtchn_bind_interdomain */
#define EVTCHNOP_bind_virq	  1 /* struct evtchn_bind_virq */
#define EVTCHNOP_bind_pirq	  2
#define EVTCHNOP_close		  3 /* struct evtchn_port_arg */
#define EVTCHNOP_send		  4 /* struct evtchn_port_arg */
#define EVTCHNOP_status		  5 /* struct evtchn_status */
#define EVTCHNOP_alloc_unbound	  6 /* struct evtchn_alloc_unbound */
#define EVTCHNOP_bind_ipi	  7 /* struct evtchn_bind_ipi */
#define EVTCHNOP_bind_vcpu	  8 /* struct evtchn_bind_vcpu */
#define EVTCHNOP_unmask		  9 /* struct evtchn_port_arg */
#define EVTCHNOP_reset		  10
#define EVTCHNOP_init_control	  11 /* struct evtchn_init_control (FIFO ABI) */
#define EVTCHNOP_expand_array	  12
#define EVTCHNOP_set_priority	  13 /* struct evtchn_set_priority */

/* Virtual IRQs (EVTCHNOP_bind_virq). TIMER and DEBUG are per vCPU, the others global. */
#define VIRQ_TIMER   0 /* singleshot/periodic timer */
#define VIRQ_DEBUG   1
#define VIRQ_CONSOLE 2 /* hypervisor console input (dom0) */
#define VIRQ_DOM_EXC 3 /* a domain crashed or shut down (dom0) */
#define NR_VIRQS     24

/* Allocate a port in dom that remote_dom may bind to. OUT: port. */
struct evtchn_alloc_unbound {
	uint16_t dom;
	uint16_t remote_dom;
	evtchn_port_t port;
};

/* Connect to remote_dom's unbound port remote_port. OUT: local_port. */
struct evtchn_bind_interdomain {
	uint16_t remote_dom;
	uint16_t pad;
	evtchn_port_t remote_port;
	evtchn_port_t local_port;
};

/* Bind virq on vcpu. OUT: port. */
struct evtchn_bind_virq {
	uint32_t virq;
	uint32_t vcpu;
	evtchn_port_t port;
};

/* A port whose event is delivered to vcpu (inter-vCPU interrupt). OUT: port. */
struct evtchn_bind_ipi {
	uint32_t vcpu;
	evtchn_port_t port;
};

/* Argument of close, send and unmask. */
struct evtchn_port_arg {
	evtchn_port_t port;
};

#define EVTCHNSTAT_closed      0
#define EVTCHNSTAT_unbound     1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq	       3
#define EVTCHNSTAT_virq	       4
#define EVTCHNSTAT_ipi	       5

/* IN: dom, port. OUT: the rest. */
struct evtchn_status {
	uint16_t dom;
	uint16_t pad;
	evtchn_port_t port;
	uint32_t status; /* EVTCHNSTAT_* */
	uint32_t vcpu;
	union {
		struct {
			uint16_t dom;
		} unbound;
		struct {
			uint16_t dom;
			uint16_t pad;
			evtchn_port_t port;
		} interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};

struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};

/* FIFO ABI: register vcpu's control block at control_gfn + offset. OUT: link_bits. */
struct evtchn_init_control {
	uint64_t control_gfn;
	uint32_t offset;
	uint32_t vcpu;
	uint8_t link_bits;
	uint8_t pad[7];
};

struct evtchn_set_priority {
	evtchn_port_t port;
	uint32_t priority;
};

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound is 8 bytes");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq is 12 bytes");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi is 8 bytes");
_Static_assert(sizeof(struct evtchn_port_arg) == 4, "evtchn_port_arg is 4 bytes");
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status is 24 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16, "evtchn_status.u");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu is 8 bytes");
_Static_assert(sizeof(struct evtchn_init_control) == 24, "evtchn_init_control is 24 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_init_control, link_bits) == 16, "link_bits");
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "evtchn_set_priority is 8 bytes");

#endif
