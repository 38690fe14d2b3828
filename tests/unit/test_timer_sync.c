/* Unit tests: timer_stop() against a callback running on another CPU (threads as CPUs). */
#include <keel/compiler.h>
#include <keel/printk.h>
#include <keel/timer.h>

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "shim_core.h"
#include "shim_spinlock_mt.h"

#define CPU_FIRE  1 /* runs the callback */
#define CPU_STOP  2 /* calls timer_stop */
#define CPU_OTHER 3
#define HOLD_MS	  200 /* how long a correct timer_stop is kept waiting */

static struct timer tm, tm_irq;
static struct shim_gate in_callback; /* the callback stops here until the test opens it */
static bool callback_done, stop_returned, done_when_stop_returned;
static void (*after_gate)(struct timer *t);

static u64 real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

/* The callback under test: announce itself, wait at the gate, then do after_gate's work. */
static void gated_fn(struct timer *t)
{
	shim_gate_wait_here(&in_callback);
	if (after_gate)
		after_gate(t);
	__atomic_store_n(&callback_done, true, __ATOMIC_SEQ_CST);
}

static void *fire_thread(void *arg)
{
	(void)arg;
	shim_core_cpu = CPU_FIRE;
	timer_run_expired();
	return NULL;
}

static void *stop_thread(void *arg)
{
	struct timer *t = arg;

	shim_core_cpu = CPU_STOP;
	timer_stop(t);
	__atomic_store_n(&done_when_stop_returned,
			 __atomic_load_n(&callback_done, __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
	__atomic_store_n(&stop_returned, true, __ATOMIC_SEQ_CST);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	shim_core_timer_reset();
	shim_core_reset_log();
	shim_gate_init(&in_callback);
	timer_init(&tm, gated_fn);
	callback_done = stop_returned = done_when_stop_returned = false;
	after_gate = NULL;
	shim_spin_unlock_hook = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	shim_core_cpu = 0;
	timer_stop(&tm);
	timer_stop(&tm_irq);
	return 0;
}

/*
 * Fire @tm on CPU_FIRE (its callback parks at the gate), call timer_stop from CPU_STOP, keep the
 * callback parked for HOLD_MS or until timer_stop returns, then let it finish. Returns whether
 * timer_stop returned while the callback was still running.
 */
static bool stop_during_callback(u64 hold_ms)
{
	pthread_t fire, stop;
	u64 until;
	bool early;

	shim_core_cpu = 0;
	shim_core_now = 1000;
	timer_set(&tm, 500, CPU_FIRE);
	assert_int_equal(pthread_create(&fire, NULL, fire_thread, NULL), 0);
	shim_gate_await_arrival(&in_callback);
	assert_int_equal(pthread_create(&stop, NULL, stop_thread, &tm), 0);
	until = real_ms() + hold_ms;
	while (!__atomic_load_n(&stop_returned, __ATOMIC_SEQ_CST) && real_ms() < until)
		sched_yield();
	early = __atomic_load_n(&stop_returned, __ATOMIC_SEQ_CST);
	shim_gate_open(&in_callback);
	pthread_join(fire, NULL);
	pthread_join(stop, NULL);
	return early || !done_when_stop_returned;
}

/* The bug: timer_stop only unlinked, so the vCPU holding the timer was freed under its callback. */
static void test_stop_waits_for_callback_on_other_cpu(void **state)
{
	(void)state;
	assert_false(stop_during_callback(HOLD_MS));
	assert_true(callback_done);
	assert_false(tm.queued);
}

/* A callback that re-arms its timer after timer_stop began: the stop wins, nothing stays queued. */
static void rearm_same_cpu(struct timer *t)
{
	timer_set(t, shim_core_now + 1000000, CPU_FIRE);
}

static void test_stop_undoes_rearm_by_running_callback(void **state)
{
	(void)state;
	after_gate = rearm_same_cpu;
	assert_false(stop_during_callback(HOLD_MS));
	assert_false(tm.queued);
	assert_int_equal(tm.deadline, 0);
}

/* A callback that moves its timer to another CPU is still waited for where it runs. */
static void move_then_gate(struct timer *t)
{
	timer_set(t, shim_core_now + 1000000, CPU_OTHER); /* on its own CPU: does not wait */
	gated_fn(t);
}

static void test_stop_waits_for_callback_that_moved_its_timer(void **state)
{
	(void)state;
	timer_init(&tm, move_then_gate);
	assert_false(stop_during_callback(HOLD_MS));
	assert_false(tm.queued);
}

/* A wait that takes long is logged (and continues): the clock here moves with every udelay. */
static void test_long_wait_is_logged_not_abandoned(void **state)
{
	pthread_t fire, stop;
	u64 until;

	(void)state;
	shim_core_cpu = 0;
	shim_core_now = 1000;
	timer_set(&tm, 500, CPU_FIRE);
	assert_int_equal(pthread_create(&fire, NULL, fire_thread, NULL), 0);
	shim_gate_await_arrival(&in_callback);
	assert_int_equal(pthread_create(&stop, NULL, stop_thread, &tm), 0);
	until = real_ms() + 10000;
	while (!__atomic_load_n(&shim_core_log_count[LOG_WARN], __ATOMIC_SEQ_CST) &&
	       !__atomic_load_n(&stop_returned, __ATOMIC_SEQ_CST) && real_ms() < until)
		sched_yield();
	assert_false(__atomic_load_n(&stop_returned, __ATOMIC_SEQ_CST));
	shim_gate_open(&in_callback);
	pthread_join(fire, NULL);
	pthread_join(stop, NULL);
	assert_true(shim_core_log_contains("timer: timer_stop on CPU 2 has waited"));
	assert_true(shim_core_log_contains("for a callback on CPU 1"));
	assert_true(done_when_stop_returned);
}

/* From its own callback, timer_stop (also inside timer_set) only disarms: it cannot wait. */
static unsigned int self_stops;
static void stop_self(struct timer *t)
{
	timer_set(t, shim_core_now + 100, t->cpu);
	timer_stop(t);
	self_stops++;
}

static void test_stop_from_own_callback_does_not_wait(void **state)
{
	(void)state;
	self_stops = 0;
	timer_init(&tm, stop_self);
	shim_core_cpu = CPU_FIRE;
	shim_core_now = 1000;
	timer_set(&tm, 500, CPU_FIRE);
	timer_run_expired();
	assert_int_equal(self_stops, 1);
	assert_false(tm.queued);
}

/*
 * An irq-safe callback that interrupts the loop-level callback of @tm on the same CPU stops
 * @tm: it must not wait (the interrupted callback cannot go on until it returns). Afterwards
 * @tm's callback is still known to run: timer_stop from another CPU waits for it.
 */
static void irq_stops_tm(struct timer *t)
{
	(void)t;
	timer_stop(&tm);
}

static void loop_fn_with_interrupt(struct timer *t)
{
	timer_interrupt_run(); /* the timer interrupt arrives while this callback runs */
	gated_fn(t);
}

static void test_stop_from_interrupt_on_same_cpu(void **state)
{
	(void)state;
	timer_init(&tm, loop_fn_with_interrupt);
	timer_init(&tm_irq, irq_stops_tm);
	tm_irq.irq_safe = true;
	shim_core_cpu = 0;
	shim_core_now = 1000;
	timer_set(&tm_irq, 600, CPU_FIRE);
	assert_false(stop_during_callback(HOLD_MS));
	assert_false(tm_irq.queued);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stop_waits_for_callback_on_other_cpu, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_stop_undoes_rearm_by_running_callback, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_stop_waits_for_callback_that_moved_its_timer,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_wait_is_logged_not_abandoned, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_stop_from_own_callback_does_not_wait, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_stop_from_interrupt_on_same_cpu, setup, teardown),
	};

	alarm(60); /* a deadlock fails the run instead of hanging it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
