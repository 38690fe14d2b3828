/* Unit tests for the rt policy: reservations met beside fair share, admission, priorities, budgets. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/sched.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shim_sched.h"

#define US 1000ULL

static char why[256];

/* A unit of the test's own, inserted (BLOCKED) on a machine set up by sim_init. */
static void unit_new(struct sim_vcpu *v, unsigned int id, unsigned int weight, u64 affinity)
{
	sim_vcpu_init(v, id, weight, 0, affinity);
	assert_int_equal(sched_insert(&v->unit), 0);
}

static void rt_set(struct sim_vcpu *v, u64 budget, u64 period, unsigned int prio)
{
	int rc = sched_set_rt(&v->unit, budget, period, prio, why, sizeof(why));

	if (rc)
		fail_msg("sched_set_rt: %d: %s", rc, why);
}

/*
 * 300 us every 1 ms beside two CPU-bound fair units of weights 2:1 and a unit that wakes every
 * 50 us for 5 us of work (a hypercall flooder): every period the reservation gets its whole
 * budget, the flooder all it asks, and the two fair units the rest 2:1.
 */
static void test_rt_meets_every_deadline_beside_fair_and_flooder(void **state)
{
	enum { PERIODS = 1000 };
	struct sim s;
	struct sim_vcpu rt, a, b, flood;
	u64 next_wake = 0, demand = 0, rt_before_period = 0, boundary = 1 * MS;
	unsigned int missed = 0, period = 0;

	sim_init(&s, 1);
	unit_new(&rt, 0, 256, 1);
	unit_new(&a, 1, 512, 1);
	unit_new(&b, 2, 256, 1);
	unit_new(&flood, 3, 256, 1);
	rt_set(&rt, 300 * US, 1 * MS, 50);
	sim_wake(&s, &rt);
	sim_wake(&s, &a);
	sim_wake(&s, &b);
	while (period < PERIODS) {
		u64 t = MIN(s.deadline[0], MIN(next_wake, boundary));

		if (s.cur[0] == &flood.unit)
			t = MIN(t, s.started[0] + (demand - flood.ran_ns));
		sim_run_until(&s, t);
		if (flood.ran_ns >= demand && flood.unit.state != SCHED_BLOCKED)
			sim_sleep(&s, &flood); /* its work is done */
		if (t == next_wake) {
			demand += 5 * US;
			next_wake += 50 * US;
			sim_wake(&s, &flood);
		}
		if (t == boundary) {
			if (rt.ran_ns - rt_before_period != 300 * US)
				missed++;
			rt_before_period = rt.ran_ns;
			boundary += 1 * MS;
			period++;
		}
		sim_check(&s, (struct sim_vcpu *const[]){&rt, &a, &b, &flood}, 4);
	}
	assert_int_equal(missed, 0);
	assert_int_equal(rt.ran_ns, PERIODS * 300 * US);
	assert_true(flood.ran_ns + 5 * US >= demand);
	/* a and b share what is left 2:1 (within 5%), and the CPU never idled. */
	assert_int_equal(s.idle_ns[0], 0);
	assert_true(a.ran_ns * 100 >= b.ran_ns * 2 * 95 && a.ran_ns * 100 <= b.ran_ns * 2 * 105);
	assert_true(a.ran_ns + b.ran_ns + flood.ran_ns == PERIODS * 700 * US);
}

static void test_admission_refuses_an_overload(void **state)
{
	struct sim s;
	struct sim_vcpu v[4];

	sim_init(&s, 1);
	for (unsigned int i = 0; i < 2; i++)
		unit_new(&v[i], i, 256, 1);
	rt_set(&v[0], 600 * US, 1 * MS, 10);
	assert_int_equal(sched_set_rt(&v[1].unit, 5 * MS, 10 * MS, 10, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "CPU 0: reservations would total 110% (60% + 50%) > 100%");
	assert_int_equal(v[1].unit.rt_budget_ns, 0); /* still fair share */
	/* Exactly 100% fits; and a unit's own old reservation does not count against its new one. */
	rt_set(&v[1], 4 * MS, 10 * MS, 10);
	rt_set(&v[0], 500 * US, 1 * MS, 10);
	rt_set(&v[0], 600 * US, 1 * MS, 10);
	assert_int_equal(sched_set_rt(&v[0].unit, 601 * US, 1 * MS, 10, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "CPU 0: reservations would total 100.1% (40% + 60.1%) > 100%");
	sched_audit();

	/* Two CPUs: first fit in CPU order; the message names every CPU it may use. */
	sim_init(&s, 2);
	for (unsigned int i = 0; i < 4; i++)
		unit_new(&v[i], i, 256, 3);
	rt_set(&v[0], 600 * US, 1 * MS, 10);
	rt_set(&v[1], 500 * US, 1 * MS, 10);
	assert_int_equal(v[0].unit.cpu, 0);
	assert_int_equal(v[1].unit.cpu, 1);
	rt_set(&v[2], 1 * MS, 2 * MS, 10);
	assert_int_equal(v[2].unit.cpu, 1);
	assert_int_equal(sched_set_rt(&v[3].unit, 1 * MS, 2 * MS, 10, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "CPU 0: reservations would total 110% (60% + 50%) > 100%; "
				 "CPU 1: reservations would total 150% (100% + 50%) > 100%");
	/* Pinned to CPU 0 only, only CPU 0 is named. */
	assert_int_equal(sim_set_affinity(&s, &v[3], 1), -1);
	assert_int_equal(sched_set_rt(&v[3].unit, 1 * MS, 2 * MS, 10, why, sizeof(why)), -ENOSPC);
	assert_string_equal(why, "CPU 0: reservations would total 110% (60% + 50%) > 100%");
	/* Taking a reservation away frees its share. */
	assert_int_equal(sched_set_rt(&v[0].unit, 0, 0, 0, why, sizeof(why)), 0);
	assert_int_equal(v[0].unit.rt_budget_ns, 0);
	rt_set(&v[3], 1 * MS, 2 * MS, 10);
	assert_int_equal(v[3].unit.cpu, 0);
	sched_audit();
}

static void test_bad_reservations_rejected(void **state)
{
	struct sim s;
	struct sim_vcpu v;

	sim_init(&s, 1);
	unit_new(&v, 0, 256, 1);
	assert_int_equal(sched_set_rt(&v.unit, 10 * US, 99 * US, 1, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "period 99 us is outside 100 us to 10 s");
	assert_int_equal(sched_set_rt(&v.unit, 10 * US, 10 * SEC + 1, 1, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "period 10000000001 ns is outside 100 us to 10 s");
	assert_int_equal(sched_set_rt(&v.unit, 2 * MS, 1 * MS, 1, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "budget 2000 us is more than the period 1000 us");
	assert_int_equal(sched_set_rt(&v.unit, 1 * MS, 1 * MS, 100, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "priority 100 is over 99");
	/* Edges that are fine: 100 us, 10 s, budget == period, prio 99. */
	rt_set(&v, 100 * US, 100 * US, 99);
	rt_set(&v, 1 * SEC, 10 * SEC, 0);
	/* Only a BLOCKED unit takes a reservation. */
	sim_wake(&s, &v);
	assert_int_equal(sched_set_rt(&v.unit, 1 * MS, 2 * MS, 1, why, sizeof(why)), -EBUSY);
	assert_string_equal(why, "d0v0 is runnable or running: change its reservation before its "
				 "domain starts, or while it is paused");
	sim_remove(&s, &v);
	assert_int_equal(v.unit.rt_budget_ns, 0); /* dropped with the unit */
	assert_int_equal(sched_set_rt(&v.unit, 1 * MS, 2 * MS, 1, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "d0v0 is not in the scheduler");
	assert_int_equal(shim_sched_locks_held(), 0);
	sched_audit();
}

static void test_higher_priority_preempts_at_once(void **state)
{
	struct sim s;
	struct sim_vcpu lo, hi, mid, fair;

	sim_init(&s, 1);
	unit_new(&lo, 0, 256, 1);
	unit_new(&hi, 1, 256, 1);
	unit_new(&mid, 2, 256, 1);
	unit_new(&fair, 3, 256, 1);
	rt_set(&lo, 500 * US, 1 * MS, 10);
	rt_set(&hi, 200 * US, 1 * MS, 30);
	rt_set(&mid, 200 * US, 1 * MS, 20);
	sim_wake(&s, &fair);
	assert_ptr_equal(s.cur[0], &fair.unit);
	/* Any reservation with budget left preempts fair share at once. */
	assert_int_equal(sched_wake(&lo.unit, s.now + 10 * US), 0);
	s.now += 10 * US;
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &lo.unit);
	assert_int_equal(s.slice[0], 500 * US);
	/* A higher priority preempts at once, */
	s.now += 100 * US;
	assert_int_equal(sched_wake(&hi.unit, s.now), 0);
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &hi.unit);
	/* a lower one does not. */
	assert_int_equal(sched_wake(&mid.unit, s.now), -1);
	sim_run_until(&s, s.now + 200 * US); /* hi's budget ends: mid, then lo */
	assert_ptr_equal(s.cur[0], &mid.unit);
	sim_run_until(&s, s.now + 200 * US);
	assert_ptr_equal(s.cur[0], &lo.unit);
	assert_int_equal(s.slice[0], 400 * US); /* what it had left */
	sim_run_until(&s, s.now + 400 * US);
	assert_ptr_equal(s.cur[0], &fair.unit);
	assert_int_equal(hi.unit.runtime_ns, 200 * US);
	assert_int_equal(mid.unit.runtime_ns, 200 * US);
	assert_int_equal(lo.unit.runtime_ns, 500 * US);
	sched_audit();
}

static void test_equal_priorities_earliest_deadline_first(void **state)
{
	struct sim s;
	struct sim_vcpu a, b;

	sim_init(&s, 1);
	unit_new(&a, 0, 256, 1);
	unit_new(&b, 1, 256, 1);
	rt_set(&a, 1 * MS, 10 * MS, 5);
	rt_set(&b, 1 * MS, 3 * MS, 5);
	sim_wake(&s, &a); /* deadline 10 ms */
	assert_ptr_equal(s.cur[0], &a.unit);
	s.now = 100 * US;
	assert_int_equal(sched_wake(&b.unit, s.now), 0); /* deadline 3.1 ms: earlier, preempts */
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &b.unit);
	sim_run_until(&s, 1100 * US);
	assert_ptr_equal(s.cur[0], &a.unit);
	sched_audit();
}

static void test_block_and_yield_give_the_cpu_back(void **state)
{
	struct sim s;
	struct sim_vcpu rt, fair;

	sim_init(&s, 1);
	unit_new(&rt, 0, 256, 1);
	unit_new(&fair, 1, 256, 1);
	rt_set(&rt, 300 * US, 1 * MS, 10);
	sim_wake(&s, &fair);
	sim_wake(&s, &rt);
	assert_ptr_equal(s.cur[0], &rt.unit);
	/* Runs 100 us, blocks: fair share runs at once; the 200 us left stay with it. */
	s.now = 100 * US;
	sim_sleep(&s, &rt);
	assert_ptr_equal(s.cur[0], &fair.unit);
	assert_int_equal(rt.unit.rt_left_ns, 200 * US);
	/* Woken at 200 us: 200 us in the 800 us left is within 30%: it keeps them, runs at once. */
	s.now = 200 * US;
	assert_int_equal(sched_wake(&rt.unit, s.now), 0);
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &rt.unit);
	assert_int_equal(rt.unit.rt_deadline_ns, 1 * MS);
	assert_int_equal(s.slice[0], 200 * US);
	/* Blocks at 300 us with 100 us left; at 800 us 100 in 200 is over 30%: a new period. */
	s.now = 300 * US;
	sim_sleep(&s, &rt);
	s.now = 800 * US;
	assert_int_equal(sched_wake(&rt.unit, s.now), 0);
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &rt.unit);
	assert_int_equal(rt.unit.rt_deadline_ns, 1800 * US);
	assert_int_equal(rt.unit.rt_left_ns, 300 * US);
	/* A yield gives the rest of the budget back: fair share runs until the next period. */
	s.now = 850 * US;
	sim_resched(&s, 0, true);
	assert_ptr_equal(s.cur[0], &fair.unit);
	assert_int_equal(rt.unit.rt_left_ns, 0);
	assert_int_equal(s.deadline[0], 1800 * US);
	sim_run_until(&s, 1800 * US);
	assert_ptr_equal(s.cur[0], &rt.unit);
	assert_int_equal(rt.unit.rt_deadline_ns, 2800 * US);
	assert_int_equal(rt.unit.runtime_ns, 250 * US);
	sched_audit();
}

static void test_refills_keep_the_grid_and_wakes_open_periods(void **state)
{
	struct sim s;
	struct sim_vcpu rt;

	sim_init(&s, 1);
	unit_new(&rt, 0, 256, 1);
	rt_set(&rt, 300 * US, 1 * MS, 10);
	s.now = 200 * US; /* the first wake opens a period: 0.2 to 1.2 ms */
	sim_wake(&s, &rt);
	assert_int_equal(rt.unit.rt_deadline_ns, 1200 * US);
	assert_int_equal(s.slice[0], 300 * US);
	/* Depleted at 0.5 ms: refilled on its grid at 1.2 ms, then 2.2 ms... */
	sim_run_until(&s, 1200 * US);
	assert_ptr_equal(s.cur[0], &rt.unit);
	assert_int_equal(rt.unit.rt_deadline_ns, 2200 * US);
	assert_int_equal(s.slice[0], 300 * US);
	sim_run_until(&s, 1400 * US);
	sim_sleep(&s, &rt);
	/* Woken after its deadline: a period opens at the wake, with a full budget. */
	s.now = 3500 * US;
	sim_wake(&s, &rt);
	assert_int_equal(rt.unit.rt_deadline_ns, 4500 * US);
	assert_int_equal(rt.unit.rt_left_ns, 300 * US);
	assert_ptr_equal(s.cur[0], &rt.unit);
	/* Woken close to its deadline with budget left: more than its rate, so a new period too. */
	sim_run_until(&s, 3600 * US);
	sim_sleep(&s, &rt);
	s.now = 4400 * US;
	sim_wake(&s, &rt);
	assert_int_equal(rt.unit.rt_deadline_ns, 5400 * US);
	assert_int_equal(s.slice[0], 300 * US);
	sched_audit();
}

static void test_depleted_unit_waits_for_its_refill(void **state)
{
	struct sim s;
	struct sim_vcpu rt;

	sim_init(&s, 1);
	unit_new(&rt, 0, 256, 1);
	rt_set(&rt, 250 * US, 1 * MS, 10);
	sim_wake(&s, &rt);
	sim_run_until(&s, 250 * US);
	/* Nothing else to run: the CPU idles, with a timer for the refill. */
	assert_null(s.cur[0]);
	assert_int_equal(s.slice[0], 750 * US);
	assert_int_equal(sched_cpu_load(0), 1);
	sim_run_until(&s, 10 * MS);
	assert_int_equal(rt.ran_ns, 10 * 250 * US);
	assert_int_equal(s.idle_ns[0], 10 * 750 * US);
	sched_audit();
}

static void test_slices_end_at_a_more_urgent_refill(void **state)
{
	struct sim s;
	struct sim_vcpu hi, lo, fair;

	sim_init(&s, 1);
	unit_new(&hi, 0, 256, 1);
	unit_new(&lo, 1, 256, 1);
	unit_new(&fair, 2, 256, 1);
	rt_set(&hi, 100 * US, 1 * MS, 20);
	rt_set(&lo, 5 * MS, 10 * MS, 10);
	sim_wake(&s, &hi);
	sim_wake(&s, &lo);
	sim_wake(&s, &fair);
	sim_run_until(&s, 100 * US); /* hi's budget is used up */
	assert_ptr_equal(s.cur[0], &lo.unit);
	assert_int_equal(s.deadline[0], 1 * MS); /* cut where hi is refilled */
	sim_run_until(&s, 1 * MS);
	assert_ptr_equal(s.cur[0], &hi.unit);
	sim_run_until(&s, 5600 * US); /* lo ran 0.9 ms of each 1 ms, hi the rest */
	assert_int_equal(lo.unit.runtime_ns, 5 * MS);
	assert_int_equal(hi.unit.runtime_ns, 6 * 100 * US);
	assert_ptr_equal(s.cur[0], &fair.unit);
	assert_int_equal(s.deadline[0], 6 * MS); /* fair slices end at the next refill too */
	sched_audit();
}

static void test_reservation_removed_back_to_fair_share(void **state)
{
	struct sim s;
	struct sim_vcpu a, b;

	sim_init(&s, 1);
	unit_new(&a, 0, 256, 1);
	unit_new(&b, 1, 256, 1);
	rt_set(&a, 1 * MS, 2 * MS, 10);
	sim_wake(&s, &a);
	sim_wake(&s, &b);
	sim_run_until(&s, 100 * MS);
	assert_int_equal(a.ran_ns, 50 * MS);
	sim_sleep(&s, &a);
	assert_int_equal(sched_set_rt(&a.unit, 0, 0, 0, why, sizeof(why)), 0);
	assert_int_equal(a.unit.state, SCHED_BLOCKED);
	sim_wake(&s, &a);
	a.ran_ns = b.ran_ns = 0;
	sim_run_until(&s, 1100 * MS);
	assert_true(a.ran_ns > 480 * MS && a.ran_ns < 520 * MS);
	sched_audit();
}

/* The RT unit's CPU keeps its reservation; a blocked one moves with a new affinity. */
static void test_affinity_of_a_reserved_unit(void **state)
{
	struct sim s;
	struct sim_vcpu a, b;

	sim_init(&s, 2);
	unit_new(&a, 0, 256, 3);
	unit_new(&b, 1, 256, 3);
	rt_set(&a, 600 * US, 1 * MS, 10);
	rt_set(&b, 600 * US, 1 * MS, 10);
	assert_int_equal(a.unit.cpu, 0);
	assert_int_equal(b.unit.cpu, 1);
	assert_int_equal(sim_set_affinity(&s, &a, 2), -EINVAL); /* CPU 1 has no room */
	assert_int_equal(a.unit.affinity, 3);
	assert_int_equal(sched_set_rt(&b.unit, 0, 0, 0, why, sizeof(why)), 0);
	assert_int_equal(sim_set_affinity(&s, &a, 2), -1);
	assert_int_equal(a.unit.cpu, 1);
	sim_wake(&s, &a);
	assert_ptr_equal(s.cur[1], &a.unit);
	assert_int_equal(sim_set_affinity(&s, &a, 1), -EINVAL); /* running: it stays */
	assert_int_equal(sim_set_affinity(&s, &a, 3), -1);
	sched_audit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rt_meets_every_deadline_beside_fair_and_flooder),
	    cmocka_unit_test(test_admission_refuses_an_overload),
	    cmocka_unit_test(test_bad_reservations_rejected),
	    cmocka_unit_test(test_higher_priority_preempts_at_once),
	    cmocka_unit_test(test_equal_priorities_earliest_deadline_first),
	    cmocka_unit_test(test_block_and_yield_give_the_cpu_back),
	    cmocka_unit_test(test_refills_keep_the_grid_and_wakes_open_periods),
	    cmocka_unit_test(test_depleted_unit_waits_for_its_refill),
	    cmocka_unit_test(test_slices_end_at_a_more_urgent_refill),
	    cmocka_unit_test(test_reservation_removed_back_to_fair_share),
	    cmocka_unit_test(test_affinity_of_a_reserved_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
