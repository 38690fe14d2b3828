/* Guest library: callback-vector setup, VIRQ binding, upcall dispatch and the singleshot timer. */
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "trap.h"

#include <public/errno.h>
#include <public/hvm.h>
#include <public/vcpu.h>

#define EVENTS_MAX_HANDLERS 64

struct port_handler {
	evtchn_port_t port;
	event_handler_t fn;
	void *ctx;
};

static struct port_handler handlers[EVENTS_MAX_HANDLERS];
static unsigned int nr_handlers;
volatile uint32_t events_stray;

long events_init(void)
{
	struct hvm_param p = {
	    .domid = DOMID_SELF,
	    .index = HVM_PARAM_CALLBACK_IRQ,
	    .value = HVM_CALLBACK_VECTOR(TRAP_UPCALL_VECTOR),
	};

	if (!shinfo)
		return -EINVAL;
	return hv_hvm_op(HVMOP_set_param, &p);
}

long events_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port, event_handler_t handler,
		      void *ctx)
{
	struct evtchn_bind_virq bind = {.virq = virq, .vcpu = vcpu, .port = 0};
	long rc;

	if (nr_handlers >= EVENTS_MAX_HANDLERS)
		return -ENOSPC;
	rc = hv_event_channel_op(EVTCHNOP_bind_virq, &bind);
	if (rc)
		return rc;
	*port = bind.port;
	handlers[nr_handlers].port = bind.port;
	handlers[nr_handlers].ctx = ctx;
	__atomic_store_n(&handlers[nr_handlers].fn, handler, __ATOMIC_RELEASE);
	__atomic_store_n(&nr_handlers, nr_handlers + 1, __ATOMIC_RELEASE);
	return 0;
}

long events_set_handler(evtchn_port_t port, event_handler_t handler, void *ctx)
{
	if (nr_handlers >= EVENTS_MAX_HANDLERS)
		return -ENOSPC;
	handlers[nr_handlers].port = port;
	handlers[nr_handlers].ctx = ctx;
	__atomic_store_n(&handlers[nr_handlers].fn, handler, __ATOMIC_RELEASE);
	__atomic_store_n(&nr_handlers, nr_handlers + 1, __ATOMIC_RELEASE);
	return 0;
}

static void dispatch(evtchn_port_t port, void *unused)
{
	unsigned int n = __atomic_load_n(&nr_handlers, __ATOMIC_ACQUIRE);

	(void)unused;
	for (unsigned int i = 0; i < n; i++) {
		if (handlers[i].port == port && handlers[i].fn) {
			handlers[i].fn(port, handlers[i].ctx);
			return;
		}
	}
	events_stray++;
}

void events_upcall(void)
{
	if (!shinfo || !vcpu0_info)
		return;
	do {
		events_scan_info(shinfo, vcpu0_info, dispatch, 0);
	} while (vcpu0_info->upcall_pending);
}

long timer_set_abs(uint64_t deadline_ns)
{
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline_ns, .flags = 0};

	return hv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

long timer_stop(void)
{
	return hv_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
}
