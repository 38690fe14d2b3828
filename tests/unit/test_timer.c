/* Unit tests for the per-CPU deadline timers (common/timer.c) on a simulated clock and CPUs. */
#include <keel/compiler.h>
#include <keel/softirq.h>
#include <keel/timer.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

#define NR_T	 32
#define TICK_CPU 40 /* timer_cpu_init's tick lives here, away from the other tests */

static struct timer tm[NR_T];
/* Which timers fired, in order. */
static int fired[256];
static unsigned int nr_fired;

static void record_fn(struct timer *t)
{
	assert_true(nr_fired < ARRAY_SIZE(fired));
	fired[nr_fired++] = (int)(t - tm);
}

static struct timer *rearm_self;
static void rearm_fn(struct timer *t)
{
	record_fn(t);
	if (t == rearm_self)
		timer_set(t, shim_core_now + 100, t->cpu);
}

static int setup(void **state)
{
	(void)state;
	shim_core_timer_reset();
	shim_core_reset_log();
	for (unsigned int i = 0; i < NR_T; i++)
		timer_init(&tm[i], record_fn);
	nr_fired = 0;
	rearm_self = NULL;
	return 0;
}

/* Leave every queue empty for the next test. */
static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NR_T; i++)
		timer_stop(&tm[i]);
	return 0;
}

static void test_init_is_inactive(void **state)
{
	(void)state;
	tm[0].deadline = 77;
	tm[0].queued = true;
	timer_init(&tm[0], record_fn);
	assert_int_equal(tm[0].deadline, 0);
	assert_false(tm[0].queued);
	assert_false(tm[0].irq_safe);
	assert_ptr_equal(tm[0].fn, record_fn);
}

static void test_single_fires_at_deadline(void **state)
{
	(void)state;
	shim_core_now = 1000;
	timer_set(&tm[0], 5000, 0);
	assert_true(tm[0].queued);
	assert_int_equal(shim_core_last_prog(), 5000);

	shim_core_now = 4999;
	timer_run_expired();
	assert_int_equal(nr_fired, 0);
	assert_int_equal(shim_core_last_prog(), 5000);
	assert_true(tm[0].queued);

	shim_core_now = 5000; /* a deadline equal to now has expired */
	timer_run_expired();
	assert_int_equal(nr_fired, 1);
	assert_int_equal(fired[0], 0);
	assert_false(tm[0].queued);
	assert_int_equal(tm[0].deadline, 0);
	assert_int_equal(shim_core_last_prog(), 0); /* nothing left: hardware disarmed */

	timer_run_expired(); /* fires only once */
	assert_int_equal(nr_fired, 1);
}

static void test_order_by_deadline_ties_fifo(void **state)
{
	static const u64 dl[] = {500, 100, 300, 100, 200, 500, 50};
	static const int expect[] = {6, 1, 3, 4, 2, 0, 5};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(dl); i++)
		timer_set(&tm[i], dl[i], 0);
	shim_core_now = 1000;
	timer_run_expired();
	assert_int_equal(nr_fired, ARRAY_SIZE(expect));
	for (unsigned int i = 0; i < ARRAY_SIZE(expect); i++)
		assert_int_equal(fired[i], expect[i]);
	assert_int_equal(shim_core_last_prog(), 0);
}

static void test_runs_only_expired(void **state)
{
	(void)state;
	timer_set(&tm[0], 10, 0);
	timer_set(&tm[1], 30, 0);
	timer_set(&tm[2], 20, 0);
	timer_set(&tm[3], 40, 0);
	shim_core_now = 25;
	timer_run_expired();
	assert_int_equal(nr_fired, 2);
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 2);
	assert_true(tm[1].queued && tm[3].queued);
	assert_int_equal(shim_core_last_prog(), 30);
	shim_core_now = 35;
	timer_run_expired();
	assert_int_equal(nr_fired, 3);
	assert_int_equal(fired[2], 1);
	assert_int_equal(shim_core_last_prog(), 40);
}

static void test_program_only_for_new_head(void **state)
{
	unsigned int n;

	(void)state;
	timer_set(&tm[0], 1000, 0);
	assert_int_equal(shim_core_last_prog(), 1000);
	n = shim_core_nr_progs;
	timer_set(&tm[1], 2000, 0); /* behind the head: the hardware stays as it is */
	assert_int_equal(shim_core_nr_progs, n);
	timer_set(&tm[2], 500, 0); /* new head */
	assert_int_equal(shim_core_nr_progs, n + 1);
	assert_int_equal(shim_core_last_prog(), 500);
}

static void test_stop(void **state)
{
	(void)state;
	timer_set(&tm[0], 100, 0);
	timer_set(&tm[1], 200, 0);
	timer_set(&tm[2], 300, 0);
	timer_stop(&tm[1]);
	assert_false(tm[1].queued);
	assert_int_equal(tm[1].deadline, 0);
	timer_stop(&tm[1]); /* stopping twice is harmless */
	timer_stop(&tm[5]); /* so is stopping one never armed */
	timer_stop(&tm[0]); /* the head */
	shim_core_now = 1000;
	timer_run_expired();
	assert_int_equal(nr_fired, 1);
	assert_int_equal(fired[0], 2);
}

static void test_rearm_same_cpu_moves_deadline(void **state)
{
	(void)state;
	timer_set(&tm[0], 100, 0);
	timer_set(&tm[1], 200, 0);
	timer_set(&tm[0], 300, 0); /* re-arm: later, no duplicate entry */
	shim_core_now = 250;
	timer_run_expired();
	assert_int_equal(nr_fired, 1);
	assert_int_equal(fired[0], 1);
	assert_int_equal(shim_core_last_prog(), 300);
	shim_core_now = 300;
	timer_run_expired();
	assert_int_equal(nr_fired, 2);
	assert_int_equal(fired[1], 0);
}

static void test_rearm_moves_between_cpus(void **state)
{
	(void)state;
	timer_set(&tm[0], 100, 0);
	assert_int_equal(tm[0].cpu, 0);
	timer_set(&tm[0], 150, 3);
	assert_int_equal(tm[0].cpu, 3);
	assert_true(tm[0].queued);
	/* CPU 3 is told to reprogram its hardware; CPU 0's own hardware is not touched for it. */
	assert_int_equal(shim_core_softirq_remote[3][SOFTIRQ_TIMER], 1);
	shim_core_now = 1000;
	timer_run_expired(); /* on CPU 0: gone from there */
	assert_int_equal(nr_fired, 0);
	shim_core_cpu = 3;
	timer_run_expired();
	assert_int_equal(nr_fired, 1);
	assert_false(tm[0].queued);
	/* Back to CPU 0. */
	timer_set(&tm[0], 2000, 0);
	assert_int_equal(shim_core_softirq_remote[0][SOFTIRQ_TIMER], 1);
	shim_core_now = 5000;
	timer_run_expired(); /* CPU 3 again: nothing */
	assert_int_equal(nr_fired, 1);
	shim_core_cpu = 0;
	timer_run_expired();
	assert_int_equal(nr_fired, 2);
}

static void test_remote_non_head_no_ipi(void **state)
{
	(void)state;
	timer_set(&tm[0], 100, 5);
	assert_int_equal(shim_core_softirq_remote[5][SOFTIRQ_TIMER], 1);
	timer_set(&tm[1], 200, 5);
	assert_int_equal(shim_core_softirq_remote[5][SOFTIRQ_TIMER], 1);
	assert_int_equal(shim_core_nr_progs, 0); /* nothing programmed on this CPU (0) */
}

static void test_zero_and_past_deadline_fire_at_once(void **state)
{
	(void)state;
	shim_core_now = 10000;
	timer_set(&tm[0], 0, 0);
	assert_int_equal(tm[0].deadline, 1); /* 0 means inactive, so it becomes 1 */
	assert_true(tm[0].queued);
	timer_set(&tm[1], 5, 0);
	timer_run_expired();
	assert_int_equal(nr_fired, 2);
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 1);
}

static void test_callback_rearms_itself(void **state)
{
	(void)state;
	tm[0].fn = rearm_fn;
	rearm_self = &tm[0];
	timer_set(&tm[0], 100, 0);
	shim_core_now = 100;
	timer_run_expired();
	assert_int_equal(nr_fired, 1); /* re-armed for now + 100: not run again */
	assert_true(tm[0].queued);
	assert_int_equal(tm[0].deadline, 200);
	assert_int_equal(shim_core_last_prog(), 200);
}

static void test_irq_runs_only_irq_safe(void **state)
{
	(void)state;
	timer_set(&tm[0], 10, 0); /* not irq-safe */
	tm[1].irq_safe = true;
	timer_set(&tm[1], 20, 0);
	timer_set(&tm[2], 100, 0);
	shim_core_now = 50;
	timer_interrupt_run();
	assert_int_equal(nr_fired, 1);
	assert_int_equal(fired[0], 1);
	assert_true(tm[0].queued); /* stays for the CPU loop */
	assert_true(shim_core_softirq_local[0][SOFTIRQ_TIMER] >= 1);
	assert_int_equal(shim_core_last_prog(), 100);

	timer_run_expired(); /* the softirq */
	assert_int_equal(nr_fired, 2);
	assert_int_equal(fired[1], 0);
	assert_false(tm[0].queued);
	assert_int_equal(shim_core_last_prog(), 100);
}

static void test_irq_with_nothing_safe(void **state)
{
	(void)state;
	timer_set(&tm[0], 10, 0);
	shim_core_now = 10;
	timer_interrupt_run();
	assert_int_equal(nr_fired, 0);
	assert_true(tm[0].queued);
	assert_int_equal(shim_core_softirq_local[0][SOFTIRQ_TIMER], 1);
	/* Unexpired irq-safe timer behind it: not run. */
	tm[1].irq_safe = true;
	timer_set(&tm[1], 20, 0);
	shim_core_softirq_local[0][SOFTIRQ_TIMER] = 0;
	timer_interrupt_run();
	assert_int_equal(nr_fired, 0);
	assert_int_equal(shim_core_softirq_local[0][SOFTIRQ_TIMER], 1);
	assert_int_equal(shim_core_last_prog(), 20);
	shim_core_now = 20;
	timer_interrupt_run();
	assert_int_equal(nr_fired, 1);
	assert_int_equal(fired[0], 1);
}

static void test_irq_nothing_expired_no_softirq(void **state)
{
	(void)state;
	timer_set(&tm[0], 1000, 0);
	shim_core_now = 999;
	timer_interrupt_run();
	assert_int_equal(nr_fired, 0);
	assert_int_equal(shim_core_softirq_local[0][SOFTIRQ_TIMER], 0);
	assert_int_equal(shim_core_last_prog(), 1000);
	timer_stop(&tm[0]);
	timer_interrupt_run();
	assert_int_equal(shim_core_last_prog(), 0);
}

static void test_bad_cpu_or_fn_is_bug(void **state)
{
	(void)state;
	expect_assert_failure(timer_set(&tm[0], 100, 64));
	tm[1].fn = NULL;
	expect_assert_failure(timer_set(&tm[1], 100, 0));
	assert_false(tm[0].queued);
	assert_false(tm[1].queued);
	tm[1].fn = record_fn;
}

static unsigned int tick_count;
static void tick_probe(struct timer *t)
{
	(void)t;
	tick_count++;
}

static void test_cpu_tick(void **state)
{
	(void)state;
	shim_core_cpu = TICK_CPU;
	shim_core_now = 1000;
	timer_cpu_init(TICK_CPU);
	assert_int_equal(shim_core_last_prog(), 1000 + 10000000ULL);
	/* The tick is irq-safe: it runs in the interrupt and re-arms itself 10 ms later. */
	shim_core_now = 1000 + 10000000ULL;
	timer_interrupt_run();
	assert_int_equal(shim_core_last_prog(), 1000 + 20000000ULL);
	assert_int_equal(shim_core_softirq_local[TICK_CPU][SOFTIRQ_TIMER], 0);
	/* Another timer on the tick's CPU interleaves with it by deadline. */
	tm[0].fn = tick_probe;
	tick_count = 0;
	timer_set(&tm[0], 1000 + 15000000ULL, TICK_CPU);
	assert_int_equal(shim_core_last_prog(), 1000 + 15000000ULL);
	shim_core_now = 1000 + 15000000ULL;
	timer_run_expired();
	assert_int_equal(tick_count, 1);
	assert_int_equal(shim_core_last_prog(), 1000 + 20000000ULL);
	tm[0].fn = record_fn;
}

/* Random set/stop/re-arm over 4 CPUs against a model; every timer fires once, in order. */
static void test_random_against_model(void **state)
{
	u64 model_dl[NR_T];
	unsigned int model_cpu[NR_T];

	(void)state;
	srand(4242);
	memset(model_dl, 0, sizeof(model_dl));
	for (unsigned int round = 0; round < 2000; round++) {
		unsigned int i = (unsigned int)rand() % NR_T;

		if (rand() % 4 == 0) {
			timer_stop(&tm[i]);
			model_dl[i] = 0;
		} else {
			u64 dl = 1 + (u64)(rand() % 100000);
			unsigned int cpu = (unsigned int)rand() % 4;

			timer_set(&tm[i], dl, cpu);
			model_dl[i] = dl;
			model_cpu[i] = cpu;
		}
	}
	shim_core_now = 200000;
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		unsigned int start = nr_fired, expected = 0;

		shim_core_cpu = cpu;
		timer_run_expired();
		assert_int_equal(shim_core_last_prog(), 0);
		for (unsigned int i = 0; i < NR_T; i++)
			expected += model_dl[i] && model_cpu[i] == cpu;
		assert_int_equal(nr_fired - start, expected);
		for (unsigned int k = start; k < nr_fired; k++) {
			int t = fired[k];

			assert_true(model_dl[t] && model_cpu[t] == (unsigned int)cpu);
			if (k > start)
				assert_true(model_dl[fired[k - 1]] <= model_dl[t]);
		}
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_init_is_inactive),
	    T(test_single_fires_at_deadline),
	    T(test_order_by_deadline_ties_fifo),
	    T(test_runs_only_expired),
	    T(test_program_only_for_new_head),
	    T(test_stop),
	    T(test_rearm_same_cpu_moves_deadline),
	    T(test_rearm_moves_between_cpus),
	    T(test_remote_non_head_no_ipi),
	    T(test_zero_and_past_deadline_fire_at_once),
	    T(test_callback_rearms_itself),
	    T(test_irq_runs_only_irq_safe),
	    T(test_irq_with_nothing_safe),
	    T(test_irq_nothing_expired_no_softirq),
	    T(test_bad_cpu_or_fn_is_bug),
	    T(test_cpu_tick),
	    T(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
