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
#define EVTCHNOP_close		  3  /* struct evtchn_port_arg */
#define EVTCHNOP_send		  4  /* struct evtchn_port_arg */
#define EVTCHNOP_status		  5  /* struct evtchn_status */
#define EVTCHNOP_alloc_unbound	  6  /* struct evtchn_alloc_unbound */
#define EVTCHNOP_bind_ipi	  7  /* struct evtchn_bind_ipi */
#define EVTCHNOP_bind_vcpu	  8  /* struct evtchn_bind_vcpu */
#define EVTCHNOP_unmask		  9  /* struct evtchn_port_arg */
#define EVTCHNOP_reset		  10 /* struct evtchn_reset */
#define EVTCHNOP_init_control	  11 /* struct evtchn_init_control (FIFO ABI) */
#define EVTCHNOP_expand_array	  12
#define EVTCHNOP_set_priority	  13 /* struct evtchn_set_priority */

/* Virtual IRQs (EVTCHNOP_bind_virq). TIMER and DEBUG are per vCPU, the others global. */
#define VIRQ_TIMER	0 /* singleshot/periodic timer */
#define VIRQ_DEBUG	1
#define VIRQ_CONSOLE	2  /* hypervisor console input (dom0) */
#define VIRQ_DOM_EXC	3  /* a domain crashed or shut down (dom0) */
#define VIRQ_TBUF	4  /* trace buffers (dom0) */
#define VIRQ_DEBUGGER	6  /* a domain hit a debugger trap (dom0) */
#define VIRQ_XENOPROF	7  /* profiling buffer (per vCPU) */
#define VIRQ_CON_RING	8  /* the hypervisor console ring changed (dom0) */
#define VIRQ_PCPU_STATE 9  /* physical CPU hotplug (dom0) */
#define VIRQ_MEM_EVENT	10 /* vm_event ring (dom0) */
#define VIRQ_ARGO	11
#define VIRQ_ENOMEM	12 /* the hypervisor is low on memory (dom0) */
#define VIRQ_XENPMU	13 /* PMU interrupt (per vCPU) */
#define VIRQ_ARCH_0	16 /* 16..23: architecture-specific */
#define NR_VIRQS	24

#ifndef DOMID_XEN
#define DOMID_XEN 0x7FF2u /* the hypervisor as an event-channel peer */
#endif

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

/* Close every port of dom (DOMID_SELF). */
struct evtchn_reset {
	uint16_t dom;
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

/*
 * FIFO ABI. Each port has a 32-bit event word in guest pages the guest adds with expand_array
 * (1024 words a page); each vCPU has a control block (init_control) with a ready bitmap and one
 * queue head per priority. Keel links a pending, unmasked, unlinked event at its queue's tail.
 */
typedef uint32_t event_word_t;

#define EVTCHN_FIFO_PENDING	     31
#define EVTCHN_FIFO_MASKED	     30
#define EVTCHN_FIFO_LINKED	     29
#define EVTCHN_FIFO_BUSY	     28
#define EVTCHN_FIFO_LINK_BITS	     17
#define EVTCHN_FIFO_LINK_MASK	     ((1u << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS	     (1u << EVTCHN_FIFO_LINK_BITS)
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES	     (EVTCHN_FIFO_PRIORITY_MIN + 1)
#define EVTCHN_FIFO_WORDS_PER_PAGE   (4096 / sizeof(event_word_t))

struct evtchn_fifo_control_block {
	uint32_t ready; /* bit q: queue q may hold events */
	uint32_t _rsvd;
	event_word_t head[EVTCHN_FIFO_MAX_QUEUES];
};

/* Add the next page of event words at array_gfn. */
struct evtchn_expand_array {
	uint64_t array_gfn;
};

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound is 8 bytes");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq is 12 bytes");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi is 8 bytes");
_Static_assert(sizeof(struct evtchn_port_arg) == 4, "evtchn_port_arg is 4 bytes");
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status is 24 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16, "evtchn_status.u");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu is 8 bytes");
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset is 2 bytes");
_Static_assert(sizeof(struct evtchn_init_control) == 24, "evtchn_init_control is 24 bytes");
_Static_assert(__builtin_offsetof(struct evtchn_init_control, link_bits) == 16, "link_bits");
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "evtchn_set_priority is 8 bytes");

_Static_assert(sizeof(struct evtchn_fifo_control_block) == 72, "FIFO control block is 72 bytes");
_Static_assert(sizeof(struct evtchn_expand_array) == 8, "evtchn_expand_array is 8 bytes");

#endif
