/* What the scheduling policies in common/sched/ share among themselves (no other user). */
#ifndef KEEL_SCHED_PRIV_H
#define KEEL_SCHED_PRIV_H

#include <keel/compiler.h>
#include <keel/sched.h>

/* Set the pools up from `pools=` for CPUs 0..@nr_cpus-1, logging each (pool.c). */
void sched_pools_setup(unsigned int nr_cpus);
/* The online CPUs (0..nr_cpus-1) as sched_init() was given them. */
u64 sched_online_cpus(void);

/* The CPUs @u may run on: its affinity, within its pool and the online CPUs. */
static inline u64 sched_unit_cpus(const struct sched_unit *u)
{
	return READ_ONCE(u->affinity) & u->pool->cpus & sched_online_cpus();
}

/* @u in messages: its label, or "a vCPU". */
const char *sched_unit_name(const struct sched_unit *u);
/* Write a message into @why (@len bytes; either may be 0/NULL: nothing is written). */
void sched_why(char *why, size_t len, const char *fmt, ...) __printf(3, 4);
/* @mask as a CPU list such as "0-1,3" ("none" if empty) in @buf. */
void sched_format_cpus(u64 mask, char *buf, size_t len);

/*
 * The fair-share run queues (fair.c) also serve the rt policy (rt.c): the RT units of a CPU are
 * kept under that CPU's queue lock, and an RT unit's ->cpu names its CPU as a fair unit's does.
 */
unsigned int fair_lock_unit(struct sched_unit *u); /* lock @u's queue; returns its CPU */
void fair_lock_cpu(unsigned int cpu);
void fair_unlock_cpu(unsigned int cpu);
/* Lock two queues (nothing else held) in CPU-index order; once if they are the same. */
void fair_lock_pair(unsigned int a, unsigned int b);
void fair_unlock_pair(unsigned int a, unsigned int b);
/* Is @u the current unit of @cpu's queue (locked)? */
bool fair_runs_locked(unsigned int cpu, const struct sched_unit *u);
/* Take a BLOCKED @u that no CPU runs off fair's books (its queue locked). */
void fair_unhome_locked(struct sched_unit *u);
/* Put a BLOCKED @u on fair's books at @cpu (@cpu's queue and @u's current one locked). */
void fair_home_locked(struct sched_unit *u, unsigned int cpu);
/*
 * A policy layered above fair share on a CPU. Called by fair_schedule_under() with @cpu's queue
 * locked once fair's current unit is back on its queue. Returns true if it picked a unit (in
 * @d); else sets *@until to when it may want the CPU back (0: never).
 */
typedef bool fair_above_fn(unsigned int cpu, u64 now, bool yield, struct sched_decision *d,
			   u64 *until);
/* fair's schedule() with @above first; fair slices end by *@until. @above NULL: plain fair. */
struct sched_decision fair_schedule_under(unsigned int cpu, u64 now, bool yield,
					  fair_above_fn *above);

#endif
