/* Unit tests for event channels between domains (common/event/): unbound, interdomain, Keel ports. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/shared_info.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

/* dom0 (privileged), d1 and d2: a registry domain_get() looks in, with counted references. */
#define NR_DOMS 3
static struct domain *dom[NR_DOMS];
static unsigned int refs[NR_DOMS];
static bool listed[NR_DOMS];

struct domain *domain_get(u16 id)
{
	if (id >= NR_DOMS || !listed[id])
		return NULL;
	refs[id]++;
	return dom[id];
}

struct domain *domain_get_next(int after)
{
	for (int i = after + 1; i < NR_DOMS; i++)
		if (i >= 0 && listed[i])
			return domain_get((u16)i);
	return NULL;
}

void domain_put(struct domain *d)
{
	assert_true(d->id < NR_DOMS && refs[d->id] > 0);
	refs[d->id]--;
}

static struct domain *make_domain(u16 id, bool privileged)
{
	struct domain *d = calloc(1, sizeof(*d));
	struct shared_info *si = aligned_alloc(4096, 4096);

	assert_non_null(d);
	assert_non_null(si);
	memset(si, 0, 4096);
	d->id = id;
	d->privileged = privileged;
	d->abi.shared_info = si;
	d->nr_vcpus = 2;
	for (unsigned int i = 0; i < 2; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		assert_non_null(v);
		v->id = i;
		v->domain = d;
		v->vcpu_info = &si->vcpu_info[i];
		d->vcpus[i] = v;
	}
	assert_int_equal(evtchn_domain_init(d), 0);
	listed[id] = true;
	return d;
}

/* What domain_destroy does for the ports: off the list first, then the table goes. */
static void destroy_domain(u16 id)
{
	struct domain *d = dom[id];

	if (!d)
		return;
	listed[id] = false;
	assert_int_equal(refs[id], 0);
	evtchn_domain_destroy(d);
	free(d->abi.shared_info);
	free(d->vcpus[0]);
	free(d->vcpus[1]);
	free(d);
	dom[id] = NULL;
}

static int setup(void **state)
{
	(void)state;
	shim_core_reset_log();
	shim_core_evtchn_reset();
	for (u16 i = 0; i < NR_DOMS; i++)
		dom[i] = make_domain(i, i == 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (u16 i = 0; i < NR_DOMS; i++) {
		if (dom[i])
			assert_false(spin_is_locked(&dom[i]->evtchn.lock));
		destroy_domain(i);
		assert_int_equal(refs[i], 0);
	}
	return 0;
}

static struct evtchn *P(struct domain *d, u32 port)
{
	return &d->evtchn.bucket[port / EVTCHN_BUCKET_PORTS][port % EVTCHN_BUCKET_PORTS];
}

static bool pending(struct domain *d, u32 port)
{
	return d->abi.shared_info->evtchn_pending[port / 64] & (1ULL << (port % 64));
}

static void clear_events(struct domain *d)
{
	memset(d->abi.shared_info->evtchn_pending, 0, sizeof(d->abi.shared_info->evtchn_pending));
	for (unsigned int i = 0; i < 2; i++) {
		d->abi.shared_info->vcpu_info[i].evtchn_pending_sel = 0;
		d->abi.shared_info->vcpu_info[i].upcall_pending = 0;
	}
	shim_core_nr_kicks = 0;
}

/* d1 offers a port to d2, d2 binds it: the two ends. */
static void connect(u32 *p1, u32 *p2)
{
	assert_int_equal(evtchn_alloc_unbound(dom[1], DOMID_SELF, 2, p1), 0);
	assert_int_equal(P(dom[1], *p1)->state, EVTCHN_UNBOUND);
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, *p1, p2), 0);
	clear_events(dom[1]);
	clear_events(dom[2]);
}

static void test_connect_and_ping_pong(void **state)
{
	u32 p1, p2;

	(void)state;
	assert_int_equal(evtchn_alloc_unbound(dom[1], DOMID_SELF, 2, &p1), 0);
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, p1, &p2), 0);
	assert_int_equal(P(dom[1], p1)->state, EVTCHN_INTERDOMAIN);
	assert_int_equal(P(dom[1], p1)->remote_dom, 2);
	assert_int_equal(P(dom[1], p1)->remote_port, p2);
	assert_int_equal(P(dom[2], p2)->remote_dom, 1);
	assert_int_equal(P(dom[2], p2)->remote_port, p1);
	assert_true(pending(dom[2], p2)); /* as Xen: the new end starts pending */
	clear_events(dom[1]);
	clear_events(dom[2]);

	assert_int_equal(evtchn_send(dom[1], p1), 0);
	assert_true(pending(dom[2], p2));
	assert_false(pending(dom[1], p1));
	assert_int_equal(shim_core_nr_kicks, 1);
	assert_ptr_equal(shim_core_kicks[0], dom[2]->vcpus[0]);
	/* The peer's end moves to its vCPU 1: the reply and the next ping go where they are bound. */
	assert_int_equal(evtchn_bind_vcpu(dom[2], p2, 1), 0);
	assert_int_equal(evtchn_send(dom[2], p2), 0);
	assert_true(pending(dom[1], p1));
	clear_events(dom[2]);
	assert_int_equal(evtchn_send(dom[1], p1), 0);
	assert_ptr_equal(shim_core_kicks[0], dom[2]->vcpus[1]);
	assert_int_equal(dom[2]->abi.shared_info->vcpu_info[1].upcall_pending, 1);
	for (u16 i = 0; i < NR_DOMS; i++)
		assert_int_equal(refs[i], 0);
}

static void test_permissions(void **state)
{
	u32 p, q = 0x5555;

	(void)state;
	/* Only the privileged domain allocates in another domain. */
	assert_int_equal(evtchn_alloc_unbound(dom[1], 2, 1, &p), -EPERM);
	assert_int_equal(evtchn_alloc_unbound(dom[0], 1, 2, &p), 0);
	assert_int_equal(P(dom[1], p)->state, EVTCHN_UNBOUND);
	assert_int_equal(evtchn_alloc_unbound(dom[0], 9, 1, &q), -ESRCH);
	assert_int_equal(evtchn_alloc_unbound(dom[1], DOMID_SELF, DOMID_INVALID, &q), -EINVAL);
	assert_int_equal(q, 0x5555);
	/* d1's port was offered to d2: dom0 may not take it, nor may d1 itself. */
	assert_int_equal(evtchn_bind_interdomain(dom[0], 1, p, &q), -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(dom[1], DOMID_SELF, p, &q), -EINVAL);
	/* Bad remote ports: 0, free, out of range, a VIRQ or IPI, the reserved range. */
	assert_int_equal(evtchn_bind_ipi(dom[1], 0, &q), 0);
	for (u32 bad = 0; bad < 6; bad++) {
		u32 ports[] = {0, p + 5, EVTCHN_MAX_PORTS, 0xffffffffu, q, EVTCHN_BUCKET_PORTS};

		assert_int_equal(evtchn_bind_interdomain(dom[2], 1, ports[bad], &q), -EINVAL);
	}
	assert_int_equal(evtchn_bind_interdomain(dom[2], 7, p, &q), -ESRCH); /* no such domain */
	assert_int_equal(evtchn_bind_interdomain(dom[2], DOMID_SELF, p, &q), -EINVAL);
	/* The right domain binds once; a second bind finds it taken. */
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, p, &q), 0);
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, p, &q), -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(dom[0], 1, p, &q), -EINVAL);
	/* A dying domain takes no new binding. */
	assert_int_equal(evtchn_alloc_unbound(dom[1], DOMID_SELF, 2, &p), 0);
	dom[1]->life.dying = true;
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, p, &q), -ESRCH);
	dom[1]->life.dying = false;
}

static void test_close_leaves_peer_unbound(void **state)
{
	u32 p1, p2, again;

	(void)state;
	connect(&p1, &p2);
	assert_int_equal(evtchn_close(dom[1], p1), 0);
	assert_int_equal(P(dom[1], p1)->state, EVTCHN_FREE);
	assert_int_equal(P(dom[2], p2)->state, EVTCHN_UNBOUND);
	assert_int_equal(P(dom[2], p2)->remote_dom, 1);	     /* d1 may bind to it again */
	assert_int_equal(evtchn_close(dom[1], p1), -EINVAL); /* twice */
	assert_int_equal(evtchn_send(dom[1], p1), -EINVAL);  /* closed */
	assert_int_equal(evtchn_send(dom[2], p2), 0);	     /* unbound: dropped */
	assert_int_equal(shim_core_nr_kicks, 0);
	assert_false(pending(dom[1], p1));
	/* Reconnect from the other side, then close that end. */
	assert_int_equal(evtchn_bind_interdomain(dom[1], 2, p2, &again), 0);
	clear_events(dom[1]);
	assert_int_equal(evtchn_send(dom[2], p2), 0);
	assert_true(pending(dom[1], again));
	assert_int_equal(evtchn_close(dom[2], p2), 0);
	assert_int_equal(P(dom[1], again)->state, EVTCHN_UNBOUND);
	assert_int_equal(P(dom[1], again)->remote_dom, 2);
}

static void test_peer_destroyed(void **state)
{
	u32 p1, p2, other;

	(void)state;
	connect(&p1, &p2);
	destroy_domain(2);
	assert_int_equal(P(dom[1], p1)->state, EVTCHN_UNBOUND);
	assert_int_equal(P(dom[1], p1)->remote_dom, 2);
	assert_int_equal(evtchn_send(dom[1], p1), 0);
	assert_int_equal(evtchn_close(dom[1], p1), 0);
	/* A peer already off the list (being destroyed): the close frees only its own end. */
	dom[2] = make_domain(2, false);
	connect(&p1, &p2);
	listed[2] = false;
	assert_int_equal(evtchn_send(dom[1], p1), 0); /* dropped */
	assert_int_equal(evtchn_close(dom[1], p1), 0);
	assert_int_equal(evtchn_bind_ipi(dom[1], 0, &other), 0);
	assert_int_equal(other, p1); /* the port is reused... */
	listed[2] = true;
	destroy_domain(2); /* ...and the late destruction leaves the new binding alone */
	assert_int_equal(P(dom[1], other)->state, EVTCHN_IPI);
}

static void test_loopback(void **state)
{
	u32 a, b;

	(void)state;
	assert_int_equal(evtchn_alloc_unbound(dom[1], DOMID_SELF, DOMID_SELF, &a), 0);
	assert_int_equal(evtchn_bind_interdomain(dom[1], DOMID_SELF, a, &b), 0);
	clear_events(dom[1]);
	assert_int_equal(evtchn_send(dom[1], a), 0);
	assert_true(pending(dom[1], b));
	assert_false(pending(dom[1], a));
	assert_int_equal(evtchn_close(dom[1], b), 0);
	assert_int_equal(P(dom[1], a)->state, EVTCHN_UNBOUND);
	assert_int_equal(refs[1], 0);
}

static void test_status(void **state)
{
	struct evtchn_status st;
	u32 p1, p2, v;

	(void)state;
	connect(&p1, &p2);
	assert_int_equal(evtchn_bind_virq(dom[1], VIRQ_DEBUG, 1, &v), 0);
	st = (struct evtchn_status){.dom = DOMID_SELF, .port = p1};
	assert_int_equal(evtchn_status(dom[1], &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 2);
	assert_int_equal(st.u.interdomain.port, p2);
	st = (struct evtchn_status){.dom = 1, .port = v};
	assert_int_equal(evtchn_status(dom[1], &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.u.virq, VIRQ_DEBUG);
	assert_int_equal(st.vcpu, 1);
	st = (struct evtchn_status){.dom = DOMID_SELF, .port = 0};
	assert_int_equal(evtchn_status(dom[1], &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	st = (struct evtchn_status){.dom = DOMID_SELF, .port = EVTCHN_MAX_PORTS - 1};
	assert_int_equal(evtchn_status(dom[1], &st), 0); /* in range, never allocated */
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	st = (struct evtchn_status){.dom = DOMID_SELF, .port = EVTCHN_MAX_PORTS};
	assert_int_equal(evtchn_status(dom[1], &st), -EINVAL);
	/* Another domain's ports: the privileged domain only. */
	st = (struct evtchn_status){.dom = 2, .port = p2};
	assert_int_equal(evtchn_status(dom[1], &st), -EPERM);
	assert_int_equal(evtchn_status(dom[0], &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 1);
	assert_int_equal(evtchn_close(dom[1], p1), 0);
	assert_int_equal(evtchn_status(dom[0], &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1);
	st.dom = 9;
	assert_int_equal(evtchn_status(dom[0], &st), -ESRCH);
}

static struct domain *cb_dom;
static u32 cb_port;
static unsigned int cb_calls;

static void console_cb(struct domain *d, u32 port)
{
	cb_dom = d;
	cb_port = port;
	cb_calls++;
	/* The service runs with no port lock held: it may notify right away. */
	evtchn_notify_keel(d, EVTCHN_KEEL_CONSOLE, port);
}

static void test_keel_ports(void **state)
{
	struct evtchn_status st;
	u32 k, ipi, p1, p2;

	(void)state;
	evtchn_keel_register(EVTCHN_KEEL_CONSOLE, console_cb);
	assert_int_equal(evtchn_alloc_keel(dom[1], EVTCHN_KEEL_NR, &k), -EINVAL);
	assert_int_equal(evtchn_alloc_keel(dom[1], EVTCHN_KEEL_CONSOLE, &k), 0);
	st = (struct evtchn_status){.dom = DOMID_SELF, .port = k};
	assert_int_equal(evtchn_status(dom[1], &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, DOMID_XEN);
	/* Another domain cannot bind to it. */
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, k, &p2), -EINVAL);
	assert_int_equal(evtchn_send(dom[1], k), 0);
	assert_int_equal(cb_calls, 1);
	assert_ptr_equal(cb_dom, dom[1]);
	assert_int_equal(cb_port, k);
	assert_true(pending(dom[1], k));
	/* Notify for the wrong service or port: nothing. */
	clear_events(dom[1]);
	evtchn_notify_keel(dom[1], EVTCHN_KEEL_XENSTORE, k);
	assert_int_equal(evtchn_bind_ipi(dom[1], 0, &ipi), 0);
	evtchn_notify_keel(dom[1], EVTCHN_KEEL_CONSOLE, ipi);
	evtchn_notify_keel(dom[1], EVTCHN_KEEL_CONSOLE, EVTCHN_MAX_PORTS + 3);
	assert_false(pending(dom[1], k));
	assert_false(pending(dom[1], ipi));
	/* Reset closes the guest's own ports and interdomain ends, not Keel's. */
	connect(&p1, &p2);
	assert_int_equal(evtchn_reset(dom[1], 2), -EPERM);
	assert_int_equal(evtchn_reset(dom[2], DOMID_SELF), 0);
	assert_int_equal(P(dom[2], p2)->state, EVTCHN_FREE);
	assert_int_equal(P(dom[1], p1)->state, EVTCHN_UNBOUND); /* the peer's end, now unbound */
	assert_int_equal(evtchn_reset(dom[1], DOMID_SELF), 0);
	assert_int_equal(P(dom[1], ipi)->state, EVTCHN_FREE);
	assert_int_equal(P(dom[1], p1)->state, EVTCHN_FREE);
	assert_int_equal(P(dom[1], k)->state, EVTCHN_KEEL);
	/* Closed by the guest: no callback, no notify. */
	assert_int_equal(evtchn_close(dom[1], k), 0);
	assert_int_equal(evtchn_send(dom[1], k), -EINVAL);
	assert_int_equal(cb_calls, 1);
	evtchn_notify_keel(dom[1], EVTCHN_KEEL_CONSOLE, k);
	assert_false(pending(dom[1], k));
	evtchn_keel_register(EVTCHN_KEEL_CONSOLE, NULL);
}

static void test_growth_and_limit(void **state)
{
	u32 p = 0, q;

	(void)state;
	assert_int_equal(dom[2]->evtchn.nr_ports, EVTCHN_BUCKET_PORTS);
	for (u32 i = 1; i < EVTCHN_MAX_PORTS; i++) {
		assert_int_equal(evtchn_alloc_unbound(dom[2], DOMID_SELF, 1, &p), 0);
		assert_int_equal(p, i);
	}
	assert_int_equal(dom[2]->evtchn.nr_ports, EVTCHN_MAX_PORTS);
	assert_int_equal(evtchn_alloc_unbound(dom[2], DOMID_SELF, 1, &q), -ENOSPC);
	/* The last port, in the last bucket, connects and delivers into the last bitmap word. */
	assert_int_equal(evtchn_bind_interdomain(dom[1], 2, EVTCHN_MAX_PORTS - 1, &q), 0);
	clear_events(dom[2]);
	assert_int_equal(evtchn_send(dom[1], q), 0);
	assert_true(pending(dom[2], EVTCHN_MAX_PORTS - 1));
	assert_int_equal(dom[2]->abi.shared_info->vcpu_info[0].evtchn_pending_sel, 1ULL << 63);
	/* A full table cannot bind: d1 offers d2 a port, d2 has no room for its end. */
	assert_int_equal(evtchn_alloc_unbound(dom[1], DOMID_SELF, 2, &p), 0);
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, p, &q), -ENOSPC);
	assert_int_equal(P(dom[1], p)->state, EVTCHN_UNBOUND); /* unchanged */
}

static void test_all_virqs(void **state)
{
	u32 p;

	(void)state;
	for (u32 virq = 0; virq < NR_VIRQS; virq++) {
		bool per_vcpu = evtchn_virq_is_per_vcpu(virq);

		assert_int_equal(evtchn_bind_virq(dom[1], virq, 1, &p), per_vcpu ? 0 : -EINVAL);
		assert_int_equal(evtchn_bind_virq(dom[1], virq, 0, &p), 0);
		assert_int_equal(evtchn_bind_virq(dom[1], virq, 0, &p), -EEXIST);
		clear_events(dom[1]);
		if (per_vcpu)
			evtchn_send_virq(dom[1]->vcpus[0], virq);
		else
			evtchn_send_global_virq(dom[1], virq);
		assert_true(pending(dom[1], p));
		assert_int_equal(evtchn_send(dom[1], p), -EINVAL); /* raised by Keel only */
	}
	assert_true(evtchn_virq_is_per_vcpu(VIRQ_TIMER));
	assert_true(evtchn_virq_is_per_vcpu(VIRQ_DEBUG));
	assert_false(evtchn_virq_is_per_vcpu(VIRQ_DOM_EXC));
	assert_false(evtchn_virq_is_per_vcpu(VIRQ_CONSOLE));
	evtchn_send_global_virq(dom[1], NR_VIRQS); /* out of range: ignored */
	evtchn_send_virq(dom[1]->vcpus[0], 0xffffffffu);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_connect_and_ping_pong),
	    T(test_permissions),
	    T(test_close_leaves_peer_unbound),
	    T(test_peer_destroyed),
	    T(test_loopback),
	    T(test_status),
	    T(test_keel_ports),
	    T(test_growth_and_limit),
	    T(test_all_virqs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
