/* The fair-share run queues, shared by fair.c (the policy) and fair_rq.c (locks, books, audit). */
#ifndef KEEL_SCHED_FAIR_RQ_H
#define KEEL_SCHED_FAIR_RQ_H

#include <keel/limits.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/types.h>

#include "sched_priv.h"

/* One per CPU; see the comment at the top of fair.c for the rules. */
struct fair_rq {
	spinlock_t lock;
	struct sched_unit *head; /* RUNNABLE units, smallest vtime first */
	struct sched_unit *curr; /* the RUNNING unit (BLOCKED if it slept and has not left yet) */
	unsigned int nr_queued;	 /* units on ->head, parked ones included */
	unsigned int nr_homed;	 /* inserted units whose ->cpu is this CPU */
	u64 min_vtime;		 /* monotonic floor of the queue's vtimes */
	u64 clock;		 /* latest `now` seen by schedule(): time never runs backwards */
	u64 next_balance_ns;
	u64 span;   /* the CPUs of this CPU's pool */
	bool above; /* a unit of the policy above (rt) runs here */
};

extern struct fair_rq fair_rqs[MAX_CPUS];
extern unsigned int fair_nr_cpus;
extern u64 fair_online; /* CPUs 0..nr_cpus-1 */

static inline bool vt_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static inline unsigned int rq_index(const struct fair_rq *rq)
{
	return (unsigned int)(rq - fair_rqs);
}

static inline bool unit_allowed(const struct sched_unit *u, unsigned int cpu)
{
	return (sched_unit_cpus(u) >> cpu) & 1;
}

/* Lock the queue that owns @u, following it if it migrates while we wait. */
struct fair_rq *fair_rq_lock_unit(struct sched_unit *u);
/*
 * With @held locked, lock @other too without breaking the CPU-index order. Returns false if
 * @held had to be dropped on the way: both are locked, but what was read under @held is stale.
 */
bool fair_rq_lock_second(struct fair_rq *held, struct fair_rq *other);
/* Unlock @first, and @second unless it is the same queue. */
void fair_rq_unlock_two(struct fair_rq *first, struct fair_rq *second);
/* Check every queue's invariants (BUG_ON); for self-tests and unit tests. */
void fair_audit(void);

#endif
