/* Unit tests for the fair-share policy on several CPUs: affinity, wake placement, balancing. */
#include <keel/errno.h>
#include <keel/sched.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "shim_sched.h"

static u64 rng_state;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Randomized operations with a fixed seed; sim_resched/sim_check assert the invariants. Some
 * units get real-time reservations (pool0 uses the rt policy) on the way.
 */
static void test_random_ops_respect_affinity(void **state)
{
	enum { NR_CPUS = 4, NR_UNITS = 12, NR_OPS = 30000 };
	static struct sim_vcpu vcpus[NR_UNITS];
	struct sim_vcpu *all[NR_UNITS];
	struct sim s;
	unsigned int i, op, reserved = 0;
	char why[160];

	rng_state = 0x5eed1234abcdULL;
	sim_init(&s, NR_CPUS);
	shim_trylock_fail_every = 3; /* take the drop-and-retake lock paths too */
	for (i = 0; i < NR_UNITS; i++) {
		all[i] = &vcpus[i];
		sim_vcpu_init(&vcpus[i], i, 1 + rng() % 1024, i % 3 ? 0 : 10 + rng() % 80,
			      1 + rng() % 15);
		sim_add(&s, &vcpus[i]);
	}
	sim_check(&s, all, NR_UNITS);
	for (op = 0; op < NR_OPS; op++) {
		struct sim_vcpu *v = all[rng() % NR_UNITS];
		unsigned int cpu = rng() % NR_CPUS;
		u64 mask, period;
		int r;

		switch (rng() % 11) {
		case 0:
		case 1:
			sim_run_until(&s, s.now + rng() % (20 * MS));
			break;
		case 2:
			sim_wake(&s, v);
			break;
		case 3:
			sim_sleep(&s, v);
			break;
		case 4:
			mask = rng() % 256; /* CPUs 4..7 are offline */
			r = sim_set_affinity(&s, v, mask);
			if (!(mask & 15) || r == -EINVAL) {
				/* A reserved unit that cannot keep or find a CPU with room stays. */
				assert_true(!(mask & 15) || v->unit.rt_budget_ns);
				assert_int_equal(r, -EINVAL);
				assert_int_not_equal(v->unit.affinity, mask);
			} else {
				assert_true(r >= -1 && r < NR_CPUS);
				assert_int_equal(v->unit.affinity, mask);
			}
			break;
		case 5:
			assert_int_equal(sched_set_params(&v->unit, 1 + rng() % 2000, rng() % 120),
					 0);
			break;
		case 6:
			sim_resched(&s, cpu, rng() & 1);
			break;
		case 7:
			if (v->unit.state == SCHED_OFFLINE)
				sim_add(&s, v);
			else if (rng() % 4 == 0)
				sim_remove(&s, v);
			break;
		case 8:
			/* Unaffined, idle CPUs steal; busy ones balance. */
			if (!s.cur[cpu])
				sim_resched(&s, cpu, false);
			break;
		case 9:
			/* Periods of 5 ms and more: shorter ones would trip the thrashing check. */
			period = (5 + rng() % 20) * MS;
			r = sched_set_rt(&v->unit, rng() % 2 ? period * (rng() % 60) / 100 : 0,
					 period, rng() % 100, why, sizeof(why));
			assert_true(r == 0 || r == -ENOSPC || r == -EBUSY ||
				    (r == -EINVAL && v->unit.state == SCHED_OFFLINE));
			reserved += r == 0 && v->unit.rt_budget_ns;
			break;
		default:
			s.now += rng() % MS;
			break;
		}
		sim_check(&s, all, NR_UNITS);
	}
	assert_true(reserved > 100);
	/* Everything still runs: wake all, spread them out, and every unit gets CPU time. */
	for (i = 0; i < NR_UNITS; i++) {
		if (all[i]->unit.state == SCHED_OFFLINE)
			sim_add(&s, all[i]);
		sim_sleep(&s, all[i]);
		assert_int_equal(sched_set_rt(&all[i]->unit, 0, 0, 0, why, sizeof(why)), 0);
		sim_set_affinity(&s, all[i], 15);
		assert_int_equal(sched_set_params(&all[i]->unit, 256, 0), 0);
		sim_wake(&s, all[i]);
		all[i]->ran_ns = 0;
	}
	for (i = 0; i < NR_CPUS; i++)
		sim_resched(&s, i, false);
	sim_run_until(&s, s.now + 2 * SEC);
	sim_check(&s, all, NR_UNITS);
	for (i = 0; i < NR_UNITS; i++)
		assert_true(all[i]->ran_ns > 300 * MS);
}

static void test_insert_spreads_two_and_two(void **state)
{
	struct sim s;
	struct sim_vcpu v[4];
	struct sim_vcpu *all[] = {&v[0], &v[1], &v[2], &v[3]};

	sim_init(&s, 2);
	for (unsigned int i = 0; i < 4; i++) {
		sim_vcpu_init(&v[i], i, 256, 0, 3);
		assert_int_equal(sched_insert(&v[i].unit), 0);
	}
	for (unsigned int i = 0; i < 4; i++)
		sim_wake(&s, &v[i]);
	assert_int_equal(sched_cpu_load(0), 2);
	assert_int_equal(sched_cpu_load(1), 2);
	sim_run_until(&s, 2 * SEC);
	sim_check(&s, all, 4);
	assert_int_equal(sched_cpu_load(0), 2);
	assert_int_equal(sched_cpu_load(1), 2);
	for (unsigned int i = 0; i < 4; i++)
		assert_true(v[i].ran_ns > 950 * MS && v[i].ran_ns < 1050 * MS);
}

static void test_idle_cpu_steals_and_periodic_balance(void **state)
{
	struct sim s;
	struct sim_vcpu v[4];
	struct sim_vcpu *all[] = {&v[0], &v[1], &v[2], &v[3]};

	sim_init(&s, 2);
	for (unsigned int i = 0; i < 4; i++) {
		sim_vcpu_init(&v[i], i, 256, 0, 1);
		sim_add(&s, &v[i]);
	}
	sim_run_until(&s, 100 * MS);
	assert_int_equal(sched_cpu_load(0), 4);
	assert_int_equal(sched_cpu_load(1), 0);
	assert_null(s.cur[1]);
	/* Allowing CPU 1 moves nothing by itself (CPU 0 is still allowed)... */
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(sim_set_affinity(&s, &v[i], 3), -1);
	assert_int_equal(sched_cpu_load(0), 4);
	/* ...but the idle CPU steals when it schedules, */
	sim_resched(&s, 1, false);
	assert_non_null(s.cur[1]);
	assert_int_equal(sched_cpu_load(0), 3);
	/* and the periodic balance evens 3+1 out to 2+2. */
	sim_run_until(&s, 200 * MS);
	sim_check(&s, all, 4);
	assert_int_equal(sched_cpu_load(0), 2);
	assert_int_equal(sched_cpu_load(1), 2);
	/* A stolen unit's vtime was translated: it shares fairly on its new CPU. */
	for (unsigned int i = 0; i < 4; i++)
		v[i].ran_ns = 0;
	sim_run_until(&s, 1200 * MS);
	for (unsigned int i = 0; i < 4; i++)
		assert_true(v[i].ran_ns > 480 * MS && v[i].ran_ns < 520 * MS);
}

static void test_migration_translates_vtime(void **state)
{
	struct sim s;
	struct sim_vcpu a, b, d;

	sim_init(&s, 2);
	sim_vcpu_init(&a, 0, 256, 0, 1);
	sim_vcpu_init(&b, 1, 256, 0, 1);
	sim_vcpu_init(&d, 2, 2560, 0, 2);
	sim_add(&s, &a);
	sim_add(&s, &b);
	sim_add(&s, &d);
	/* CPU 0's vtime advances at 1/2 per ns (a and b), CPU 1's at 1/10 (d, heavy, alone). */
	sim_run_until(&s, 2 * SEC);
	/* Run on to a moment where a runs and b is the queued one (bounded). */
	for (unsigned int i = 0; i < 64 && s.cur[0] != &a.unit; i++)
		sim_run_until(&s, s.now + MS / 4);
	assert_ptr_equal(s.cur[0], &a.unit);
	/* b moves to CPU 1 while d keeps running there. */
	assert_int_equal(sim_set_affinity(&s, &b, 2), -1);
	assert_int_equal(b.unit.cpu, 1);
	/* b's vtime (~1 s) was translated to CPU 1's (~0.2 s): it gets its 1/11, not nothing. */
	b.ran_ns = d.ran_ns = 0;
	sim_run_until(&s, 3100 * MS);
	assert_true(b.ran_ns > 80 * MS && b.ran_ns < 120 * MS);
	assert_true(d.ran_ns > 980 * MS && d.ran_ns < 1020 * MS);
}

static void test_wake_returns_cpu_to_kick(void **state)
{
	struct sim s;
	struct sim_vcpu a, b, c;

	sim_init(&s, 2);
	sim_vcpu_init(&a, 0, 256, 0, 3);
	sim_vcpu_init(&b, 1, 256, 0, 3);
	sim_vcpu_init(&c, 2, 256, 0, 3);
	assert_int_equal(sched_insert(&a.unit), 0);
	assert_int_equal(sched_insert(&b.unit), 0);
	assert_int_equal(sched_insert(&c.unit), 0);
	assert_int_equal(a.unit.cpu, 0);
	assert_int_equal(b.unit.cpu, 1);
	assert_int_equal(c.unit.cpu, 0);
	assert_int_equal(sched_wake(&a.unit, 0), 0);
	sim_resched(&s, 0, false);
	/* c's previous CPU is busy but CPU 1 is idle: wake-time balance picks CPU 1. */
	assert_int_equal(sched_wake(&c.unit, 0), 1);
	assert_int_equal(c.unit.cpu, 1);
	sim_resched(&s, 1, false);
	assert_ptr_equal(s.cur[1], &c.unit);
	/* Both busy: b stays on its previous CPU, queued; no kick (not behind c). */
	assert_int_equal(sched_wake(&b.unit, 0), -1);
	assert_int_equal(b.unit.cpu, 1);
	/* Block a: CPU 0 steals b rather than idle; block b too and CPU 0 idles. */
	sim_sleep(&s, &a);
	assert_ptr_equal(s.cur[0], &b.unit);
	assert_int_equal(b.unit.cpu, 0);
	sim_sleep(&s, &b);
	assert_null(s.cur[0]);
	/* Waking a returns its previous CPU, which is idle. */
	assert_int_equal(sched_wake(&a.unit, s.now), 0);
	assert_int_equal(a.unit.cpu, 0);
	sim_resched(&s, 0, false);
	assert_ptr_equal(s.cur[0], &a.unit);
}

static void test_set_affinity_migrates(void **state)
{
	struct sim s;
	struct sim_vcpu a, b, c;
	struct sim_vcpu *all[] = {&a, &b, &c};
	int r;

	sim_init(&s, 3);
	sim_vcpu_init(&a, 0, 256, 0, 1);
	sim_vcpu_init(&b, 1, 256, 0, 1);
	sim_vcpu_init(&c, 2, 256, 0, 1);
	sim_add(&s, &a);
	sim_add(&s, &b);
	sim_add(&s, &c);
	assert_ptr_equal(s.cur[0], &a.unit);
	/* A queued unit moves at once; the idle target CPU is the one to kick. */
	r = sched_set_affinity(&b.unit, 4, s.now);
	assert_int_equal(r, 2);
	assert_int_equal(b.unit.cpu, 2);
	sim_kick(&s, r);
	assert_ptr_equal(s.cur[2], &b.unit);
	/* A running unit: its CPU must reschedule, which moves it (and kicks the target). */
	r = sched_set_affinity(&a.unit, 2, s.now);
	assert_int_equal(r, 0);
	assert_int_equal(a.unit.state, SCHED_RUNNING);
	sim_kick(&s, r);
	assert_ptr_equal(s.cur[1], &a.unit);
	assert_ptr_equal(s.cur[0], &c.unit);
	sim_check(&s, all, 3);
	/* A blocked unit goes to an allowed CPU when it wakes. */
	sim_sleep(&s, &c);
	assert_int_equal(sim_set_affinity(&s, &c, 4), -1);
	sim_wake(&s, &c);
	assert_int_equal(c.unit.cpu, 2);
	assert_null(s.cur[0]);
	sim_run_until(&s, 1 * SEC);
	sim_check(&s, all, 3);
	assert_int_equal(s.idle_ns[0] + s.idle_ns[1] + s.idle_ns[2] > 900 * MS, true);
	assert_true(a.ran_ns > 900 * MS);
}

static void test_pinned_units_never_move(void **state)
{
	struct sim s;
	struct sim_vcpu v[6];
	struct sim_vcpu *all[6];

	sim_init(&s, 2);
	for (unsigned int i = 0; i < 6; i++) {
		all[i] = &v[i];
		sim_vcpu_init(&v[i], i, 256, 0, 1); /* all pinned to CPU 0 */
		sim_add(&s, &v[i]);
	}
	for (unsigned int t = 1; t <= 100; t++) {
		sim_resched(&s, 1, false); /* CPU 1 keeps trying to steal */
		sim_run_until(&s, t * 10 * MS);
		assert_null(s.cur[1]);
	}
	sim_check(&s, all, 6);
	assert_int_equal(s.idle_ns[1], 1 * SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_ops_respect_affinity),
	    cmocka_unit_test(test_insert_spreads_two_and_two),
	    cmocka_unit_test(test_idle_cpu_steals_and_periodic_balance),
	    cmocka_unit_test(test_migration_translates_vtime),
	    cmocka_unit_test(test_wake_returns_cpu_to_kick),
	    cmocka_unit_test(test_set_affinity_migrates),
	    cmocka_unit_test(test_pinned_units_never_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
