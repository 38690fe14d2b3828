/* Unit tests for CPU pools: pools= parsing and its messages, moving units, the null policy. */
#include <keel/errno.h>
#include <keel/sched.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shim_sched.h"

static char why[256];

static void unit_new(struct sim_vcpu *v, unsigned int id, u64 affinity)
{
	sim_vcpu_init(v, id, 256, 0, affinity);
	assert_int_equal(sched_insert(&v->unit), 0);
}

static void expect_log(const char *line)
{
	if (!shim_sched_log_has(line))
		fail_msg("not logged: \"%s\"; the log was:\n%s", line, shim_sched_log());
}

static void test_pools_param_sets_up_pools(void **state)
{
	struct sim s;
	struct sched_pool *p0, *rtos, *linux_pool;

	sim_init_pools(&s, 4, "rtos:null:1/linux:fair:2-3");
	expect_log("sched: pool pool0: rt policy on CPUs 0\n");
	expect_log("sched: pool rtos: null policy on CPUs 1\n");
	expect_log("sched: pool linux: fair policy on CPUs 2-3\n");
	p0 = sched_pool_find("pool0");
	rtos = sched_pool_find("rtos");
	linux_pool = sched_pool_find("linux");
	assert_non_null(p0);
	assert_non_null(rtos);
	assert_non_null(linux_pool);
	assert_null(sched_pool_find("nope"));
	assert_null(sched_pool_find(""));
	assert_ptr_equal(sched_pool_default(), p0);
	assert_ptr_equal(p0->policy, &sched_rt);
	assert_ptr_equal(rtos->policy, &sched_null);
	assert_ptr_equal(linux_pool->policy, &sched_fair);
	assert_int_equal(p0->cpus, 1);
	assert_int_equal(rtos->cpus, 2);
	assert_int_equal(linux_pool->cpus, 0xc);
	assert_int_not_equal(rtos->id, linux_pool->id);
	assert_ptr_equal(sched_pool_of_cpu(0), p0);
	assert_ptr_equal(sched_pool_of_cpu(1), rtos);
	assert_ptr_equal(sched_pool_of_cpu(3), linux_pool);
	expect_assert_failure(sched_pool_of_cpu(4));
	assert_false(sched_cpu_tickless(0));
	assert_true(sched_cpu_tickless(1));
	assert_false(sched_cpu_tickless(2));
	assert_false(sched_cpu_tickless(MAX_CPUS));

	/* Lists with commas and ranges; unnamed CPUs anywhere form pool0. */
	sim_init_pools(&s, 6, "a:rt:1,3-4/b_2-X:fair:5");
	expect_log("sched: pool pool0: rt policy on CPUs 0,2\n");
	expect_log("sched: pool a: rt policy on CPUs 1,3-4\n");
	expect_log("sched: pool b_2-X: fair policy on CPUs 5\n");
	assert_false(sched_cpu_tickless(1));

	/* No pools=: one pool0 over every CPU, as before pools existed. */
	sim_init(&s, 3);
	expect_log("sched: pool pool0: rt policy on CPUs 0-2\n");
	assert_ptr_equal(sched_pool_of_cpu(2), sched_pool_default());
}

/* @arg's one bad entry is logged with @msg and ignored: pool0 keeps every CPU. */
static void expect_bad(unsigned int nr_cpus, const char *arg, const char *entry, const char *msg)
{
	struct sim s;
	char line[512];

	shim_sched_log_quiet = true;
	sim_init_pools(&s, nr_cpus, arg);
	shim_sched_log_quiet = false;
	snprintf(line, sizeof(line),
		 "sched: pools= entry \"%s\" ignored: %s; its CPUs stay in pool0", entry, msg);
	expect_log(line);
}

static void test_pools_param_bad_entries(void **state)
{
	struct sim s;

	expect_bad(4, "x:foo:1", "x:foo:1", "unknown policy \"foo\" (use rt, fair or null)");
	assert_int_equal(sched_pool_default()->cpus, 0xf);
	assert_null(sched_pool_find("x"));
	expect_bad(4, "a:fair:1-2/b:rt:2", "b:rt:2",
		   "CPU 2 is already in pool a (name each CPU in one pool only)");
	assert_int_equal(sched_pool_find("a")->cpus, 6);
	assert_int_equal(sched_pool_default()->cpus, 9);
	expect_bad(4, "a:fair:2-7", "a:fair:2-7",
		   "CPU 4 does not exist (this machine has CPUs 0-3)");
	expect_bad(
	    4, "a:null:0-1", "a:null:0-1",
	    "CPU 0 cannot be in a null pool: CPU 0 keeps Keel's housekeeping (use CPUs 1 and "
	    "up)");
	assert_false(sched_cpu_tickless(1));
	expect_bad(4, "bad.name:fair:1", "bad.name:fair:1",
		   "pool name \"bad.name\" is not 1 to 15 letters, digits, _ or - (rename it)");
	expect_bad(4, "0123456789abcdef:fair:1", "0123456789abcdef:fair:1",
		   "pool name \"0123456789abcdef\" is not 1 to 15 letters, digits, _ or - (rename "
		   "it)");
	expect_bad(4, ":fair:1", ":fair:1",
		   "pool name \"\" is not 1 to 15 letters, digits, _ or - (rename it)");
	expect_bad(4, "a:fair:1/a:rt:2", "a:rt:2",
		   "pool name \"a\" is taken (give each pool its own name)");
	assert_int_equal(sched_pool_find("a")->cpus, 2);
	expect_bad(4, "pool0:fair:1", "pool0:fair:1",
		   "pool name \"pool0\" is taken (give each pool its own name)");
	expect_bad(4, "a:fair", "a:fair", "expected NAME:POLICY:CPUS, e.g. rtos:null:1");
	expect_bad(4, "a:fair:1:2", "a:fair:1:2", "expected NAME:POLICY:CPUS, e.g. rtos:null:1");
	expect_bad(4, "a:fair:1-", "a:fair:1-",
		   "CPU list \"1-\" is not like 0-1,3 (CPU numbers 0 to 63)");
	expect_bad(4, "a:fair:3-1", "a:fair:3-1",
		   "CPU list \"3-1\" is not like 0-1,3 (CPU numbers 0 to 63)");
	expect_bad(4,
		   "a:fair:", "a:fair:", "CPU list \"\" is not like 0-1,3 (CPU numbers 0 to 63)");
	expect_bad(4, "a:fair:1,,2", "a:fair:1,,2",
		   "CPU list \"1,,2\" is not like 0-1,3 (CPU numbers 0 to 63)");
	expect_bad(4, "a:fair:64", "a:fair:64",
		   "CPU list \"64\" is not like 0-1,3 (CPU numbers 0 to 63)");
	/* A bad entry does not stop the good ones after it. */
	expect_bad(4, "p:fast:1/q:fair:2/", "p:fast:1",
		   "unknown policy \"fast\" (use rt, fair or null)");
	assert_int_equal(sched_pool_find("q")->cpus, 4);
	assert_int_equal(sched_pool_default()->cpus, 0xb);
	/* At most 8 pools, pool0 included. */
	expect_bad(
	    10, "p1:fair:1/p2:fair:2/p3:fair:3/p4:fair:4/p5:fair:5/p6:fair:6/p7:fair:7/p8:fair:8",
	    "p8:fair:8", "too many pools (at most 8, pool0 included): merge some");
	assert_non_null(sched_pool_find("p7"));
	assert_null(sched_pool_find("p8"));
	assert_int_equal(sched_pool_default()->cpus, 0x301);
	/* A value too long for the option is refused (the command-line parser logs it). */
	{
		char arg[400];

		memset(arg, 'a', sizeof(arg) - 1);
		arg[sizeof(arg) - 1] = '\0';
		assert_int_equal(sched_pools_param(arg), -E2BIG);
	}
	sim_init(&s, 1);
}

static void test_empty_pool0_default_is_the_first_pool(void **state)
{
	struct sim s;
	struct sim_vcpu v;

	sim_init_pools(&s, 2, "all:fair:0-1");
	assert_false(shim_sched_log_has("pool pool0"));
	assert_null(sched_pool_find("pool0"));
	assert_ptr_equal(sched_pool_default(), sched_pool_find("all"));
	unit_new(&v, 1, ~0ULL);
	assert_ptr_equal(v.unit.pool, sched_pool_find("all"));
	sim_wake(&s, &v);
	sim_run_until(&s, 100 * MS);
	assert_int_equal(v.ran_ns, 100 * MS);
}

static void test_set_pool(void **state)
{
	struct sim s;
	struct sim_vcpu v, w, off;
	struct sched_pool *linux_pool;
	int r;

	sim_init_pools(&s, 4, "rtos:null:1/linux:fair:2-3");
	linux_pool = sched_pool_find("linux");
	unit_new(&v, 1, ~0ULL);
	assert_ptr_equal(v.unit.pool, sched_pool_default());
	assert_int_equal(v.unit.cpu, 0);
	assert_int_equal(sched_set_pool(&v.unit, linux_pool, why, sizeof(why)), 0);
	assert_ptr_equal(v.unit.pool, linux_pool);
	assert_true(v.unit.cpu == 2 || v.unit.cpu == 3);
	assert_int_equal(v.unit.state, SCHED_BLOCKED);
	sim_wake(&s, &v);
	assert_int_equal(sim_cpu_of(&s, &v.unit) >= 2, 1);
	/* Runnable or running: refused. */
	assert_int_equal(sched_set_pool(&v.unit, sched_pool_default(), why, sizeof(why)), -EBUSY);
	assert_string_equal(why, "d1v0 is runnable or running: move it to pool pool0 before its "
				 "domain starts, or while it is paused");
	/* In a fair pool there are no reservations. */
	assert_int_equal(sched_set_rt(&v.unit, 1000000, 2000000, 1, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "pool linux uses the fair policy, which takes no reservations");
	assert_int_equal(sched_set_rt(&v.unit, 0, 0, 0, why, sizeof(why)), 0);
	/* Affinity and pool together: the CPUs it may use are both. */
	assert_int_equal(sim_set_affinity(&s, &v, 3), -EINVAL); /* CPUs 0-1: none in linux */
	r = sim_set_affinity(&s, &v, 0xb); /* CPUs 0, 1 and 3: only 3 in linux */
	assert_true(r == -1 || r == 2);
	sim_run_until(&s, 10 * MS);
	assert_ptr_equal(s.cur[3], &v.unit);
	/* A unit whose affinity misses the pool. */
	unit_new(&w, 2, 1);
	assert_int_equal(sched_set_pool(&w.unit, linux_pool, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "pool linux (CPUs 2-3) has none of the CPUs d2v0 may use (0)");
	assert_ptr_equal(w.unit.pool, sched_pool_default());
	assert_int_equal(sched_set_pool(&w.unit, NULL, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "no such pool (or it has no CPU)");
	/* Moving a reserved unit out of an rt pool drops its reservation. */
	assert_int_equal(sched_set_rt(&w.unit, 100000, 1000000, 5, why, sizeof(why)), 0);
	assert_int_equal(sim_set_affinity(&s, &w, 3), -1);
	assert_int_equal(sched_set_pool(&w.unit, sched_pool_find("rtos"), why, sizeof(why)), 0);
	assert_int_equal(w.unit.rt_budget_ns, 0);
	assert_int_equal(w.unit.cpu, 1);
	/* An OFFLINE unit moves at once and is placed when inserted. */
	sim_vcpu_init(&off, 3, 256, 0, ~0ULL);
	assert_int_equal(sched_set_pool(&off.unit, linux_pool, why, sizeof(why)), 0);
	assert_int_equal(off.unit.state, SCHED_OFFLINE);
	sim_add(&s, &off);
	assert_true(off.unit.cpu == 2 || off.unit.cpu == 3);
	sim_check(&s, (struct sim_vcpu *const[]){&v, &w, &off}, 3);
}

static void test_null_pool_one_unit_per_cpu(void **state)
{
	struct sim s;
	struct sim_vcpu u[4], fair[3];
	struct sched_pool *rtos;

	sim_init_pools(&s, 3, "rtos:null:1-2");
	rtos = sched_pool_find("rtos");
	assert_true(sched_cpu_tickless(1) && sched_cpu_tickless(2) && !sched_cpu_tickless(0));
	for (unsigned int i = 0; i < 4; i++)
		unit_new(&u[i], i + 1, ~0ULL);
	assert_int_equal(sched_set_pool(&u[0].unit, rtos, why, sizeof(why)), 0);
	assert_int_equal(u[0].unit.cpu, 1); /* the lowest free CPU */
	assert_int_equal(sched_set_pool(&u[1].unit, rtos, why, sizeof(why)), 0);
	assert_int_equal(u[1].unit.cpu, 2);
	assert_int_equal(sched_set_pool(&u[2].unit, rtos, why, sizeof(why)), -EBUSY);
	assert_string_equal(why, "pool rtos (null) has no free CPU: CPU 1 already runs d1v0, CPU 2 "
				 "already runs d2v0");
	assert_ptr_equal(u[2].unit.pool, sched_pool_default());
	/* Its affinity limits the CPUs named. */
	assert_int_equal(sim_set_affinity(&s, &u[3], 3), -1); /* in rtos: CPU 1 only */
	assert_int_equal(sched_set_pool(&u[3].unit, rtos, why, sizeof(why)), -EBUSY);
	assert_string_equal(why, "pool rtos (null) has no free CPU: CPU 1 already runs d1v0");
	/* No reservations in a null pool. */
	assert_int_equal(sched_set_rt(&u[0].unit, 100000, 1000000, 1, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "pool rtos uses the null policy, which takes no reservations");

	/* Runs with no deadline at all; idles with no timer when it blocks. */
	assert_int_equal(sched_wake(&u[0].unit, 0), 1);
	sim_resched(&s, 1, false);
	assert_ptr_equal(s.cur[1], &u[0].unit);
	assert_true(s.slice[1] == SCHED_SLICE_NONE);
	assert_true(s.deadline[1] == SIM_NEVER);
	sim_resched(&s, 1, true); /* a yield: it is alone, it runs on */
	assert_ptr_equal(s.cur[1], &u[0].unit);
	/* Pool0 work never goes to null CPUs, even when they idle. */
	for (unsigned int i = 0; i < 3; i++) {
		unit_new(&fair[i], 10 + i, ~0ULL);
		sim_wake(&s, &fair[i]);
	}
	sim_resched(&s, 2, false);
	assert_null(s.cur[2]);
	sim_run_until(&s, 1 * SEC);
	assert_int_equal(u[0].ran_ns, 1 * SEC);
	assert_int_equal(s.idle_ns[2], 1 * SEC);
	assert_int_equal(fair[0].ran_ns + fair[1].ran_ns + fair[2].ran_ns, 1 * SEC);
	assert_int_equal(sched_cpu_load(1), 1);
	assert_int_equal(sched_cpu_load(2), 0);
	sim_sleep(&s, &u[0]);
	assert_null(s.cur[1]);
	assert_int_equal(s.slice[1], 0);
	assert_int_equal(sched_cpu_load(1), 0);
	/* A bound unit keeps its CPU: running, an affinity without it is refused. */
	sim_wake(&s, &u[0]);
	assert_int_equal(sim_set_affinity(&s, &u[0], 4), -EINVAL);
	assert_int_equal(sim_set_affinity(&s, &u[0], 3), -1);
	/* Removing a unit frees its CPU for another. */
	sim_remove(&s, &u[1]);
	assert_int_equal(sched_set_pool(&u[2].unit, rtos, why, sizeof(why)), 0);
	assert_int_equal(u[2].unit.cpu, 2);
	sim_remove(&s, &u[2]);
	/* A blocked unit is bound again when its affinity moves it. */
	assert_int_equal(sched_set_pool(&u[3].unit, rtos, why, sizeof(why)), -EBUSY); /* CPU 1 */
	assert_int_equal(sim_set_affinity(&s, &u[3], ~0ULL), -1);
	assert_int_equal(sched_set_pool(&u[3].unit, rtos, why, sizeof(why)), 0);
	assert_int_equal(u[3].unit.cpu, 2);
	sim_sleep(&s, &u[0]);
	assert_int_equal(sim_set_affinity(&s, &u[3], 2), -EINVAL); /* CPU 1 is u[0]'s */
	sim_remove(&s, &u[0]);
	assert_int_equal(sim_set_affinity(&s, &u[3], 2), -1);
	assert_int_equal(u[3].unit.cpu, 1);
	sim_wake(&s, &u[3]);
	assert_ptr_equal(s.cur[1], &u[3].unit);
	sim_check(
	    &s,
	    (struct sim_vcpu *const[]){&u[0], &u[1], &u[2], &u[3], &fair[0], &fair[1], &fair[2]},
	    7);
}

static void test_fair_pools_balance_only_inside(void **state)
{
	struct sim s;
	struct sim_vcpu v[6];
	struct sim_vcpu *all[6];
	struct sched_pool *x;

	sim_init_pools(&s, 4, "x:fair:2-3");
	x = sched_pool_find("x");
	for (unsigned int i = 0; i < 6; i++) {
		all[i] = &v[i];
		unit_new(&v[i], i, ~0ULL);
		if (i >= 4)
			assert_int_equal(sched_set_pool(&v[i].unit, x, why, sizeof(why)), 0);
		sim_wake(&s, &v[i]);
	}
	for (unsigned int t = 1; t <= 100; t++) {
		sim_run_until(&s, t * 10 * MS);
		sim_check(&s, all, 6);
	}
	/* 4 units on pool0's 2 CPUs, 2 on x's 2: nothing crossed over. */
	for (unsigned int i = 0; i < 4; i++)
		assert_true(v[i].ran_ns > 450 * MS && v[i].ran_ns < 550 * MS);
	assert_true(v[4].ran_ns > 950 * MS && v[5].ran_ns > 950 * MS);
	assert_int_equal(sched_cpu_load(0) + sched_cpu_load(1), 4);
	assert_int_equal(sched_cpu_load(2) + sched_cpu_load(3), 2);
	/* Emptying x: its CPUs idle; they do not take pool0's work. */
	sim_sleep(&s, &v[4]);
	sim_sleep(&s, &v[5]);
	sim_run_until(&s, 2 * SEC);
	assert_int_equal(s.idle_ns[2] + s.idle_ns[3], 2 * SEC);
}

static u64 rng_state;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Randomized operations over four pools of all three policies; sim_check audits each step. */
static void test_random_ops_stay_in_pools(void **state)
{
	enum { NR_CPUS = 6, NR_UNITS = 14, NR_OPS = 30000 };
	static struct sim_vcpu vcpus[NR_UNITS];
	struct sim_vcpu *all[NR_UNITS];
	struct sched_pool *pool[4];
	struct sim s;
	unsigned int i, op, counts[8] = {0};

	rng_state = 0x9001c0ffee42ULL;
	sim_init_pools(&s, NR_CPUS, "a:fair:1-2/b:rt:3-4/n:null:5");
	pool[0] = sched_pool_find("pool0");
	pool[1] = sched_pool_find("a");
	pool[2] = sched_pool_find("b");
	pool[3] = sched_pool_find("n");
	shim_trylock_fail_every = 3;
	for (i = 0; i < NR_UNITS; i++) {
		all[i] = &vcpus[i];
		unit_new(&vcpus[i], i, ~0ULL);
		sched_set_pool(&vcpus[i].unit, pool[i % 4], why, sizeof(why));
		sim_wake(&s, &vcpus[i]);
	}
	for (op = 0; op < NR_OPS; op++) {
		struct sim_vcpu *v = all[rng() % NR_UNITS];
		unsigned int cpu = rng() % NR_CPUS;
		u64 mask, period;
		int r;

		switch (rng() % 12) {
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
			mask = rng() % 128; /* CPU 6 is offline */
			r = sim_set_affinity(&s, v, mask);
			if (!(mask & v->unit.pool->cpus))
				assert_int_equal(r, -EINVAL);
			if (r == -EINVAL)
				assert_int_not_equal(v->unit.affinity, mask);
			else
				assert_int_equal(v->unit.affinity, mask);
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
				(void)sched_insert(&v->unit); /* a null pool may be full */
			else if (rng() % 4 == 0)
				sim_remove(&s, v);
			break;
		case 8:
			if (v->unit.state != SCHED_RUNNING && v->unit.state != SCHED_RUNNABLE)
				sim_sleep(&s, v);
			r = sched_set_pool(&v->unit, pool[rng() % 4], why, sizeof(why));
			assert_true(r == 0 || r == -EBUSY || r == -EINVAL);
			counts[r == 0 ? 0 : r == -EBUSY ? 1 : 2]++;
			break;
		case 9:
			period = (5 + rng() % 16) * MS;
			r = sched_set_rt(&v->unit, rng() % 3 ? period * (rng() % 90) / 100 : 0,
					 period, rng() % 100, why, sizeof(why));
			assert_true(r == 0 || r == -ENOSPC || r == -EBUSY || r == -EINVAL);
			if (r == -EINVAL)
				assert_true(v->unit.pool->policy != &sched_rt ||
					    v->unit.state == SCHED_OFFLINE);
			counts[r == 0 ? 3 : r == -ENOSPC ? 4 : r == -EBUSY ? 5 : 6]++;
			break;
		case 10:
			if (!s.cur[cpu])
				sim_resched(&s, cpu, false);
			break;
		default:
			s.now += rng() % MS;
			break;
		}
		sim_check(&s, all, NR_UNITS);
	}
	/* Every outcome happened. */
	for (i = 0; i < 7; i++)
		if (!counts[i])
			fail_msg("outcome %u never happened", i);
	/* Everything still runs: spread over pool0, a and b, each unit gets its share. */
	for (i = 0; i < NR_UNITS; i++) {
		struct sim_vcpu *v = all[i];

		if (v->unit.state != SCHED_OFFLINE)
			sim_sleep(&s, v);
		assert_int_equal(sim_set_affinity(&s, v, ~0ULL), -1);
		assert_int_equal(sched_set_rt(&v->unit, 0, 0, 0, why, sizeof(why)), 0);
		assert_int_equal(sched_set_pool(&v->unit, pool[i % 3], why, sizeof(why)), 0);
		if (v->unit.state == SCHED_OFFLINE)
			assert_int_equal(sched_insert(&v->unit), 0);
		assert_int_equal(sched_set_params(&v->unit, 256, 0), 0);
		sim_wake(&s, v);
		v->ran_ns = 0;
	}
	for (i = 0; i < NR_CPUS; i++)
		sim_resched(&s, i, false);
	sim_run_until(&s, s.now + 2 * SEC);
	sim_check(&s, all, NR_UNITS);
	for (i = 0; i < NR_UNITS; i++)
		if (all[i]->ran_ns < 300 * MS)
			fail_msg("unit %u ran %llu ns", i, all[i]->ran_ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pools_param_sets_up_pools),
	    cmocka_unit_test(test_pools_param_bad_entries),
	    cmocka_unit_test(test_empty_pool0_default_is_the_first_pool),
	    cmocka_unit_test(test_set_pool),
	    cmocka_unit_test(test_null_pool_one_unit_per_cpu),
	    cmocka_unit_test(test_fair_pools_balance_only_inside),
	    cmocka_unit_test(test_random_ops_stay_in_pools),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
