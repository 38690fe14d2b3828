/* Unit tests for the fair-share policy on one CPU: shares, caps, sleepers, yield, bad input. */
#include <keel/errno.h>
#include <keel/limits.h>
#include <keel/sched.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "shim_sched.h"

/* |got - want| <= want * pct / 100 */
static void assert_near(u64 got, u64 want, unsigned int pct)
{
	u64 diff = got > want ? got - want : want - got;

	if (diff * 100 > want * pct)
		fail_msg("got %llu, want %llu +- %u%%", got, want, pct);
}

static void test_weights_1_2(void **state)
{
	struct sim s;
	struct sim_vcpu a, b;

	sim_init(&s, 1);
	sim_vcpu_init(&a, 0, 256, 0, 1);
	sim_vcpu_init(&b, 1, 512, 0, 1);
	sim_add(&s, &a);
	sim_add(&s, &b);
	sim_run_until(&s, 10 * SEC);
	assert_near(a.ran_ns, 10 * SEC / 3, 2);
	assert_near(b.ran_ns, 20 * SEC / 3, 2);
	assert_int_equal(s.idle_ns[0], 0);
	/* The scheduler's own accounting agrees with what the CPU saw. */
	assert_near(a.unit.runtime_ns, a.ran_ns, 1);
	sched_audit();
}

static void test_weights_1_1_2(void **state)
{
	struct sim s;
	struct sim_vcpu v[3];

	sim_init(&s, 1);
	sim_vcpu_init(&v[0], 0, 100, 0, 1);
	sim_vcpu_init(&v[1], 1, 100, 0, 1);
	sim_vcpu_init(&v[2], 2, 200, 0, 1);
	for (int i = 0; i < 3; i++)
		sim_add(&s, &v[i]);
	sim_run_until(&s, 10 * SEC);
	assert_near(v[0].ran_ns, 10 * SEC / 4, 2);
	assert_near(v[1].ran_ns, 10 * SEC / 4, 2);
	assert_near(v[2].ran_ns, 10 * SEC / 2, 2);
}

static void test_cap_holds_with_competitor(void **state)
{
	struct sim s;
	struct sim_vcpu capped, other;

	sim_init(&s, 1);
	/* A heavy weight must not let it exceed its cap. */
	sim_vcpu_init(&capped, 0, 4096, 25, 1);
	sim_vcpu_init(&other, 1, 256, 0, 1);
	sim_add(&s, &capped);
	sim_add(&s, &other);
	sim_run_until(&s, 10 * SEC);
	assert_near(capped.ran_ns, 10 * SEC / 4, 3);
	assert_near(other.ran_ns, 10 * SEC * 3 / 4, 3);
}

static void test_cap_alone_leaves_cpu_idle(void **state)
{
	struct sim s;
	struct sim_vcpu v;
	u64 worst = 0;

	sim_init(&s, 1);
	sim_vcpu_init(&v, 0, 256, 25, 1);
	sim_add(&s, &v);
	/* Per period, not just on average: no period may get much more than its budget. */
	for (u64 p = 1; p <= 10 * SEC / SCHED_CAP_PERIOD_NS; p++) {
		u64 before = v.ran_ns;

		sim_run_until(&s, p * SCHED_CAP_PERIOD_NS);
		if (v.ran_ns - before > worst)
			worst = v.ran_ns - before;
	}
	assert_true(worst <= SCHED_CAP_PERIOD_NS / 4 + 1);
	assert_near(v.ran_ns, s.now / 4, 3);
	assert_near(s.idle_ns[0], s.now * 3 / 4, 3);
}

static void test_cap_slice_bounded_by_budget(void **state)
{
	struct sched_unit u;
	struct sched_decision d;

	sim_init(&(struct sim){0}, 1);
	sched_unit_init(&u, NULL, 256, 10, 1); /* 10% of 30 ms = 3 ms */
	assert_int_equal(sched_insert(&u), 0);
	assert_int_equal(sched_wake(&u, 0), 0); /* CPU 0 is idle: kick it */
	d = sched_schedule(0, 0, false);
	assert_ptr_equal(d.next, &u);
	assert_int_equal(d.slice_ns, 3 * MS);
	d = sched_schedule(0, 2 * MS, false);
	assert_ptr_equal(d.next, &u);
	assert_int_equal(d.slice_ns, 1 * MS);
	d = sched_schedule(0, 3 * MS, false);
	assert_null(d.next); /* budget gone: idle until the period ends */
	assert_int_equal(d.slice_ns, SCHED_CAP_PERIOD_NS - 3 * MS);
	assert_true(u.capped);
	d = sched_schedule(0, SCHED_CAP_PERIOD_NS, false);
	assert_ptr_equal(d.next, &u);
	assert_false(u.capped);
	/* Lifting the cap mid-period unparks it at the next schedule. */
	d = sched_schedule(0, SCHED_CAP_PERIOD_NS + 3 * MS, false);
	assert_null(d.next);
	assert_int_equal(sched_set_params(&u, 256, 0), 0);
	d = sched_schedule(0, SCHED_CAP_PERIOD_NS + 4 * MS, false);
	assert_ptr_equal(d.next, &u);
	assert_int_equal(d.slice_ns, SCHED_DEFAULT_SLICE_NS);
}

static void test_capped_sleeper_wakes_with_fresh_budget(void **state)
{
	struct sched_unit u;
	struct sched_decision d;

	sim_init(&(struct sim){0}, 1);
	sched_unit_init(&u, NULL, 256, 10, 1); /* 3 ms per 30 ms */
	assert_int_equal(sched_insert(&u), 0);
	assert_int_equal(sched_wake(&u, 0), 0);
	d = sched_schedule(0, 0, false);
	assert_ptr_equal(d.next, &u);
	d = sched_schedule(0, 3 * MS, false);
	assert_null(d.next);
	assert_true(u.capped);
	sched_sleep(&u, 4 * MS); /* parked, then blocked */
	assert_int_equal(sched_cpu_load(0), 0);
	d = sched_schedule(0, 4 * MS, false);
	assert_null(d.next);
	assert_int_equal(d.slice_ns, 0); /* nothing parked any more: no deadline */
	/* Woken in the same period: still parked, so no kick... */
	assert_int_equal(sched_wake(&u, 5 * MS), -1);
	sched_sleep(&u, 6 * MS);
	/* ...in a later one: a fresh budget, and the idle CPU is kicked. */
	assert_int_equal(sched_wake(&u, 100 * MS), 0);
	d = sched_schedule(0, 100 * MS, false);
	assert_ptr_equal(d.next, &u);
	assert_int_equal(d.slice_ns, 3 * MS);
}

static void test_slice_is_time_to_next_unit(void **state)
{
	struct sched_unit a, b;
	struct sched_decision d;

	sim_init(&(struct sim){0}, 1);
	sched_unit_init(&a, NULL, 256, 0, 1);
	sched_unit_init(&b, NULL, 256, 0, 1);
	assert_int_equal(sched_insert(&a), 0);
	assert_int_equal(sched_insert(&b), 0);
	sched_wake(&a, 0);
	d = sched_schedule(0, 0, false);
	assert_ptr_equal(d.next, &a);
	assert_int_equal(d.slice_ns, SCHED_DEFAULT_SLICE_NS); /* alone */
	/* a has run 4 ms when b wakes: b runs until it is one minimum slice past a. */
	sched_wake(&b, 4 * MS);
	d = sched_schedule(0, 4 * MS, false);
	assert_ptr_equal(d.next, &b);
	assert_true(d.slice_ns >= 5 * MS && d.slice_ns <= 5 * MS + 1000);
	d = sched_schedule(0, 8 * MS, false); /* equal vtimes: minimum slice */
	assert_ptr_equal(d.next, &b);
	assert_int_equal(d.slice_ns, SCHED_MIN_SLICE_NS);
	d = sched_schedule(0, 8 * MS + d.slice_ns, false);
	assert_ptr_equal(d.next, &a);
}

static void test_long_sleeper_does_not_starve_others(void **state)
{
	struct sim s;
	struct sim_vcpu a, b, sleeper;
	u64 a0, b0, c0;

	sim_init(&s, 1);
	sim_vcpu_init(&a, 0, 256, 0, 1);
	sim_vcpu_init(&b, 1, 256, 0, 1);
	sim_vcpu_init(&sleeper, 2, 256, 0, 1);
	sim_add(&s, &a);
	sim_add(&s, &b);
	sim_add(&s, &sleeper);
	sim_run_until(&s, 100 * MS);
	sim_sleep(&s, &sleeper);
	sim_run_until(&s, 5 * SEC);
	a0 = a.ran_ns;
	b0 = b.ran_ns;
	c0 = sleeper.ran_ns;
	/* Far behind in vtime: it preempts at once, but gets at most a slice of credit. */
	assert_int_equal(sched_wake(&sleeper.unit, s.now), 0);
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &sleeper.unit);
	sim_run_until(&s, 6 * SEC);
	assert_true(a.ran_ns - a0 >= 320 * MS);
	assert_true(b.ran_ns - b0 >= 320 * MS);
	assert_true(sleeper.ran_ns - c0 <= 333 * MS + SCHED_DEFAULT_SLICE_NS + MS);
}

static void test_block_and_wake(void **state)
{
	struct sim s;
	struct sim_vcpu a, b;

	sim_init(&s, 1);
	sim_vcpu_init(&a, 0, 256, 0, 1);
	sim_vcpu_init(&b, 1, 256, 0, 1);
	assert_int_equal(sched_insert(&a.unit), 0);
	assert_int_equal(sched_insert(&b.unit), 0);
	assert_int_equal(sched_cpu_load(0), 0);
	/* Idle CPU: waking returns it. */
	assert_int_equal(sched_wake(&a.unit, 0), 0);
	assert_int_equal(a.unit.state, SCHED_RUNNABLE);
	/* Waking a RUNNABLE unit is a no-op. */
	assert_int_equal(sched_wake(&a.unit, 0), -1);
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &a.unit);
	assert_int_equal(sched_wake(&a.unit, 0), -1); /* RUNNING: no-op */
	/* b is not behind a: queued, no kick. */
	assert_int_equal(sched_wake(&b.unit, 0), -1);
	assert_int_equal(sched_cpu_load(0), 2);
	sim_run_until(&s, 50 * MS);
	/* Blocking the running unit: the CPU switches to the other one, then idles. */
	sim_sleep(&s, s.cur[0]->owner);
	assert_non_null(s.cur[0]);
	sim_sleep(&s, s.cur[0]->owner);
	assert_null(s.cur[0]);
	assert_int_equal(a.unit.state, SCHED_BLOCKED);
	assert_int_equal(b.unit.state, SCHED_BLOCKED);
	assert_int_equal(sched_cpu_load(0), 0);
	/* Sleeping twice, and sleeping a queued unit, are fine. */
	sched_sleep(&a.unit, s.now);
	assert_int_equal(sched_wake(&a.unit, s.now), 0);
	sched_sleep(&a.unit, s.now);
	assert_int_equal(sched_cpu_load(0), 0);
	assert_int_equal(sched_wake(&a.unit, s.now), 0);
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &a.unit);
	/* Woken again before its CPU switched away: it just keeps running. */
	sched_sleep(&a.unit, s.now);
	assert_int_equal(sched_wake(&a.unit, s.now), -1);
	assert_int_equal(a.unit.state, SCHED_RUNNING);
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &a.unit);
	sched_audit();
}

static void test_yield_rotates_equals(void **state)
{
	struct sim s;
	struct sim_vcpu v[3];
	struct sched_decision d;

	sim_init(&s, 1);
	for (unsigned int i = 0; i < 3; i++) {
		sim_vcpu_init(&v[i], i, 256, 0, 1);
		assert_int_equal(sched_insert(&v[i].unit), 0);
		sched_wake(&v[i].unit, 0);
	}
	d = sched_schedule(0, 0, false);
	assert_ptr_equal(d.next, &v[0].unit);
	/* Rescheduling without yield at a tie keeps the current one. */
	d = sched_schedule(0, 0, false);
	assert_ptr_equal(d.next, &v[0].unit);
	for (unsigned int round = 1; round <= 7; round++) {
		d = sched_schedule(0, 0, true);
		assert_ptr_equal(d.next, &v[round % 3].unit);
	}
	sched_audit();
}

static void test_remove_running_unit(void **state)
{
	struct sim s;
	struct sim_vcpu a, b;
	struct sim_vcpu *all[] = {&a, &b};

	sim_init(&s, 1);
	sim_vcpu_init(&a, 0, 256, 0, 1);
	sim_vcpu_init(&b, 1, 256, 0, 1);
	sim_add(&s, &a);
	sim_add(&s, &b);
	sim_run_until(&s, 25 * MS);
	struct sim_vcpu *victim = s.cur[0]->owner, *other = victim == &a ? &b : &a;

	sim_remove(&s, victim);
	assert_ptr_equal(s.cur[0], &other->unit);
	sim_check(&s, all, 2);
	assert_int_equal(sched_cpu_load(0), 1);
	other->ran_ns = 0;
	sim_run_until(&s, 1 * SEC + 25 * MS);
	assert_int_equal(other->ran_ns, 1 * SEC); /* the removed one never comes back */
	sched_remove(&victim->unit);		  /* twice: no-op */
	sim_remove(&s, other);
	assert_int_equal(sched_cpu_load(0), 0);
	assert_null(s.cur[0]);
	/* Removed units may be inserted again. */
	sim_add(&s, victim);
	assert_ptr_equal(s.cur[0], &victim->unit);
	sim_check(&s, all, 2);
}

static void test_set_params_changes_share(void **state)
{
	struct sim s;
	struct sim_vcpu a, b;
	u64 a0, b0;

	sim_init(&s, 1);
	sim_vcpu_init(&a, 0, 256, 0, 1);
	sim_vcpu_init(&b, 1, 256, 0, 1);
	sim_add(&s, &a);
	sim_add(&s, &b);
	sim_run_until(&s, 5 * SEC);
	assert_near(a.ran_ns, 5 * SEC / 2, 2);
	assert_int_equal(sched_set_params(&b.unit, 768, 0), 0);
	a0 = a.ran_ns;
	b0 = b.ran_ns;
	sim_run_until(&s, 10 * SEC);
	assert_near(a.ran_ns - a0, 5 * SEC / 4, 2);
	assert_near(b.ran_ns - b0, 5 * SEC * 3 / 4, 2);
	/* And a cap added later binds. */
	assert_int_equal(sched_set_params(&b.unit, 768, 20), 0);
	b0 = b.ran_ns;
	sim_run_until(&s, 15 * SEC);
	assert_near(b.ran_ns - b0, 5 * SEC / 5, 3);
}

static void test_bad_params_rejected(void **state)
{
	struct sched_unit u;

	sim_init(&(struct sim){0}, 2);
	sched_unit_init(&u, NULL, 0, 0, 1);
	assert_int_equal(sched_insert(&u), -EINVAL);
	assert_int_equal(u.state, SCHED_OFFLINE);
	u.weight = SCHED_MAX_WEIGHT + 1;
	assert_int_equal(sched_insert(&u), -EINVAL);
	u.weight = 256;
	u.cap = 100 * MAX_CPUS + 1;
	assert_int_equal(sched_insert(&u), -EINVAL);
	u.cap = 0;
	u.affinity = 0;
	assert_int_equal(sched_insert(&u), -EINVAL);
	u.affinity = 0xc; /* CPUs 2 and 3 are not online */
	assert_int_equal(sched_insert(&u), -EINVAL);
	u.affinity = ~0ULL;
	assert_int_equal(sched_insert(&u), 0);

	assert_int_equal(sched_set_params(&u, 0, 0), -EINVAL);
	assert_int_equal(sched_set_params(&u, SCHED_MAX_WEIGHT + 1, 0), -EINVAL);
	assert_int_equal(sched_set_params(&u, 1, 100 * MAX_CPUS + 1), -EINVAL);
	assert_int_equal(u.weight, 256);
	assert_int_equal(sched_set_params(&u, SCHED_MAX_WEIGHT, 100 * MAX_CPUS), 0);
	assert_int_equal(sched_set_params(&u, 1, 0), 0);

	assert_int_equal(sched_set_affinity(&u, 0, 0), -EINVAL);
	assert_int_equal(sched_set_affinity(&u, 1ULL << 63, 0), -EINVAL);
	assert_int_equal(u.affinity, ~0ULL);
	assert_int_equal(shim_sched_locks_held(), 0);
	sched_audit();
}

static void test_keel_bugs_panic(void **state)
{
	struct sched_unit u;

	sim_init(&(struct sim){0}, 2);
	expect_assert_failure(sched_schedule(2, 0, false));
	expect_assert_failure(sched_schedule(MAX_CPUS, 0, false));
	expect_assert_failure(sched_cpu_load(2));
	expect_assert_failure(sched_init(0));
	expect_assert_failure(sched_init(MAX_CPUS + 1));
	sched_unit_init(&u, NULL, 256, 0, 3);
	assert_int_equal(sched_insert(&u), 0);
	expect_assert_failure(sched_insert(&u)); /* inserted twice */
	assert_int_equal(shim_sched_locks_held(), 0);
	assert_true(shim_sched_panics >= 6);
}

static void test_audit_catches_corruption(void **state)
{
	struct sched_unit a, b;

	sim_init(&(struct sim){0}, 1);
	sched_unit_init(&a, NULL, 256, 0, 1);
	sched_unit_init(&b, NULL, 256, 0, 1);
	assert_int_equal(sched_insert(&a), 0);
	assert_int_equal(sched_insert(&b), 0);
	sched_wake(&a, 0);
	sched_wake(&b, 0);
	sched_audit();
	b.state = SCHED_BLOCKED; /* queued and blocked at once */
	expect_assert_failure(sched_audit());
	shim_sched_reset();
	sim_init(&(struct sim){0}, 1);
}

static void test_clock_going_backwards_is_harmless(void **state)
{
	struct sched_unit a;
	struct sched_decision d;

	sim_init(&(struct sim){0}, 1);
	sched_unit_init(&a, NULL, 1, 0, 1);
	assert_int_equal(sched_insert(&a), 0);
	sched_wake(&a, 5 * SEC);
	d = sched_schedule(0, 5 * SEC, false);
	assert_ptr_equal(d.next, &a);
	d = sched_schedule(0, 1 * SEC, false);
	assert_ptr_equal(d.next, &a);
	assert_int_equal(a.runtime_ns, 0);
	d = sched_schedule(0, 6 * SEC, false);
	assert_int_equal(a.runtime_ns, 1 * SEC);
	/* Extreme weights and a huge run do not overflow into nonsense. */
	d = sched_schedule(0, 6 * SEC + 1000 * SEC, false);
	assert_ptr_equal(d.next, &a);
	assert_int_equal(a.runtime_ns, 1001 * SEC);
	sched_audit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weights_1_2),
	    cmocka_unit_test(test_weights_1_1_2),
	    cmocka_unit_test(test_cap_holds_with_competitor),
	    cmocka_unit_test(test_cap_alone_leaves_cpu_idle),
	    cmocka_unit_test(test_cap_slice_bounded_by_budget),
	    cmocka_unit_test(test_capped_sleeper_wakes_with_fresh_budget),
	    cmocka_unit_test(test_slice_is_time_to_next_unit),
	    cmocka_unit_test(test_long_sleeper_does_not_starve_others),
	    cmocka_unit_test(test_block_and_wake),
	    cmocka_unit_test(test_yield_rotates_equals),
	    cmocka_unit_test(test_remove_running_unit),
	    cmocka_unit_test(test_set_params_changes_share),
	    cmocka_unit_test(test_bad_params_rejected),
	    cmocka_unit_test(test_keel_bugs_panic),
	    cmocka_unit_test(test_audit_catches_corruption),
	    cmocka_unit_test(test_clock_going_backwards_is_harmless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
