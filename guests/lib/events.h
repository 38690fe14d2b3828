/* Guest library: event channels over the callback vector, VIRQ binding and singleshot timers. */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include <stdint.h>

#include <public/event_channel.h>
#include <public/shared_info.h>

typedef void (*event_handler_t)(evtchn_port_t port, void *ctx);

/*
 * Pure: one pass over vCPU vcpu's 2-level pending state in si. Clears upcall_pending, takes
 * evtchn_pending_sel, and for every pending and unmasked port clears its pending bit and calls
 * fn(port, ctx). Returns the number of ports handled.
 */
unsigned int events_scan(volatile struct shared_info *si, unsigned int vcpu, event_handler_t fn,
			 void *ctx);
/* The same with the vCPU's vcpu_info wherever it lives (after VCPUOP_register_vcpu_info). */
unsigned int events_scan_info(volatile struct shared_info *si, volatile struct vcpu_info *vi,
			      event_handler_t fn, void *ctx);

/* HVMOP_set_param(CALLBACK_IRQ, vector TRAP_UPCALL_VECTOR). Needs shared_info mapped. */
long events_init(void);
/* EVTCHNOP_bind_virq; on success *port is the port and handler is installed for it. */
long events_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port, event_handler_t handler,
		      void *ctx);
/* Install handler for a port bound some other way (interdomain, alloc_unbound). */
long events_set_handler(evtchn_port_t port, event_handler_t handler, void *ctx);
/* Upcall (vector TRAP_UPCALL_VECTOR) on vCPU 0: scan and dispatch. */
void events_upcall(void);
/* Ports seen pending that had no handler. */
extern volatile uint32_t events_stray;

/* VCPUOP_set_singleshot_timer(vcpu 0, absolute ns, flags 0). */
long timer_set_abs(uint64_t deadline_ns);
long timer_stop(void);

#endif
