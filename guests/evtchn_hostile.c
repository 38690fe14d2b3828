/* Test guest evtchn_hostile: event-channel calls that must be refused, and a victim untouched. */
#include "bootargs.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"

#include <public/errno.h>
#include <public/event_channel.h>

const char guest_name[] = "evtchn_hostile";

/* The command line names a victim domain (victim=DOMID) whose ports it tries to take. */
#define PROBE_PORTS 64

static long op(int cmd, void *arg)
{
	return hv_event_channel_op(cmd, arg);
}

static long port_op(int cmd, evtchn_port_t port)
{
	struct evtchn_port_arg a = {.port = port};

	return op(cmd, &a);
}

#define EXPECT_RC(call, want)                                                                 \
	do {                                                                                  \
		long rc_ = (call);                                                            \
		if (rc_ != (want))                                                            \
			test_fail("%s returned %ld, expected %ld", #call, rc_, (long)(want)); \
	} while (0)

static void bad_port_numbers(void)
{
	static const evtchn_port_t bad[] = {0, 4096, 4097, 65536, 0x7fffffffu, 0xffffffffu, 999};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct evtchn_bind_vcpu bv = {.port = bad[i], .vcpu = 0};
		struct evtchn_status st = {.dom = DOMID_SELF, .port = bad[i]};

		EXPECT_RC(port_op(EVTCHNOP_send, bad[i]), -EINVAL);
		EXPECT_RC(port_op(EVTCHNOP_close, bad[i]), -EINVAL);
		EXPECT_RC(port_op(EVTCHNOP_unmask, bad[i]), -EINVAL);
		EXPECT_RC(op(EVTCHNOP_bind_vcpu, &bv), -EINVAL);
		if (bad[i] >= 4096)
			EXPECT_RC(op(EVTCHNOP_status, &st), -EINVAL);
	}
}

static void other_domains_ports(uint16_t victim)
{
	struct evtchn_alloc_unbound a = {.dom = victim, .remote_dom = DOMID_SELF};
	struct evtchn_status st = {.dom = victim, .port = 1};
	struct evtchn_reset r = {.dom = victim};
	unsigned int refused = 0;

	EXPECT_RC(op(EVTCHNOP_alloc_unbound, &a), -EPERM);
	EXPECT_RC(op(EVTCHNOP_status, &st), -EPERM);
	EXPECT_RC(op(EVTCHNOP_reset, &r), -EPERM);
	/* None of the victim's ports was offered to us: every bind must fail. */
	for (evtchn_port_t p = 0; p <= PROBE_PORTS; p++) {
		struct evtchn_bind_interdomain b = {.remote_dom = victim, .remote_port = p};
		long rc = op(EVTCHNOP_bind_interdomain, &b);

		if (rc == 0)
			test_fail("bound d%u's port %u without it being offered", victim, p);
		refused++;
	}
	{
		struct evtchn_bind_interdomain b = {.remote_dom = 0x7ff7, .remote_port = 1};

		EXPECT_RC(op(EVTCHNOP_bind_interdomain, &b), -ESRCH);
	}
	con_printf("evtchn_hostile: %u binds to d%u refused\n", refused, victim);
}

static void close_twice_and_send_closed(void)
{
	struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
	struct evtchn_bind_interdomain b;
	struct evtchn_status st;

	EXPECT_RC(op(EVTCHNOP_alloc_unbound, &a), 0);
	b = (struct evtchn_bind_interdomain){.remote_dom = DOMID_SELF, .remote_port = a.port};
	EXPECT_RC(op(EVTCHNOP_bind_interdomain, &b), 0); /* a loopback channel */
	EXPECT_RC(port_op(EVTCHNOP_send, a.port), 0);
	EXPECT_RC(port_op(EVTCHNOP_close, b.local_port), 0);
	EXPECT_RC(port_op(EVTCHNOP_close, b.local_port), -EINVAL);
	EXPECT_RC(port_op(EVTCHNOP_send, b.local_port), -EINVAL);
	st = (struct evtchn_status){.dom = DOMID_SELF, .port = a.port};
	EXPECT_RC(op(EVTCHNOP_status, &st), 0);
	if (st.status != EVTCHNSTAT_unbound)
		test_fail("the other end of a closed loopback is in state %u, not unbound",
			  st.status);
	EXPECT_RC(port_op(EVTCHNOP_send, a.port), 0); /* unbound: accepted, goes nowhere */
	EXPECT_RC(port_op(EVTCHNOP_close, a.port), 0);
	EXPECT_RC(port_op(EVTCHNOP_close, a.port), -EINVAL);
	{
		struct evtchn_bind_virq v = {.virq = VIRQ_DOM_EXC, .vcpu = 1};

		EXPECT_RC(op(EVTCHNOP_bind_virq, &v), -EINVAL); /* global VIRQ, not on vCPU 0 */
		v = (struct evtchn_bind_virq){.virq = NR_VIRQS, .vcpu = 0};
		EXPECT_RC(op(EVTCHNOP_bind_virq, &v), -EINVAL);
	}
	/* Reset closes everything it bound; our console port (Keel's) stays. */
	{
		struct evtchn_reset r = {.dom = DOMID_SELF};
		struct evtchn_bind_ipi ipi = {.vcpu = 0};

		EXPECT_RC(op(EVTCHNOP_bind_ipi, &ipi), 0);
		EXPECT_RC(op(EVTCHNOP_reset, &r), 0);
		EXPECT_RC(port_op(EVTCHNOP_send, ipi.port), -EINVAL);
	}
}

void guest_main(void)
{
	uint64_t victim = bootargs_get_u64(boot_cmdline, "victim", 0);
	long rc;

	test_require_hv();
	if (victim == 0 || victim >= DOMID_FIRST_RESERVED)
		test_fail("usage: victim=DOMID");
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	bad_port_numbers();
	other_domains_ports((uint16_t)victim);
	close_twice_and_send_closed();
	test_pass();
}
