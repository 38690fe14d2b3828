/* Test guest dom_exc: VIRQ_DOM_EXC reaches a privileged domain when another domain ends. */
#include "bootargs.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/event_channel.h>

const char guest_name[] = "dom_exc";

/*
 * Command line: expect=yes|no wait_ms=N. Binds VIRQ_DOM_EXC (a global VIRQ, vCPU 0) and waits up
 * to wait_ms for it. As dom0 (expect=yes) the event must come when a domain beside it shuts
 * down; unprivileged (expect=no) it may bind the VIRQ but must never get it.
 */
static volatile uint32_t events_seen;

static void on_dom_exc(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
	events_seen++;
}

static void on_timer(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
}

void guest_main(void)
{
	char expect[8] = "yes";
	uint64_t wait_ms = bootargs_get_u64(boot_cmdline, "wait_ms", 5000);
	/* dom0's end is the machine's: linger_ms keeps it up while the others finish. */
	uint64_t linger_ms = bootargs_get_u64(boot_cmdline, "linger_ms", 0);
	evtchn_port_t port, tport;
	uint64_t t0;
	long rc;

	test_require_hv();
	(void)bootargs_get(boot_cmdline, "expect", expect, sizeof(expect));
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	rc = events_init();
	if (rc)
		test_fail("HVMOP_set_param(CALLBACK_IRQ) returned %ld", rc);
	rc = events_bind_virq(VIRQ_TIMER, 0, &tport, on_timer, NULL); /* wakes the waits below */
	if (rc)
		test_fail("bind_virq(VIRQ_TIMER) returned %ld", rc);
	rc = events_bind_virq(VIRQ_DOM_EXC, 0, &port, on_dom_exc, NULL);
	if (rc)
		test_fail("bind_virq(VIRQ_DOM_EXC) returned %ld", rc);
	con_printf("dom_exc: VIRQ_DOM_EXC bound to port %u, waiting up to %lu ms\n", port,
		   (unsigned long)wait_ms);
	t0 = time_now_ns();
	irq_disable();
	while (!events_seen && time_now_ns() - t0 < wait_ms * NS_PER_MS) {
		timer_set_abs(time_now_ns() + 50 * NS_PER_MS);
		safe_halt();
		irq_disable();
	}
	irq_enable();
	con_printf("dom_exc: VIRQ_DOM_EXC %s\n", events_seen ? "received" : "not received");
	if (expect[0] == 'y' && !events_seen)
		test_fail("no VIRQ_DOM_EXC within %lu ms of binding it", (unsigned long)wait_ms);
	if (expect[0] == 'n' && events_seen)
		test_fail("an unprivileged domain got VIRQ_DOM_EXC");
	t0 = time_now_ns();
	irq_disable();
	while (time_now_ns() - t0 < linger_ms * NS_PER_MS) {
		timer_set_abs(time_now_ns() + 50 * NS_PER_MS);
		safe_halt();
		irq_disable();
	}
	irq_enable();
	test_pass();
}
