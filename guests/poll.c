/* Test guest poll: SCHEDOP_poll times out, returns at once, and wakes on a masked port another vCPU sends. */
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/errno.h>
#include <public/event_channel.h>
#include <public/sched.h>
#include <public/vcpu.h>

const char guest_name[] = "poll";

#define AP_VCPU	      1
#define AP_STACK_SIZE 16384
#define UNMAPPED_GVA  (5ull << 30)
#define SEND_AFTER_NS (30 * NS_PER_MS)

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ap_info_page[4096] __attribute__((aligned(4096)));
static struct runstate_info ap_runstate __attribute__((aligned(64)));
static volatile int ap_state_seen = -1, ap_go, ap_sent;
static volatile long ap_send_rc = 1;
static evtchn_port_t port_a, port_b;

static long poll_ports(evtchn_port_t *ports, uint32_t n, uint64_t timeout)
{
	struct sched_poll p = {.ports = HV_PTR(ports), .nr_ports = n, .timeout = timeout};

	return hv_sched_op(SCHEDOP_poll, &p);
}

static long bind_ipi(evtchn_port_t *port)
{
	struct evtchn_bind_ipi b = {.vcpu = 0, .port = 0};
	long rc = hv_event_channel_op(EVTCHNOP_bind_ipi, &b);

	*port = b.port;
	return rc;
}

static void set_bit64(volatile uint64_t *words, unsigned int bit, int on)
{
	if (on)
		__atomic_or_fetch(&words[bit / 64], 1ull << (bit % 64), __ATOMIC_SEQ_CST);
	else
		__atomic_and_fetch(&words[bit / 64], ~(1ull << (bit % 64)), __ATOMIC_SEQ_CST);
}

static int port_pending(evtchn_port_t p)
{
	return (shinfo->evtchn_pending[p / 64] >> (p % 64)) & 1;
}

/* vCPU 1: reads the runstate vCPU 0 registered for it, then sends the masked port. */
static void ap_main(void)
{
	struct evtchn_port_arg send = {.port = port_a};
	uint64_t t0;

	ap_state_seen = ap_runstate.state;
	while (!ap_go)
		cpu_relax();
	t0 = time_now_ns();
	while (time_now_ns() - t0 < SEND_AFTER_NS)
		cpu_relax();
	ap_send_rc = hv_event_channel_op(EVTCHNOP_send, &send);
	ap_sent = 1;
}

static void start_ap(void)
{
	struct vcpu_start_context ctx = {
	    .entry_eip = (uint32_t)(uintptr_t)pvh_ap_entry32,
	    .ebx = (uint32_t)(uintptr_t)(ap_stack + sizeof(ap_stack)),
	};
	struct vcpu_register_runstate_area ra = {.addr = HV_PTR(&ap_runstate)};
	uint64_t t0;

	/* Registered from vCPU 0 for vCPU 1, which has never run (as Linux does). */
	ap_runstate.state = 99;
	TEST_CHECK(hv_vcpu_op(VCPUOP_register_runstate_memory_area, AP_VCPU, &ra) == 0,
		   "runstate area for vCPU 1");
	TEST_CHECK(ap_runstate.state == RUNSTATE_offline, "vCPU 1 not started: state %d",
		   ap_runstate.state);
	TEST_CHECK(vcpu_info_register(AP_VCPU, HV_PTR(ap_info_page) >> 12, 64) == 0,
		   "vcpu_info for vCPU 1");
	TEST_CHECK(vcpu_info_register(AP_VCPU, HV_PTR(ap_info_page) >> 12, 128) == -EINVAL,
		   "a second vcpu_info for vCPU 1");
	guest_ap_main = ap_main;
	TEST_CHECK(hv_vcpu_op(VCPUOP_initialise, AP_VCPU, &ctx) == 0 &&
		       hv_vcpu_op(VCPUOP_up, AP_VCPU, 0) == 0,
		   "starting vCPU 1");
	t0 = time_now_ns();
	while (ap_state_seen < 0) {
		if (time_now_ns() - t0 > 5000 * NS_PER_MS)
			test_fail("vCPU 1 did not run within 5 s");
		cpu_relax();
	}
	TEST_CHECK(ap_state_seen == RUNSTATE_running, "vCPU 1 reads its own state as %d",
		   ap_state_seen);
}

void guest_main(void)
{
	evtchn_port_t many[SCHED_POLL_MAX_PORTS + 1], bad[2];
	uint64_t t0, t1;
	long rc;

	test_require_hv();
	rc = shared_info_map();
	rc = rc ? rc : events_init();
	rc = rc ? rc : bind_ipi(&port_a);
	rc = rc ? rc : bind_ipi(&port_b);
	if (rc)
		test_fail("shared_info, callback vector or IPI ports: %ld", rc);
	set_bit64(shinfo->evtchn_mask, port_a, 1); /* masked: no upcall, only the poll sees it */
	set_bit64(shinfo->evtchn_mask, port_b, 1);

	/* Refusals. */
	for (unsigned int i = 0; i <= SCHED_POLL_MAX_PORTS; i++)
		many[i] = port_b;
	TEST_CHECK(poll_ports(many, SCHED_POLL_MAX_PORTS + 1, 0) == -EINVAL, "129 ports");
	bad[0] = port_b;
	bad[1] = 100000;
	TEST_CHECK(poll_ports(bad, 2, 0) == -EINVAL, "a port beyond the table");
	TEST_CHECK(hv_sched_op(SCHEDOP_poll, (void *)(uintptr_t)UNMAPPED_GVA) == -EFAULT,
		   "an unreadable sched_poll");

	/* Nothing pending: the timeout ends it, not before. */
	t0 = time_now_ns();
	rc = poll_ports(&port_b, 1, t0 + 20 * NS_PER_MS);
	t1 = time_now_ns();
	TEST_CHECK(rc == 0, "poll with a timeout returned %ld", rc);
	TEST_CHECK(t1 - t0 >= 20 * NS_PER_MS && t1 - t0 < 2000 * NS_PER_MS,
		   "a 20 ms poll returned after %lu us", (unsigned long)((t1 - t0) / 1000));
	con_printf("poll: timed out after %lu us (asked 20000 us)\n",
		   (unsigned long)((t1 - t0) / 1000));
	/* A timeout in the past returns at once. */
	TEST_CHECK(poll_ports(&port_b, 1, 1) == 0, "a poll with a past timeout");

	/* Already pending (masked): at once, even with no timeout. */
	TEST_CHECK(hv_event_channel_op(EVTCHNOP_send, &(struct evtchn_port_arg){.port = port_b}) ==
		       0,
		   "send");
	t0 = time_now_ns();
	TEST_CHECK(poll_ports(&port_b, 1, 0) == 0, "poll on a pending port");
	TEST_CHECK(time_now_ns() - t0 < 500 * NS_PER_MS, "a poll on a pending port slept");
	set_bit64(shinfo->evtchn_pending, port_b, 0);

	/* vCPU 1 sends port_a (masked, bound to us) 30 ms from now; we poll it and port_b. */
	start_ap();
	{
		evtchn_port_t both[2] = {port_b, port_a};

		t0 = time_now_ns();
		ap_go = 1;
		rc = poll_ports(both, 2, t0 + 3000 * NS_PER_MS);
		while (!port_pending(port_a) && time_now_ns() - t0 < 3000 * NS_PER_MS)
			rc = rc ? rc : poll_ports(both, 2, t0 + 3000 * NS_PER_MS);
		t1 = time_now_ns();
	}
	TEST_CHECK(rc == 0, "poll returned %ld", rc);
	/* Its send woke us before it could store what the send returned: wait for that. */
	while (!ap_sent && time_now_ns() - t1 < 1000 * NS_PER_MS)
		cpu_relax();
	TEST_CHECK(ap_sent && ap_send_rc == 0, "vCPU 1's send: %ld", ap_send_rc);
	TEST_CHECK(port_pending(port_a), "woke without the port pending");
	TEST_CHECK(t1 - t0 >= 20 * NS_PER_MS, "woke after %lu us, before vCPU 1 sent",
		   (unsigned long)((t1 - t0) / 1000));
	TEST_CHECK(t1 - t0 < 2000 * NS_PER_MS, "the masked port did not end the poll (%lu us)",
		   (unsigned long)((t1 - t0) / 1000));
	con_printf("poll: woken %lu us after vCPU 1 was told to send a masked port in 30000 us\n",
		   (unsigned long)((t1 - t0) / 1000));
	test_pass();
}
