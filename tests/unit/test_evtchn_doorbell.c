/* Unit tests for common/event/doorbell.c: Keel-made channels: waiting, connected, mended. */
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

/* Domains 1..4 (A, B, B rebuilt, an intruder): a registry domain_get() looks in. */
#define NR_DOMS 5
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

static void make_domain(u16 id)
{
	struct domain *d = calloc(1, sizeof(*d));
	struct shared_info *si = aligned_alloc(4096, 4096);
	struct vcpu *v = calloc(1, sizeof(*v));

	assert_non_null(d);
	assert_non_null(si);
	assert_non_null(v);
	memset(si, 0, 4096);
	d->id = id;
	d->abi.shared_info = si;
	d->nr_vcpus = 1;
	v->domain = d;
	v->vcpu_info = &si->vcpu_info[0];
	d->vcpus[0] = v;
	assert_int_equal(evtchn_domain_init(d), 0);
	listed[id] = true;
	dom[id] = d;
}

/* As domain_destroy: off the list, the doorbells detached from the peer, then the table. */
static void destroy_domain(u16 id, u16 peer, u32 peer_port)
{
	struct domain *d = dom[id];

	if (!d)
		return;
	listed[id] = false;
	if (peer && dom[peer])
		evtchn_doorbell_detach(d, dom[peer], peer_port);
	evtchn_domain_destroy(d);
	free(d->abi.shared_info);
	free(d->vcpus[0]);
	free(d);
	dom[id] = NULL;
}

static int setup(void **state)
{
	(void)state;
	shim_core_reset_log();
	shim_core_evtchn_reset();
	memset(dom, 0, sizeof(dom));
	make_domain(1);
	make_domain(2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (u16 i = 0; i < NR_DOMS; i++) {
		destroy_domain(i, 0, 0);
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
	d->abi.shared_info->vcpu_info[0].evtchn_pending_sel = 0;
	d->abi.shared_info->vcpu_info[0].upcall_pending = 0;
}

static void test_waiting_port_is_no_ones(void **state)
{
	struct evtchn_status st = {.dom = DOMID_SELF};
	u32 a, q;

	(void)state;
	assert_int_equal(evtchn_alloc_doorbell(dom[1], &a), 0);
	assert_int_equal(P(dom[1], a)->state, EVTCHN_UNBOUND);
	/* No guest can bind it, whatever id it has; sending on it does nothing. */
	for (u16 i = 1; i <= 2; i++)
		assert_int_equal(evtchn_bind_interdomain(dom[i], 1, a, &q), -EINVAL);
	assert_int_equal(evtchn_send(dom[1], a), 0);
	assert_false(pending(dom[1], a));
	st.port = a;
	assert_int_equal(evtchn_status(dom[1], &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, DOMID_INVALID);
}

static void test_connect_rings_both_ends(void **state)
{
	u32 a, b;

	(void)state;
	assert_int_equal(evtchn_alloc_doorbell(dom[1], &a), 0);
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], a, &b), 0);
	assert_int_equal(P(dom[1], a)->state, EVTCHN_INTERDOMAIN);
	assert_int_equal(P(dom[1], a)->remote_dom, 2);
	assert_int_equal(P(dom[1], a)->remote_port, b);
	assert_int_equal(P(dom[2], b)->remote_dom, 1);
	assert_int_equal(P(dom[2], b)->remote_port, a);
	assert_true(pending(dom[1], a));
	assert_true(pending(dom[2], b));
	clear_events(dom[1]);
	clear_events(dom[2]);
	/* An ordinary interdomain channel from here on, both ways. */
	assert_int_equal(evtchn_send(dom[1], a), 0);
	assert_true(pending(dom[2], b));
	assert_int_equal(evtchn_send(dom[2], b), 0);
	assert_true(pending(dom[1], a));
	/* Only a waiting port connects; not twice, not to itself, not a port that is not there. */
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], a, &b), -ENOENT);
	assert_int_equal(evtchn_connect_doorbell(dom[1], dom[1], a, &b), -EINVAL);
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], 999, &b), -ENOENT);
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], 0, &b), -ENOENT);
	for (u16 i = 0; i < NR_DOMS; i++)
		assert_int_equal(refs[i], 0);
}

static void test_rebuilt_peer_gets_the_same_port(void **state)
{
	u32 a, b, b2;

	(void)state;
	assert_int_equal(evtchn_alloc_doorbell(dom[1], &a), 0);
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], a, &b), 0);
	/* B goes: A's port waits again, under the same number. */
	destroy_domain(2, 1, a);
	assert_int_equal(P(dom[1], a)->state, EVTCHN_UNBOUND);
	assert_int_equal(P(dom[1], a)->remote_dom, DOMID_INVALID);
	assert_int_equal(evtchn_send(dom[1], a), 0); /* nobody there: nothing */
	/* B rebuilt (a new id): connected to the same port of A. */
	make_domain(3);
	clear_events(dom[1]);
	assert_int_equal(evtchn_connect_doorbell(dom[3], dom[1], a, &b2), 0);
	assert_int_equal(P(dom[1], a)->remote_dom, 3);
	assert_int_equal(P(dom[1], a)->remote_port, b2);
	assert_true(pending(dom[1], a)); /* A learns that B is back */
	clear_events(dom[3]);
	assert_int_equal(evtchn_send(dom[1], a), 0);
	assert_true(pending(dom[3], b2));
}

static void test_detach_after_the_guest_closed_its_end(void **state)
{
	u32 a, b, q;

	(void)state;
	assert_int_equal(evtchn_alloc_doorbell(dom[1], &a), 0);
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], a, &b), 0);
	/* B's guest closes its end: A's port is unbound for B, which may bind it again itself. */
	assert_int_equal(evtchn_close(dom[2], b), 0);
	assert_int_equal(P(dom[1], a)->remote_dom, 2);
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, a, &q), 0);
	assert_int_equal(evtchn_close(dom[2], q), 0);
	/* B goes: A's port waits for Keel again, not for B's old id. */
	destroy_domain(2, 1, a);
	assert_int_equal(P(dom[1], a)->remote_dom, DOMID_INVALID);
	make_domain(2); /* a domain with the old id cannot take it */
	assert_int_equal(evtchn_bind_interdomain(dom[2], 1, a, &q), -EINVAL);
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], a, &q), 0);
}

static void test_detach_leaves_other_ports_alone(void **state)
{
	u32 a, b, x, y;

	(void)state;
	assert_int_equal(evtchn_alloc_doorbell(dom[1], &a), 0);
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], a, &b), 0);
	/* A's guest closes its doorbell and reuses the number for a channel elsewhere. */
	assert_int_equal(evtchn_close(dom[1], a), 0);
	make_domain(4);
	assert_int_equal(evtchn_alloc_unbound(dom[1], DOMID_SELF, 4, &x), 0);
	assert_int_equal(x, a);
	assert_int_equal(evtchn_bind_interdomain(dom[4], 1, x, &y), 0);
	destroy_domain(2, 1, a);
	assert_int_equal(P(dom[1], a)->state, EVTCHN_INTERDOMAIN);
	assert_int_equal(P(dom[1], a)->remote_dom, 4);
	/* The rebuilt B finds no waiting port: the builder gives it a waiting one of its own. */
	make_domain(3);
	assert_int_equal(evtchn_connect_doorbell(dom[3], dom[1], a, &b), -ENOENT);
	destroy_domain(4, 0, 0);
}

static void test_connect_grows_the_table(void **state)
{
	u32 a, b, p;

	(void)state;
	assert_int_equal(evtchn_alloc_doorbell(dom[1], &a), 0);
	/* B's first bucket full: the connect grows its table. */
	for (u32 i = 1; i < EVTCHN_BUCKET_PORTS; i++)
		assert_int_equal(evtchn_bind_ipi(dom[2], 0, &p), 0);
	assert_int_equal(evtchn_connect_doorbell(dom[2], dom[1], a, &b), 0);
	assert_int_equal(b, EVTCHN_BUCKET_PORTS);
	assert_int_equal(P(dom[1], a)->remote_port, b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_waiting_port_is_no_ones),	     T(test_connect_rings_both_ends),
	    T(test_rebuilt_peer_gets_the_same_port), T(test_detach_after_the_guest_closed_its_end),
	    T(test_detach_leaves_other_ports_alone), T(test_connect_grows_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
