/* Test guest console_ring: hvc-style output through the PV console ring Keel serves, and input. */
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/console.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/hvm.h>

const char guest_name[] = "console_ring";

#define WAIT_NS (5000 * NS_PER_MS)

static volatile struct xencons_interface *ring;
static evtchn_port_t port;
static volatile uint32_t notified;

static void on_event(evtchn_port_t p, void *ctx)
{
	(void)p;
	(void)ctx;
	notified++;
}

/* As hvc_xen: copy into out[] at out_prod, publish, (optionally) notify. */
static void ring_write(const char *s, int notify)
{
	uint32_t prod = ring->out_prod;
	size_t n = 0;

	while (s[n])
		n++;
	if (n > XENCONS_OUT_SIZE - (prod - ring->out_cons))
		test_fail("the output ring has no room for %u bytes", (unsigned int)n);
	for (size_t i = 0; i < n; i++)
		ring->out[(prod + i) & (XENCONS_OUT_SIZE - 1)] = s[i];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ring->out_prod = prod + (uint32_t)n;
	if (notify) {
		struct evtchn_port_arg a = {.port = port};
		long rc = hv_event_channel_op(EVTCHNOP_send, &a);

		if (rc)
			test_fail("send on the console port returned %ld", rc);
	}
}

/* Keel consumed everything (out_cons caught up), within WAIT_NS. */
static void wait_drained(const char *what)
{
	uint64_t t0 = time_now_ns();

	irq_enable();
	while (ring->out_cons != ring->out_prod) {
		if (time_now_ns() - t0 > WAIT_NS)
			test_fail("%s: out_cons %u != out_prod %u after 5 s", what, ring->out_cons,
				  ring->out_prod);
		cpu_relax();
	}
}

void guest_main(void)
{
	uint64_t pfn, ev;
	uint32_t before;
	long rc;

	test_require_hv();
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	rc = events_init();
	if (rc)
		test_fail("HVMOP_set_param(CALLBACK_IRQ) returned %ld", rc);
	pfn = test_get_hvm_param(HVM_PARAM_CONSOLE_PFN);
	ev = test_get_hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
	if (pfn != 0xFEFFF || ev == 0 || ev >= 4096)
		test_fail("console params: pfn %#lx (want 0xfefff), port %lu", (unsigned long)pfn,
			  (unsigned long)ev);
	if (test_get_hvm_param(HVM_PARAM_STORE_PFN) != 0)
		test_fail("STORE_PFN is not 0 without a xenstore");
	{
		struct hvm_param p = {
		    .domid = DOMID_SELF, .index = HVM_PARAM_CONSOLE_PFN, .value = 1};

		if (hv_hvm_op(HVMOP_set_param, &p) != -EPERM)
			test_fail("a domU could set CONSOLE_PFN");
	}
	ring = (volatile struct xencons_interface *)(uintptr_t)(pfn << 12);
	port = (evtchn_port_t)ev;
	events_set_handler(port, on_event, 0);
	con_printf("console_ring: ring at pfn %#lx, port %u\n", (unsigned long)pfn, port);

	/* 1: a notified line; Keel drains it and notifies back. */
	before = notified;
	ring_write("ring-line-1: written to out[] and notified\n", 1);
	wait_drained("notified line");
	{
		uint64_t t0 = time_now_ns();

		while (notified == before && time_now_ns() - t0 < WAIT_NS)
			cpu_relax();
		if (notified == before)
			test_fail("no event back after Keel drained the ring");
	}
	/* 2: a line and no notification: Keel's poll finds it. */
	ring_write("ring-line-2: written without a notification\n", 0);
	wait_drained("unnotified line");
	/* 3: wrapping the ring: 40 lines of 60 bytes go through a 2048-byte ring. */
	for (int i = 0; i < 40; i++) {
		char line[64];
		int n = 0;
		const char *pre = "ring-wrap ";

		while (pre[n]) {
			line[n] = pre[n];
			n++;
		}
		line[n++] = (char)('0' + i / 10);
		line[n++] = (char)('0' + i % 10);
		while (n < 59)
			line[n++] = '.';
		line[n++] = '\n';
		line[n] = 0;
		ring_write(line, 1);
		wait_drained("wrapping");
	}
	/* 4: hostile indices: reset with one log line, the ring works on afterwards. */
	ring->out_prod = ring->out_cons + 5000;
	ring_write("", 1);
	wait_drained("hostile indices");
	ring_write("ring-line-3: after the reset\n", 1);
	wait_drained("after the reset");
	/* 5: input: nothing was typed, so in[] is empty and its indices are sane. */
	if (ring->in_prod - ring->in_cons > XENCONS_IN_SIZE)
		test_fail("input indices %u/%u are impossible", ring->in_cons, ring->in_prod);
	con_printf("console_ring: %u input bytes waiting\n", ring->in_prod - ring->in_cons);
	test_pass();
}
