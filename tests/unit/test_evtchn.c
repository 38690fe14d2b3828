/* Unit tests for event channels (common/event/, the hypercall in common/hypercall/): ports, 2-level delivery. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/shared_info.h>

#include "handlers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

#define NR_VCPUS 3 /* vcpus[0..1] exist, vcpus[2] is a hole */

static struct domain *d;
static struct vcpu *vc[NR_VCPUS];
static struct shared_info *si;

/* The port table entry of @port (its bucket must exist). */
static struct evtchn *P(u32 port)
{
	return &d->evtchn.bucket[port / EVTCHN_BUCKET_PORTS][port % EVTCHN_BUCKET_PORTS];
}

/* Only this domain exists for domain_get(); references are counted and must be returned. */
static unsigned int refs;

struct domain *domain_get(u16 id)
{
	if (!d || id != d->id)
		return NULL;
	refs++;
	return d;
}

struct domain *domain_get_next(int after)
{
	return after < 7 ? domain_get(7) : NULL;
}

void domain_put(struct domain *x)
{
	assert_ptr_equal(x, d);
	assert_true(refs > 0);
	refs--;
}

static int setup(void **state)
{
	(void)state;
	shim_core_reset_log();
	shim_core_evtchn_reset();
	d = calloc(1, sizeof(*d));
	si = aligned_alloc(4096, 4096);
	if (!d || !si)
		return -1;
	memset(si, 0, 4096);
	d->id = 7;
	d->abi.shared_info = si;
	d->nr_vcpus = NR_VCPUS;
	for (unsigned int i = 0; i < 2; i++) {
		vc[i] = calloc(1, sizeof(struct vcpu));
		if (!vc[i])
			return -1;
		vc[i]->id = i;
		vc[i]->domain = d;
		vc[i]->vcpu_info = &si->vcpu_info[i];
		d->vcpus[i] = vc[i];
	}
	vc[2] = NULL;
	return evtchn_domain_init(d);
}

static int teardown(void **state)
{
	(void)state;
	assert_false(spin_is_locked(&d->evtchn.lock));
	evtchn_domain_destroy(d);
	assert_null(d->evtchn.bucket[0]);
	assert_int_equal(d->evtchn.nr_ports, 0);
	assert_int_equal(refs, 0);
	free(vc[0]);
	free(vc[1]);
	free(si);
	free(d);
	return 0;
}

static bool pending(u32 port)
{
	return si->evtchn_pending[port / 64] & (1ULL << (port % 64));
}

static void mask(u32 port)
{
	si->evtchn_mask[port / 64] |= 1ULL << (port % 64);
}

static bool masked(u32 port)
{
	return si->evtchn_mask[port / 64] & (1ULL << (port % 64));
}

static void test_init(void **state)
{
	(void)state;
	/* One bucket to begin with; the table grows as ports are taken. */
	assert_int_equal(d->evtchn.nr_ports, EVTCHN_BUCKET_PORTS);
	assert_non_null(d->evtchn.bucket[0]);
	assert_null(d->evtchn.bucket[1]);
	assert_int_equal(P(0)->state, EVTCHN_RESERVED);
	for (unsigned int p = 1; p < EVTCHN_BUCKET_PORTS; p++)
		assert_int_equal(P(p)->state, EVTCHN_FREE);
}

static void test_bind_virq(void **state)
{
	u32 port = 0xdead, p2;

	(void)state;
	assert_int_equal(evtchn_bind_virq(d, NR_VIRQS, 0, &port), -EINVAL);
	assert_int_equal(evtchn_bind_virq(d, 0xffffffffu, 0, &port), -EINVAL);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, NR_VCPUS, &port), -EINVAL);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 0xffffffffu, &port), -EINVAL);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 2, &port), -EINVAL); /* no such vCPU */
	assert_int_equal(port, 0xdead);

	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 1, &port), 0);
	assert_int_equal(port, 1);
	assert_int_equal(P(1)->state, EVTCHN_VIRQ);
	assert_int_equal(P(1)->virq, VIRQ_TIMER);
	assert_int_equal(P(1)->vcpu, 1);
	assert_int_equal(d->evtchn.virq_port[1][VIRQ_TIMER], 1);
	assert_int_equal(d->evtchn.virq_port[0][VIRQ_TIMER], 0);

	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 1, &p2), -EEXIST);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 0, &p2), 0); /* per vCPU */
	assert_int_equal(p2, 2);
	assert_int_equal(d->evtchn.virq_port[0][VIRQ_TIMER], 2);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_DEBUG, 1, &p2), 0);
	assert_int_equal(p2, 3);
	assert_int_equal(evtchn_bind_virq(d, NR_VIRQS - 1, 0, &p2), 0);
	assert_false(spin_is_locked(&d->evtchn.lock));
}

static void test_bind_ipi_and_reuse(void **state)
{
	u32 a, b, c, port = 77;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, NR_VCPUS, &port), -EINVAL);
	assert_int_equal(evtchn_bind_ipi(d, 2, &port), -EINVAL);
	assert_int_equal(evtchn_bind_ipi(d, 0x10000, &port), -EINVAL);
	assert_int_equal(port, 77);
	assert_int_equal(evtchn_bind_ipi(d, 0, &a), 0);
	assert_int_equal(evtchn_bind_ipi(d, 1, &b), 0);
	assert_int_equal(evtchn_bind_ipi(d, 0, &c), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(c, 3);
	assert_int_equal(P(b)->state, EVTCHN_IPI);
	assert_int_equal(P(b)->vcpu, 1);
	assert_int_equal(evtchn_close(d, b), 0);
	assert_int_equal(P(b)->state, EVTCHN_FREE);
	assert_int_equal(evtchn_bind_ipi(d, 1, &port), 0);
	assert_int_equal(port, b); /* the lowest free port again */
}

static void test_close_invalid(void **state)
{
	u32 p;

	(void)state;
	assert_int_equal(evtchn_close(d, 0), -EINVAL);
	assert_int_equal(evtchn_close(d, 1), -EINVAL); /* free */
	assert_int_equal(evtchn_close(d, EVTCHN_MAX_PORTS), -EINVAL);
	assert_int_equal(evtchn_close(d, EVTCHN_MAX_PORTS + 1), -EINVAL);
	assert_int_equal(evtchn_close(d, 0xffffffffu), -EINVAL);
	assert_int_equal(evtchn_bind_ipi(d, 0, &p), 0);
	assert_int_equal(evtchn_close(d, p), 0);
	assert_int_equal(evtchn_close(d, p), -EINVAL); /* twice */
	assert_int_equal(P(0)->state, EVTCHN_RESERVED);
	assert_false(spin_is_locked(&d->evtchn.lock));
}

static void test_close_timer_virq_and_pending(void **state)
{
	u32 p;

	(void)state;
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 0, &p), 0);
	evtchn_send_virq(vc[0], VIRQ_TIMER);
	assert_true(pending(p));
	assert_int_equal(evtchn_close(d, p), 0);
	assert_int_equal(d->evtchn.virq_port[0][VIRQ_TIMER], 0);
	assert_false(pending(p)); /* a stale event must not show on the next owner of the port */
	shim_core_nr_kicks = 0;
	evtchn_send_virq(vc[0], VIRQ_TIMER); /* unbound now: nothing */
	assert_int_equal(shim_core_nr_kicks, 0);
	assert_false(pending(p));
	/* And it can be bound again. */
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 0, &p), 0);
}

static void test_send_delivers_2level(void **state)
{
	u32 p;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 1, &p), 0);
	assert_int_equal(evtchn_send(d, p), 0);
	assert_true(pending(p));
	assert_true(si->vcpu_info[1].evtchn_pending_sel & (1ULL << (p / 64)));
	assert_int_equal(si->vcpu_info[1].upcall_pending, 1);
	assert_int_equal(si->vcpu_info[0].upcall_pending, 0);
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
	assert_int_equal(shim_core_nr_kicks, 1);
	assert_ptr_equal(shim_core_kicks[0], vc[1]);
	/* Already pending: nothing new, no second kick. */
	assert_int_equal(evtchn_send(d, p), 0);
	assert_int_equal(shim_core_nr_kicks, 1);
	/* The guest consumed it; a new send kicks again. */
	si->evtchn_pending[p / 64] = 0;
	si->vcpu_info[1].evtchn_pending_sel = 0;
	si->vcpu_info[1].upcall_pending = 0;
	assert_int_equal(evtchn_send(d, p), 0);
	assert_int_equal(shim_core_nr_kicks, 2);
	assert_int_equal(si->vcpu_info[1].upcall_pending, 1);
}

static void test_send_high_port_selector(void **state)
{
	u32 p = 0;

	(void)state;
	/* Occupy ports 1..129 so the IPI lands in pending word 2. */
	for (unsigned int i = 1; i < 130; i++)
		assert_int_equal(evtchn_bind_ipi(d, 1, &p), 0);
	assert_int_equal(evtchn_bind_ipi(d, 0, &p), 0);
	assert_int_equal(p, 130);
	assert_int_equal(evtchn_send(d, p), 0);
	assert_int_equal(si->evtchn_pending[2], 1ULL << 2);
	assert_int_equal(si->evtchn_pending[0], 0);
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 1ULL << 2);
	assert_int_equal(shim_core_nr_kicks, 1);
	/* A port in word 0 for the other vCPU: its own selector bit, its own kick. */
	assert_int_equal(evtchn_send(d, 5), 0); /* port 5 is vCPU 1's */
	assert_int_equal(si->vcpu_info[1].evtchn_pending_sel, 1ULL << 0);
	assert_int_equal(shim_core_nr_kicks, 2);
	assert_ptr_equal(shim_core_kicks[1], vc[1]);
}

static void test_send_rejects_non_ipi(void **state)
{
	u32 v;

	(void)state;
	assert_int_equal(evtchn_bind_virq(d, VIRQ_DEBUG, 0, &v), 0);
	assert_int_equal(evtchn_send(d, v), -EINVAL); /* VIRQs are raised by Keel only */
	assert_false(pending(v));
	assert_int_equal(evtchn_send(d, 0), -EINVAL);
	assert_int_equal(evtchn_send(d, v + 1), -EINVAL); /* free */
	assert_int_equal(evtchn_send(d, EVTCHN_MAX_PORTS), -EINVAL);
	assert_int_equal(evtchn_send(d, 0x80000000u), -EINVAL);
	assert_int_equal(shim_core_nr_kicks, 0);
	for (unsigned int w = 0; w < ARRAY_SIZE(si->evtchn_pending); w++)
		assert_int_equal(si->evtchn_pending[w], 0);
}

static void test_masked_then_unmask_delivers(void **state)
{
	u32 p;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 0, &p), 0);
	mask(p);
	assert_int_equal(evtchn_send(d, p), 0);
	assert_true(pending(p));
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
	assert_int_equal(si->vcpu_info[0].upcall_pending, 0);
	assert_int_equal(shim_core_nr_kicks, 0);

	assert_int_equal(evtchn_unmask(d, p), 0);
	assert_false(masked(p));
	assert_true(si->vcpu_info[0].evtchn_pending_sel & (1ULL << (p / 64)));
	assert_int_equal(si->vcpu_info[0].upcall_pending, 1);
	assert_int_equal(shim_core_nr_kicks, 1);
	assert_ptr_equal(shim_core_kicks[0], vc[0]);
	/* Unmasking again while the selector is still set: no second kick. */
	assert_int_equal(evtchn_unmask(d, p), 0);
	assert_int_equal(shim_core_nr_kicks, 1);
}

static void test_unmask_not_pending_and_invalid(void **state)
{
	u32 p;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 1, &p), 0);
	mask(p);
	mask(p + 1); /* a free port's mask bit */
	assert_int_equal(evtchn_unmask(d, p), 0);
	assert_false(masked(p));
	assert_int_equal(shim_core_nr_kicks, 0);
	assert_int_equal(si->vcpu_info[1].upcall_pending, 0);
	assert_int_equal(evtchn_unmask(d, 0), -EINVAL);
	assert_int_equal(evtchn_unmask(d, p + 1), -EINVAL);
	assert_true(masked(p + 1)); /* a refused unmask changes nothing */
	assert_int_equal(evtchn_unmask(d, EVTCHN_MAX_PORTS), -EINVAL);
	assert_int_equal(evtchn_unmask(d, 0xffffffffu), -EINVAL);
}

static void test_no_vcpu_info_pending_only(void **state)
{
	u32 p;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 1, &p), 0);
	vc[1]->vcpu_info = NULL; /* not registered yet */
	assert_int_equal(evtchn_send(d, p), 0);
	assert_true(pending(p));
	assert_int_equal(shim_core_nr_kicks, 0);
	mask(p);
	assert_int_equal(evtchn_unmask(d, p), 0);
	assert_int_equal(shim_core_nr_kicks, 0);
}

static void test_send_virq_timer(void **state)
{
	u32 p;

	(void)state;
	evtchn_send_virq(vc[0], VIRQ_TIMER); /* not bound: ignored */
	assert_int_equal(shim_core_nr_kicks, 0);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 1, &p), 0);
	evtchn_send_virq(vc[0], VIRQ_TIMER); /* bound on the other vCPU only */
	assert_int_equal(shim_core_nr_kicks, 0);
	evtchn_send_virq(vc[1], VIRQ_TIMER);
	assert_true(pending(p));
	assert_int_equal(si->vcpu_info[1].upcall_pending, 1);
	assert_int_equal(shim_core_nr_kicks, 1);
	assert_ptr_equal(shim_core_kicks[0], vc[1]);
}

static void test_bind_vcpu(void **state)
{
	u32 ipi, tmr, con, unb;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 0, &ipi), 0);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 0, &tmr), 0);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_CONSOLE, 1, &con), -EINVAL); /* global: vCPU 0 */
	assert_int_equal(evtchn_bind_virq(d, VIRQ_CONSOLE, 0, &con), 0);
	assert_int_equal(evtchn_alloc_unbound(d, DOMID_SELF, 9, &unb), 0);
	/* As Xen: a global VIRQ and an unbound port move; an IPI and a per-vCPU VIRQ do not. */
	assert_int_equal(evtchn_bind_vcpu(d, con, 1), 0);
	assert_int_equal(evtchn_bind_vcpu(d, unb, 1), 0);
	evtchn_send_global_virq(d, VIRQ_CONSOLE);
	assert_true(pending(con));
	assert_int_equal(si->vcpu_info[1].upcall_pending, 1);
	assert_int_equal(si->vcpu_info[0].upcall_pending, 0);
	assert_ptr_equal(shim_core_kicks[0], vc[1]);
	assert_int_equal(evtchn_bind_vcpu(d, ipi, 1), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(d, tmr, 1), -EINVAL); /* per-vCPU VIRQ */
	assert_int_equal(evtchn_bind_vcpu(d, con, 2), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(d, con, 0xffffffffu), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(d, 0, 0), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(d, EVTCHN_MAX_PORTS, 0), -EINVAL);
	assert_int_equal(P(con)->vcpu, 1);
	assert_int_equal(P(ipi)->vcpu, 0);
}

static void test_port_exhaustion(void **state)
{
	u32 p = 0;

	(void)state;
	for (u32 i = 1; i < EVTCHN_MAX_PORTS; i++) {
		assert_int_equal(evtchn_bind_ipi(d, i & 1, &p), 0);
		assert_int_equal(p, i);
	}
	assert_int_equal(evtchn_bind_ipi(d, 0, &p), -ENOSPC);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 0, &p), -ENOSPC);
	assert_int_equal(d->evtchn.virq_port[0][VIRQ_TIMER], 0);
	assert_false(spin_is_locked(&d->evtchn.lock));
	/* The last port works end to end. */
	assert_int_equal(evtchn_send(d, EVTCHN_MAX_PORTS - 1), 0);
	assert_true(pending(EVTCHN_MAX_PORTS - 1));
	assert_int_equal(evtchn_close(d, 500), 0);
	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, 0, &p), 0);
	assert_int_equal(p, 500);
}

/* The hypercall, with arguments in fake guest memory. */
static long op(u64 cmd, u64 arg)
{
	u64 args[6] = {cmd, arg, 0, 0, 0, 0};

	return do_event_channel_op(vc[0], args);
}

#define GVA(off) (SHIM_CORE_GUEST_BASE + (off))

static void test_hypercall_bind_send_close(void **state)
{
	struct evtchn_bind_virq bv = {VIRQ_TIMER, 1, 0xffff};
	struct evtchn_bind_ipi bi = {0, 0xffff};
	struct evtchn_port_arg pa;

	(void)state;
	memcpy(shim_core_guest_mem + 0x100, &bv, sizeof(bv));
	assert_int_equal(op(EVTCHNOP_bind_virq, GVA(0x100)), 0);
	memcpy(&bv, shim_core_guest_mem + 0x100, sizeof(bv));
	assert_int_equal(bv.port, 1); /* written back */
	assert_int_equal(d->evtchn.virq_port[1][VIRQ_TIMER], 1);

	memcpy(shim_core_guest_mem + 0x200, &bi, sizeof(bi));
	assert_int_equal(op(EVTCHNOP_bind_ipi, GVA(0x200)), 0);
	memcpy(&bi, shim_core_guest_mem + 0x200, sizeof(bi));
	assert_int_equal(bi.port, 2);

	pa.port = bi.port;
	memcpy(shim_core_guest_mem + 0x300, &pa, sizeof(pa));
	mask(bi.port);
	assert_int_equal(op(EVTCHNOP_send, GVA(0x300)), 0);
	assert_true(pending(bi.port));
	assert_int_equal(shim_core_nr_kicks, 0);
	assert_int_equal(op(EVTCHNOP_unmask, GVA(0x300)), 0);
	assert_int_equal(shim_core_nr_kicks, 1);
	assert_int_equal(op(EVTCHNOP_close, GVA(0x300)), 0);
	assert_int_equal(P(bi.port)->state, EVTCHN_FREE);
	assert_int_equal(op(EVTCHNOP_close, GVA(0x300)), -EINVAL);

	{
		u32 b[2] = {1, 0}; /* the timer VIRQ may not move */

		memcpy(shim_core_guest_mem + 0x400, b, sizeof(b));
		assert_int_equal(op(EVTCHNOP_bind_vcpu, GVA(0x400)), -EINVAL);
	}
}

static void test_hypercall_hostile(void **state)
{
	struct evtchn_bind_virq bv = {NR_VIRQS, 0, 0x1234};

	(void)state;
	/* Unmapped and partly mapped arguments. */
	assert_int_equal(op(EVTCHNOP_bind_virq, 0), -EFAULT);
	assert_int_equal(op(EVTCHNOP_bind_ipi, ~0ULL), -EFAULT);
	assert_int_equal(op(EVTCHNOP_send, GVA(SHIM_CORE_GUEST_SIZE - 2)), -EFAULT);
	assert_int_equal(op(EVTCHNOP_close, GVA(SHIM_CORE_GUEST_SIZE)), -EFAULT);
	assert_int_equal(op(EVTCHNOP_bind_vcpu, GVA(SHIM_CORE_GUEST_SIZE - 4)), -EFAULT);
	assert_int_equal(op(EVTCHNOP_bind_virq, GVA(SHIM_CORE_GUEST_SIZE - 11)), -EFAULT);
	/* A refused bind writes nothing back. */
	memcpy(shim_core_guest_mem, &bv, sizeof(bv));
	assert_int_equal(op(EVTCHNOP_bind_virq, GVA(0)), -EINVAL);
	memcpy(&bv, shim_core_guest_mem, sizeof(bv));
	assert_int_equal(bv.port, 0x1234);
	/* Unknown and unimplemented commands. */
	assert_int_equal(op(EVTCHNOP_bind_interdomain, GVA(0)), -ESRCH); /* no domain 0 */
	assert_int_equal(op(EVTCHNOP_expand_array, GVA(0)), -EINVAL);	 /* no init_control yet */
	assert_int_equal(op(EVTCHNOP_init_control, GVA(0)), -EINVAL); /* gfn 0: not its own page */
	assert_int_equal(op(0xffffffffffffffffULL, GVA(0)), -ENOSYS);
	assert_int_equal(op(1ULL << 32 | EVTCHNOP_send, GVA(0)), -ENOSYS);
	/* Nothing was bound by any of it. */
	for (unsigned int p = 1; p < 16; p++)
		assert_int_equal(P(p)->state, EVTCHN_FREE);
	assert_false(spin_is_locked(&d->evtchn.lock));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_init),
	    T(test_bind_virq),
	    T(test_bind_ipi_and_reuse),
	    T(test_close_invalid),
	    T(test_close_timer_virq_and_pending),
	    T(test_send_delivers_2level),
	    T(test_send_high_port_selector),
	    T(test_send_rejects_non_ipi),
	    T(test_masked_then_unmask_delivers),
	    T(test_unmask_not_pending_and_invalid),
	    T(test_no_vcpu_info_pending_only),
	    T(test_send_virq_timer),
	    T(test_bind_vcpu),
	    T(test_port_exhaustion),
	    T(test_hypercall_bind_send_close),
	    T(test_hypercall_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
