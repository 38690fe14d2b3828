/* The fair run queues' locks and books: locking a unit's queue or two, homing units, the audit. */
#include <keel/compiler.h>
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/spinlock.h>

#include "fair_rq.h"
#include "sched_priv.h"

struct fair_rq *fair_rq_lock_unit(struct sched_unit *u)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(u->cpu);
		struct fair_rq *rq;

		BUG_ON(cpu >= fair_nr_cpus);
		rq = &fair_rqs[cpu];
		spin_lock(&rq->lock);
		if (READ_ONCE(u->cpu) == cpu)
			return rq;
		spin_unlock(&rq->lock);
	}
}

bool fair_rq_lock_second(struct fair_rq *held, struct fair_rq *other)
{
	if (other == held)
		return true;
	if (other > held) {
		spin_lock(&other->lock);
		return true;
	}
	if (spin_trylock(&other->lock))
		return true;
	spin_unlock(&held->lock);
	spin_lock(&other->lock);
	spin_lock(&held->lock);
	return false;
}

void fair_rq_unlock_two(struct fair_rq *first, struct fair_rq *second)
{
	if (second != first)
		spin_unlock(&second->lock);
	spin_unlock(&first->lock);
}

void fair_audit(void)
{
	unsigned int cpu, n;

	for (cpu = 0; cpu < fair_nr_cpus; cpu++) {
		struct fair_rq *rq = &fair_rqs[cpu];
		struct sched_unit *u, *prev = NULL, *c;

		spin_lock(&rq->lock);
		c = rq->curr;
		for (n = 0, u = rq->head; u; prev = u, u = u->next_in_queue) {
			BUG_ON(++n > rq->nr_queued);
			BUG_ON(u->state != SCHED_RUNNABLE || u->cpu != cpu || u == c);
			BUG_ON(!unit_allowed(u, cpu) || (prev && vt_before(u->vtime, prev->vtime)));
		}
		BUG_ON(n != rq->nr_queued || rq->nr_homed < n + (c ? 1 : 0));
		BUG_ON(c &&
		       (c->cpu != cpu || (c->state != SCHED_RUNNING && c->state != SCHED_BLOCKED)));
		spin_unlock(&rq->lock);
	}
}

/* ---- for the rt policy, which keeps its units under these queue locks (sched_priv.h) ---- */

unsigned int fair_lock_unit(struct sched_unit *u)
{
	return rq_index(fair_rq_lock_unit(u));
}

void fair_lock_cpu(unsigned int cpu)
{
	BUG_ON(cpu >= fair_nr_cpus);
	spin_lock(&fair_rqs[cpu].lock);
}

void fair_unlock_cpu(unsigned int cpu)
{
	spin_unlock(&fair_rqs[cpu].lock);
}

void fair_lock_pair(unsigned int a, unsigned int b)
{
	fair_lock_cpu(MIN(a, b));
	if (a != b)
		fair_lock_cpu(MAX(a, b));
}

void fair_unlock_pair(unsigned int a, unsigned int b)
{
	fair_rq_unlock_two(&fair_rqs[a], &fair_rqs[b]);
}

bool fair_runs_locked(unsigned int cpu, const struct sched_unit *u)
{
	return fair_rqs[cpu].curr == u;
}

void fair_unhome_locked(struct sched_unit *u)
{
	struct fair_rq *rq = &fair_rqs[u->cpu];

	BUG_ON(u->state != SCHED_BLOCKED || rq->curr == u || !rq->nr_homed);
	rq->nr_homed--;
}

void fair_home_locked(struct sched_unit *u, unsigned int cpu)
{
	struct fair_rq *rq = &fair_rqs[cpu];

	WRITE_ONCE(u->cpu, cpu);
	u->state = SCHED_BLOCKED;
	u->vtime = rq->min_vtime;
	u->period_used_ns = u->period_start_ns = u->started_ns = 0;
	u->capped = false;
	u->next_in_queue = NULL;
	rq->nr_homed++;
}
