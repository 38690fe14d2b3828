/* Test guest evtchn_pingpong: two domains ping-pong over alloc_unbound + bind_interdomain. */
#include "bootargs.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "stats.h"
#include "test.h"
#include "x86.h"

#include <public/errno.h>
#include <public/event_channel.h>

const char guest_name[] = "evtchn_pingpong";

/*
 * Rendezvous without xenstore (command line: role=server|client peer=DOMID rounds=N): the
 * server allocates the first free port of its own for the client's domain id
 * (EVTCHNOP_alloc_unbound); the client tries EVTCHNOP_bind_interdomain on the server's ports
 * 1..RENDEZVOUS_PORTS, over and over for up to 10 s, until one succeeds (only a port offered to
 * it can). Then the client sends `rounds` pings, each answered by the server, and times each
 * round trip with the TSC; then it closes its end, and the server must see its own port turn
 * unbound (EVTCHNOP_status) before both pass.
 */
#define RENDEZVOUS_PORTS 64
#define ROUNDS_MAX	 1024
#define WAIT_NS		 (10000 * NS_PER_MS)

static volatile uint32_t events_seen;
static evtchn_port_t my_port;
static int is_server;
static uint64_t rtt[ROUNDS_MAX];

static long send_port(evtchn_port_t port)
{
	struct evtchn_port_arg a = {.port = port};

	return hv_event_channel_op(EVTCHNOP_send, &a);
}

static void on_event(evtchn_port_t port, void *ctx)
{
	(void)ctx;
	events_seen++;
	if (is_server) {
		long rc = send_port(port); /* pong */

		if (rc)
			test_fail("server: send on port %u returned %ld", port, rc);
	}
}

/* Halt until an event beyond @old arrives, for at most WAIT_NS. */
static void wait_event(uint32_t old, const char *what)
{
	uint64_t t0 = time_now_ns();

	irq_disable();
	while (events_seen == old) {
		safe_halt();
		irq_disable();
		if (time_now_ns() - t0 > WAIT_NS)
			test_fail("%s: no event within 10 s", what);
	}
	irq_enable();
}

static uint32_t port_status(evtchn_port_t port, uint16_t *dom)
{
	struct evtchn_status st = {.dom = DOMID_SELF, .port = port};
	long rc = hv_event_channel_op(EVTCHNOP_status, &st);

	if (rc)
		test_fail("EVTCHNOP_status(%u) returned %ld", port, rc);
	*dom = st.u.interdomain.dom;
	return st.status;
}

static void server(uint16_t peer, uint64_t rounds)
{
	struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = peer, .port = 0};
	uint64_t t0;
	uint16_t dom;
	long rc;

	is_server = 1;
	rc = hv_event_channel_op(EVTCHNOP_alloc_unbound, &a);
	if (rc)
		test_fail("server: alloc_unbound for d%u returned %ld", peer, rc);
	my_port = a.port;
	events_set_handler(my_port, on_event, 0);
	/* Unbound, or already bound by the client, which retries all along. */
	switch (port_status(my_port, &dom)) {
	case EVTCHNSTAT_unbound:
	case EVTCHNSTAT_interdomain:
		if (dom == peer)
			break;
		/* fall through */
	default:
		test_fail("server: port %u is neither offered to nor bound by d%u after "
			  "alloc_unbound",
			  my_port, peer);
	}
	con_printf("pingpong: server offers port %u to d%u\n", my_port, peer);
	irq_enable();
	/* Pings are answered from the upcall; wait for all, then for the client's close. */
	t0 = time_now_ns();
	while (events_seen < rounds) {
		if (time_now_ns() - t0 > 3 * WAIT_NS)
			test_fail("server: %u of %lu pings in 30 s", events_seen,
				  (unsigned long)rounds);
		irq_disable();
		if (events_seen < rounds)
			safe_halt();
		irq_enable();
	}
	t0 = time_now_ns();
	while (port_status(my_port, &dom) == EVTCHNSTAT_interdomain) {
		if (time_now_ns() - t0 > WAIT_NS)
			test_fail("server: port %u still connected 10 s after the last ping",
				  my_port);
		cpu_relax();
	}
	if (port_status(my_port, &dom) != EVTCHNSTAT_unbound || dom != peer)
		test_fail("server: after the client's close port %u is not unbound for d%u",
			  my_port, peer);
	con_printf("pingpong: server answered %u pings; port %u unbound again\n", events_seen,
		   my_port);
	test_pass();
}

static void client(uint16_t peer, uint64_t rounds)
{
	struct evtchn_bind_interdomain b;
	struct evtchn_port_arg c;
	uint64_t t0 = time_now_ns();
	uint16_t dom;
	long rc = -EINVAL;

	while (rc) {
		for (evtchn_port_t p = 1; p <= RENDEZVOUS_PORTS && rc; p++) {
			b = (struct evtchn_bind_interdomain){.remote_dom = peer, .remote_port = p};
			rc = hv_event_channel_op(EVTCHNOP_bind_interdomain, &b);
			if (rc && rc != -EINVAL)
				test_fail("client: bind_interdomain(d%u, %u) returned %ld", peer, p,
					  rc);
		}
		if (rc && time_now_ns() - t0 > WAIT_NS)
			test_fail("client: no port of d%u could be bound in 10 s", peer);
	}
	my_port = b.local_port;
	events_set_handler(my_port, on_event, 0);
	if (port_status(my_port, &dom) != EVTCHNSTAT_interdomain || dom != peer)
		test_fail("client: port %u is not connected to d%u", my_port, peer);
	con_printf("pingpong: client bound d%u port %u as port %u\n", peer, b.remote_port, my_port);
	/* As Xen, a new interdomain end starts pending: take that event first. */
	wait_event(0, "client: the bind's own event");
	for (uint64_t i = 0; i < rounds; i++) {
		uint32_t old = events_seen;
		uint64_t t1 = rdtsc_ordered();

		rc = send_port(my_port);
		if (rc)
			test_fail("client: send returned %ld", rc);
		wait_event(old, "client: pong");
		rtt[i] = rdtsc_ordered() - t1;
	}
	con_printf("BENCH evtchn_rtt=%lu\n", (unsigned long)stats_median_u64(rtt, rounds));
	c.port = my_port;
	rc = hv_event_channel_op(EVTCHNOP_close, &c);
	if (rc)
		test_fail("client: close returned %ld", rc);
	rc = send_port(my_port);
	if (rc != -EINVAL)
		test_fail("client: send on a closed port returned %ld, not -EINVAL", rc);
	test_pass();
}

void guest_main(void)
{
	char role[16];
	uint64_t peer = bootargs_get_u64(boot_cmdline, "peer", 0);
	uint64_t rounds = bootargs_get_u64(boot_cmdline, "rounds", 100);
	long rc;

	test_require_hv();
	if (bootargs_get(boot_cmdline, "role", role, sizeof(role)) < 0 || peer == 0 ||
	    peer >= DOMID_FIRST_RESERVED || rounds == 0 || rounds > ROUNDS_MAX)
		test_fail("usage: role=server|client peer=DOMID rounds=1..%d", ROUNDS_MAX);
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	rc = events_init();
	if (rc)
		test_fail("HVMOP_set_param(CALLBACK_IRQ) returned %ld", rc);
	if (role[0] == 's')
		server((uint16_t)peer, rounds);
	client((uint16_t)peer, rounds);
}
