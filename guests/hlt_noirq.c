/* Test guest hlt_noirq: HLT with interrupts off again and again, woken by its singleshot timer. */
#include "bootargs.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/event_channel.h>
#include <public/vcpu.h>

const char guest_name[] = "hlt_noirq";

/*
 * No callback vector is registered, so Keel cannot interrupt this vCPU: a HLT with IF = 0 is woken
 * only by the event-channel kick that sets vcpu_info.upcall_pending. Keel logs the first such HLT
 * and must not log the others (a guest can do this in a loop and flood the log).
 */
#define DEFAULT_ROUNDS 20
#define DELAY_NS       (2 * NS_PER_MS)

static void no_handler(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
}

void guest_main(void)
{
	uint64_t rounds = bootargs_get_u64(boot_cmdline, "rounds", DEFAULT_ROUNDS);
	volatile struct vcpu_info *vi;
	evtchn_port_t port;
	long rc;

	test_require_hv();
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	vi = &shinfo->vcpu_info[0];
	/* Bound, but no callback vector (no events_init): the upcall can only be polled. */
	rc = events_bind_virq(VIRQ_TIMER, 0, &port, no_handler, 0);
	if (rc)
		test_fail("EVTCHNOP_bind_virq(VIRQ_TIMER) returned %ld", rc);
	irq_disable();
	for (uint64_t i = 0; i < rounds; i++) {
		uint64_t t0 = time_now_ns(), t1;

		/* Consume the last wake-up, so that the next timer event notifies us again. */
		__atomic_and_fetch(&shinfo->evtchn_pending[port / 64], ~(1ull << (port % 64)),
				   __ATOMIC_SEQ_CST);
		vi->evtchn_pending_sel = 0;
		vi->upcall_pending = 0;
		rc = timer_set_abs(t0 + DELAY_NS);
		if (rc)
			test_fail("round %lu: VCPUOP_set_singleshot_timer returned %ld",
				  (unsigned long)i, rc);
		while (!vi->upcall_pending)
			asm volatile("hlt" ::: "memory"); /* IF = 0: only Keel's kick ends it */
		t1 = time_now_ns();
		if (t1 - t0 < DELAY_NS)
			test_fail("round %lu: woke after %lu ns, before the timer's %lu ns",
				  (unsigned long)i, (unsigned long)(t1 - t0),
				  (unsigned long)DELAY_NS);
	}
	con_printf("hlt_noirq: %lu HLTs with interrupts off, each woken by the timer event\n",
		   (unsigned long)rounds);
	test_pass();
}
