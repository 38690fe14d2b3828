/* Host shim for the scheduler tests: panic/printk/spinlocks plus a simulated multi-CPU machine. */
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/spinlock.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_sched.h"

unsigned long shim_sched_panics;

/* Every line logged since the last shim_sched_log_clear(), one per line. */
static char shim_log[16384];
static size_t shim_log_len;
bool shim_sched_log_quiet;

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(shim_log + shim_log_len, sizeof(shim_log) - shim_log_len, fmt, copy);
	va_end(copy);
	if (n >= 0 && shim_log_len + (size_t)n + 1 < sizeof(shim_log)) {
		shim_log_len += (size_t)n;
		shim_log[shim_log_len++] = '\n';
		shim_log[shim_log_len] = '\0';
	}
	if (level <= LOG_WARN && !shim_sched_log_quiet) {
		fprintf(stderr, "<%d> ", (int)level);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
}

void shim_sched_log_clear(void)
{
	shim_log_len = 0;
	shim_log[0] = '\0';
}

bool shim_sched_log_has(const char *text)
{
	return strstr(shim_log, text) != NULL;
}

const char *shim_sched_log(void)
{
	return shim_log;
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

/* A Keel panic becomes a cmocka assertion failure (expect_assert_failure() can catch it). */
void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	shim_sched_panics++;
	mock_assert(0, msg, __FILE__, __LINE__);
	abort();
}

/*
 * Single-threaded locks that check the discipline: taking a held lock is a deadlock, and a
 * blocking spin_lock must come after (at a higher address than, i.e. a higher CPU index than)
 * every lock already held. spin_trylock may go out of order: it cannot deadlock.
 */
#define SHIM_MAX_HELD 8
static spinlock_t *shim_held[SHIM_MAX_HELD];
static unsigned int shim_nr_held;

static void shim_push(spinlock_t *lock)
{
	if (shim_nr_held == SHIM_MAX_HELD)
		mock_assert(0, "spinlock: too many locks held", __FILE__, __LINE__);
	shim_held[shim_nr_held++] = lock;
	lock->next++;
}

void spin_lock(spinlock_t *lock)
{
	unsigned int i;

	if (lock->next != lock->owner)
		mock_assert(0, "spin_lock: lock already held (deadlock)", __FILE__, __LINE__);
	for (i = 0; i < shim_nr_held; i++)
		if ((uintptr_t)shim_held[i] > (uintptr_t)lock)
			mock_assert(0, "spin_lock: lock order violated", __FILE__, __LINE__);
	shim_push(lock);
}

/* Every Nth spin_trylock fails although the lock is free, as under contention (0: never). */
unsigned int shim_trylock_fail_every;
static unsigned long shim_trylocks;

bool spin_trylock(spinlock_t *lock)
{
	if (lock->next != lock->owner)
		return false;
	if (shim_trylock_fail_every && ++shim_trylocks % shim_trylock_fail_every == 0)
		return false;
	shim_push(lock);
	return true;
}

void spin_unlock(spinlock_t *lock)
{
	unsigned int i;

	if (lock->next == lock->owner)
		mock_assert(0, "spin_unlock: lock not held", __FILE__, __LINE__);
	for (i = 0; i < shim_nr_held && shim_held[i] != lock; i++)
		;
	if (i == shim_nr_held)
		mock_assert(0, "spin_unlock: not taken through the shim", __FILE__, __LINE__);
	shim_held[i] = shim_held[--shim_nr_held];
	lock->owner++;
}

bool spin_is_locked(const spinlock_t *lock)
{
	return lock->next != lock->owner;
}

unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	spin_lock(lock);
	return 0x200;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	if (flags != 0x200)
		mock_assert(0, "spin_unlock_irqrestore: bad flags", __FILE__, __LINE__);
	spin_unlock(lock);
}

unsigned int shim_sched_locks_held(void)
{
	return shim_nr_held;
}

void shim_sched_reset(void)
{
	shim_nr_held = 0;
	shim_sched_panics = 0;
	shim_trylock_fail_every = 0;
}

/* ---- the simulated machine ---- */

void sim_init_pools(struct sim *s, unsigned int nr_cpus, const char *pools)
{
	unsigned int cpu;

	shim_sched_reset();
	memset(s, 0, sizeof(*s));
	s->nr_cpus = nr_cpus;
	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		s->deadline[cpu] = SIM_NEVER;
	shim_sched_log_clear();
	assert_int_equal(sched_pools_param(pools), 0);
	sched_init(nr_cpus);
}

void sim_init(struct sim *s, unsigned int nr_cpus)
{
	sim_init_pools(s, nr_cpus, "");
}

void sim_vcpu_init(struct sim_vcpu *v, unsigned int id, unsigned int weight, unsigned int cap,
		   u64 affinity)
{
	memset(v, 0, sizeof(*v));
	v->id = id;
	sched_unit_init(&v->unit, v, weight, cap, affinity);
	snprintf(v->unit.label, sizeof(v->unit.label), "d%uv0", id);
}

int sim_cpu_of(const struct sim *s, const struct sched_unit *u)
{
	unsigned int cpu;

	for (cpu = 0; cpu < s->nr_cpus; cpu++)
		if (s->cur[cpu] == u)
			return (int)cpu;
	return -1;
}

static void sim_charge(struct sim *s, unsigned int cpu)
{
	u64 ran = s->now - s->started[cpu];

	if (s->cur[cpu])
		((struct sim_vcpu *)s->cur[cpu]->owner)->ran_ns += ran;
	else
		s->idle_ns[cpu] += ran;
	s->started[cpu] = s->now;
}

void sim_resched(struct sim *s, unsigned int cpu, bool yield)
{
	struct sched_decision d;

	assert_true(cpu < s->nr_cpus);
	sim_charge(s, cpu);
	if (s->cur[cpu]) /* the CPU is done with it, as the run loop is before it picks again */
		sched_release(s->cur[cpu]);
	s->cur[cpu] = NULL;
	d = sched_schedule(cpu, s->now, yield);
	s->nr_schedules++;
	assert_int_equal(shim_sched_locks_held(), 0);
	if (d.next) {
		/* Hard affinity within its pool, and one CPU at a time. */
		assert_true((d.next->affinity >> cpu) & 1);
		assert_true((d.next->pool->cpus >> cpu) & 1);
		assert_ptr_equal(d.next->pool, sched_pool_of_cpu(cpu));
		assert_int_equal(sim_cpu_of(s, d.next), -1);
		assert_int_equal(d.next->state, SCHED_RUNNING);
		assert_int_equal(d.next->cpu, cpu);
		assert_true(sched_unit_held(d.next));
		/* No deadline only where a CPU runs one unit (null). */
		assert_true(
		    (d.slice_ns > 0 && d.slice_ns <= SCHED_DEFAULT_SLICE_NS) ||
		    (d.slice_ns == SCHED_SLICE_NONE && d.next->pool->policy == &sched_null));
	} else {
		assert_true(d.slice_ns != SCHED_SLICE_NONE);
	}
	s->cur[cpu] = d.next;
	s->slice[cpu] = d.slice_ns;
	s->deadline[cpu] =
	    d.slice_ns && d.slice_ns != SCHED_SLICE_NONE ? s->now + d.slice_ns : SIM_NEVER;
	if (d.kick_cpu >= 0) {
		assert_true(d.kick_cpu < (int)s->nr_cpus && d.kick_cpu != (int)cpu);
		sim_kick(s, d.kick_cpu);
	}
}

void sim_kick(struct sim *s, int cpu)
{
	if (cpu < 0)
		return;
	assert_true(cpu < (int)s->nr_cpus);
	assert_true(++s->depth <= 2 * s->nr_cpus);
	sim_resched(s, (unsigned int)cpu, false);
	s->depth--;
}

void sim_add(struct sim *s, struct sim_vcpu *v)
{
	assert_int_equal(sched_insert(&v->unit), 0);
	assert_int_equal(v->unit.state, SCHED_BLOCKED);
	sim_wake(s, v);
}

void sim_wake(struct sim *s, struct sim_vcpu *v)
{
	sim_kick(s, sched_wake(&v->unit, s->now));
}

void sim_sleep(struct sim *s, struct sim_vcpu *v)
{
	int cpu = sim_cpu_of(s, &v->unit);

	sched_sleep(&v->unit, s->now);
	if (cpu >= 0)
		sim_resched(s, (unsigned int)cpu, false);
}

void sim_remove(struct sim *s, struct sim_vcpu *v)
{
	int cpu = sim_cpu_of(s, &v->unit);

	sched_remove(&v->unit);
	assert_int_equal(v->unit.state, SCHED_OFFLINE);
	if (cpu >= 0)
		sim_resched(s, (unsigned int)cpu, false);
}

int sim_set_affinity(struct sim *s, struct sim_vcpu *v, u64 mask)
{
	int r = sched_set_affinity(&v->unit, mask, s->now);

	if (r >= 0)
		sim_kick(s, r);
	return r;
}

void sim_run_until(struct sim *s, u64 t)
{
	/* Normal slices are >= 1 ms (a cap budget tail aside): many more switches is thrashing. */
	unsigned long limit =
	    s->nr_schedules + (t > s->now ? (t - s->now) / (100 * 1000) : 0) + 100;

	for (;;) {
		unsigned int cpu, first = 0;
		u64 when = SIM_NEVER;

		for (cpu = 0; cpu < s->nr_cpus; cpu++) {
			if (s->deadline[cpu] < when) {
				when = s->deadline[cpu];
				first = cpu;
			}
		}
		if (when > t)
			break;
		if (when > s->now) /* else a late timer: it fires now */
			s->now = when;
		sim_resched(s, first, false);
		if (s->nr_schedules > limit)
			fail_msg("scheduler thrashing: %lu schedules by %llu ns", s->nr_schedules,
				 s->now);
	}
	s->now = t;
	for (unsigned int cpu = 0; cpu < s->nr_cpus; cpu++)
		sim_charge(s, cpu);
}

void sim_check(const struct sim *s, struct sim_vcpu *const *v, unsigned int n)
{
	unsigned int cpu, i, live = 0, load = 0;

	sched_audit();
	assert_int_equal(shim_sched_locks_held(), 0);
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		struct sched_unit *u = s->cur[cpu];

		load += sched_cpu_load(cpu);
		if (!u)
			continue;
		assert_true((u->affinity >> cpu) & 1);
		assert_true((u->pool->cpus >> cpu) & 1);
		assert_int_equal(u->state, SCHED_RUNNING);
		assert_int_equal(u->cpu, cpu);
		for (i = cpu + 1; i < s->nr_cpus; i++)
			assert_ptr_not_equal(s->cur[i], u);
	}
	for (i = 0; i < n; i++) {
		enum sched_state st = v[i]->unit.state;

		if (st == SCHED_RUNNABLE || st == SCHED_RUNNING)
			live++;
		if (st == SCHED_RUNNING)
			assert_true(sim_cpu_of(s, &v[i]->unit) >= 0);
		else
			assert_int_equal(sim_cpu_of(s, &v[i]->unit), -1);
	}
	assert_int_equal(load, live);
}
