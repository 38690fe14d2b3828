/* Test guest timer: singleshot timers wake HLT via VIRQ_TIMER; past deadlines fire; stop works. */
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/event_channel.h>
#include <public/vcpu.h>

const char guest_name[] = "timer";

#define ROUNDS	   5
#define DELAY_NS   (10 * NS_PER_MS)
#define GIVE_UP_NS (5000 * NS_PER_MS) /* a timer this late counts as lost */

static volatile uint32_t timer_fired;

static void on_timer(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
	timer_fired++;
}

/* Spin with interrupts on until the count moves or limit_ns of system time pass. */
static int spin_for_timer(uint32_t old, uint64_t limit_ns)
{
	uint64_t end = time_now_ns() + limit_ns;

	irq_enable();
	while (timer_fired == old && time_now_ns() < end)
		cpu_relax();
	irq_disable();
	return timer_fired != old;
}

void guest_main(void)
{
	evtchn_port_t port;
	long rc;

	test_require_hv();
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	con_printf("timer: shared_info mapped, system time %lu ns, tsc_to_system_mul %u shift %d\n",
		   (unsigned long)time_now_ns(), shinfo->vcpu_info[0].time.tsc_to_system_mul,
		   shinfo->vcpu_info[0].time.tsc_shift);
	rc = events_init();
	if (rc)
		test_fail("HVMOP_set_param(CALLBACK_IRQ, vector %#x) returned %ld", 0xF3, rc);
	rc = hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
	if (rc)
		test_fail("VCPUOP_stop_periodic_timer returned %ld, must be 0", rc);
	rc = events_bind_virq(VIRQ_TIMER, 0, &port, on_timer, 0);
	if (rc)
		test_fail("EVTCHNOP_bind_virq(VIRQ_TIMER) returned %ld", rc);
	con_printf("timer: VIRQ_TIMER bound to port %u\n", port);

	for (int i = 0; i < ROUNDS; i++) {
		uint32_t old = timer_fired;
		uint64_t t0 = time_now_ns(), t1;

		irq_disable();
		rc = timer_set_abs(t0 + DELAY_NS);
		if (rc)
			test_fail("VCPUOP_set_singleshot_timer returned %ld", rc);
		/* STI;HLT is atomic with respect to the wake-up: no lost event. */
		while (timer_fired == old) {
			safe_halt();
			irq_disable();
			if (time_now_ns() - t0 > GIVE_UP_NS)
				test_fail("round %d: timer did not fire within 5 s", i);
		}
		irq_enable();
		t1 = time_now_ns();
		con_printf("timer: round %d: woke after %lu us (asked for %lu us)\n", i,
			   (unsigned long)((t1 - t0) / 1000), (unsigned long)(DELAY_NS / 1000));
		if (t1 - t0 < DELAY_NS)
			test_fail("round %d: woke after %lu ns, before the 10 ms deadline", i,
				  (unsigned long)(t1 - t0));
	}

	/* A deadline in the past: the call succeeds and the timer fires at once. */
	{
		uint32_t old = timer_fired;
		uint64_t now = time_now_ns();

		irq_disable();
		rc = timer_set_abs(now > NS_PER_MS ? now - NS_PER_MS : 0);
		if (rc)
			test_fail("set_singleshot_timer in the past returned %ld, must be 0", rc);
		if (!spin_for_timer(old, 1000 * NS_PER_MS))
			test_fail("a timer set in the past did not fire within 1 s");
		con_printf("timer: past deadline fired\n");
	}

	/* A stopped timer does not fire. */
	{
		uint32_t old = timer_fired;

		irq_disable();
		rc = timer_set_abs(time_now_ns() + 20 * NS_PER_MS);
		if (rc)
			test_fail("set_singleshot_timer returned %ld", rc);
		rc = timer_stop();
		if (rc)
			test_fail("VCPUOP_stop_singleshot_timer returned %ld", rc);
		if (spin_for_timer(old, 100 * NS_PER_MS))
			test_fail("a stopped timer fired");
		con_printf("timer: stopped timer stayed quiet for 100 ms\n");
	}
	if (events_stray)
		test_fail("%u events arrived on ports without a handler", events_stray);
	test_pass();
}
