/* The fair-share scheduling policy (sched_fair): weighted virtual time, caps, affinity, balancing. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <keel/spinlock.h>

#include "fair_rq.h"
#include "sched_priv.h"

/*
 * Each CPU has a run queue: RUNNABLE units in a list sorted by vtime, plus the RUNNING unit. A unit
 * belongs to the queue u->cpu names (a BLOCKED unit keeps its last CPU); u->cpu only changes with
 * the old and the new queue locked, so locking that queue and re-checking u->cpu pins the unit.
 * Two queue locks are taken in CPU-index order (or with a trylock). vtime compares are wrap-safe.
 * A unit that used its cap budget stays queued with ->capped set ("parked"): skipped when picking,
 * ignored by the queue minimum, until its period is over. Units stay on the CPUs of their pool
 * (sched_unit_cpus()); balancing looks only at the queues of the CPU's own pool. The rt policy
 * (rt.c) runs above this one on its CPUs: while one of its units runs, ->above is set and fair
 * wakes do not kick the CPU. The queue locks, the books the rt policy shares and the audit are in
 * fair_rq.c. No allocation, no logging here.
 */

#define FAIR_WAKE_GRAN	   SCHED_MIN_SLICE_NS	  /* a woken unit preempts if this far behind */
#define FAIR_BALANCE_EVERY SCHED_DEFAULT_SLICE_NS /* periodic balance interval per CPU */

struct fair_rq fair_rqs[MAX_CPUS];
unsigned int fair_nr_cpus;
u64 fair_online; /* CPUs 0..nr_cpus-1 */

/* Units queued on and running on the queue; read without its lock, so only a hint. */
static unsigned int rq_load(const struct fair_rq *rq)
{
	return READ_ONCE(rq->nr_queued) + (READ_ONCE(rq->curr) ? 1 : 0);
}

/* The run time allowed per cap period; 0 if there is no cap (100% or more never binds). */
static u64 cap_budget(const struct sched_unit *u)
{
	return u->cap < 100 ? SCHED_CAP_PERIOD_NS * u->cap / 100 : 0;
}

static u64 period_start(u64 now)
{
	return now - now % SCHED_CAP_PERIOD_NS;
}

/* Weighted virtual time for @ns of real run time. */
static u64 vtime_delta(const struct sched_unit *u, u64 ns)
{
	return ns * SCHED_DEFAULT_WEIGHT / u->weight;
}

static void rq_enqueue(struct fair_rq *rq, struct sched_unit *u, bool behind_equals)
{
	struct sched_unit **link = &rq->head;

	while (*link && (vt_before((*link)->vtime, u->vtime) ||
			 (behind_equals && (*link)->vtime == u->vtime)))
		link = &(*link)->next_in_queue;
	u->next_in_queue = *link;
	*link = u;
	WRITE_ONCE(rq->nr_queued, rq->nr_queued + 1);
	u->state = SCHED_RUNNABLE;
}

static void rq_dequeue(struct fair_rq *rq, struct sched_unit *u)
{
	struct sched_unit **link = &rq->head;

	while (*link != u) {
		BUG_ON(!*link);
		link = &(*link)->next_in_queue;
	}
	*link = u->next_in_queue;
	u->next_in_queue = NULL;
	WRITE_ONCE(rq->nr_queued, rq->nr_queued - 1);
}

/* The first queued unit allowed on @cpu that is parked (@parked) or ready (!@parked). */
static struct sched_unit *rq_first(const struct fair_rq *rq, unsigned int cpu, bool parked)
{
	struct sched_unit *u;

	for (u = rq->head; u; u = u->next_in_queue)
		if (u->capped == parked && unit_allowed(u, cpu))
			return u;
	return NULL;
}

static struct sched_unit *rq_first_ready(const struct fair_rq *rq)
{
	return rq_first(rq, rq_index(rq), false);
}

/* Raise the queue minimum to the smallest vtime among the running and ready units. */
static void rq_update_min(struct fair_rq *rq)
{
	struct sched_unit *min = rq_first_ready(rq), *c = rq->curr;

	if (c && c->state == SCHED_RUNNING && (!min || vt_before(c->vtime, min->vtime)))
		min = c;
	if (min && vt_before(rq->min_vtime, min->vtime))
		rq->min_vtime = min->vtime;
}

/* A unit back from sleeping or being parked gets at most one slice of credit. */
static void rq_clamp_vtime(const struct fair_rq *rq, struct sched_unit *u)
{
	u64 floor = rq->min_vtime - SCHED_DEFAULT_SLICE_NS;

	if (vt_before(u->vtime, floor))
		u->vtime = floor;
}

/* Should @rq's CPU reschedule now that @u was queued there? (idle, or @u is well behind) */
static bool rq_should_kick(const struct fair_rq *rq, const struct sched_unit *u, u64 now)
{
	const struct sched_unit *c = rq->curr;
	u64 ran;

	if (u->capped || rq->above)
		return false;
	if (!c || c->state != SCHED_RUNNING)
		return true;
	ran = now > c->started_ns ? now - c->started_ns : 0;
	return vt_before(u->vtime + FAIR_WAKE_GRAN, c->vtime + vtime_delta(c, ran));
}

/*
 * Queue @u (on no list) on @dst, taking it from @src's books (both locked), keeping its vtime
 * lead or lag relative to the queue minimum (up to one slice of lag). Returns a CPU to kick or -1.
 */
static int unit_place(struct sched_unit *u, struct fair_rq *src, struct fair_rq *dst, u64 now)
{
	if (src != dst) {
		u->vtime = u->vtime - src->min_vtime + dst->min_vtime;
		src->nr_homed--;
		dst->nr_homed++;
		WRITE_ONCE(u->cpu, rq_index(dst));
	}
	rq_clamp_vtime(dst, u);
	rq_enqueue(dst, u, true);
	return rq_should_kick(dst, u, now) ? (int)rq_index(dst) : -1;
}

/* Charge @u's run time since it started (or was last charged) up to @now. */
static void unit_account(struct sched_unit *u, u64 now)
{
	u64 ran = now > u->started_ns ? now - u->started_ns : 0;

	u->started_ns = MAX(u->started_ns, now);
	u->runtime_ns += ran;
	u->vtime += vtime_delta(u, ran);
	if (u->period_start_ns != period_start(now)) {
		/* Only the part of this run inside the new period counts against its budget. */
		u->period_start_ns = period_start(now);
		u->period_used_ns = MIN(ran, now - u->period_start_ns);
	} else {
		u->period_used_ns += ran;
	}
	if (cap_budget(u) && u->period_used_ns >= cap_budget(u))
		u->capped = true;
}

/* Parked units whose period is over (or whose cap was lifted or raised) become ready again. */
static void rq_unpark(struct fair_rq *rq, u64 now)
{
	struct sched_unit **link = &rq->head, *woken = NULL, *u;

	while ((u = *link)) {
		if (!u->capped || (cap_budget(u) && u->period_start_ns == period_start(now) &&
				   u->period_used_ns >= cap_budget(u))) {
			link = &u->next_in_queue;
			continue;
		}
		*link = u->next_in_queue;
		WRITE_ONCE(rq->nr_queued, rq->nr_queued - 1);
		u->capped = false; /* a stale period_used_ns is reset when it is charged */
		u->next_in_queue = woken;
		woken = u;
	}
	rq_update_min(rq);
	while ((u = woken)) {
		woken = u->next_in_queue;
		rq_clamp_vtime(rq, u);
		rq_enqueue(rq, u, true);
	}
}

/* The allowed CPU with the fewest units; ties go to the one with fewer homed units. */
static struct fair_rq *fair_least_loaded(u64 affinity)
{
	struct fair_rq *best = NULL;
	unsigned int best_load = 0, best_homed = 0;

	for (unsigned int cpu = 0; cpu < fair_nr_cpus; cpu++) {
		struct fair_rq *rq = &fair_rqs[cpu];
		unsigned int load = rq_load(rq), homed = READ_ONCE(rq->nr_homed);

		if (!((affinity & fair_online) >> cpu & 1))
			continue;
		if (!best || load < best_load || (load == best_load && homed < best_homed)) {
			best = rq;
			best_load = load;
			best_homed = homed;
		}
	}
	BUG_ON(!best); /* callers checked that the mask has an online CPU */
	return best;
}

/* Wake-time balance: stay on the previous CPU unless it is clearly busier than the best one. */
static struct fair_rq *fair_wake_target(struct sched_unit *u, struct fair_rq *prev)
{
	struct fair_rq *best = fair_least_loaded(sched_unit_cpus(u));
	unsigned int prev_load = rq_load(prev), best_load = rq_load(best);

	if (unit_allowed(u, rq_index(prev)) &&
	    (prev_load <= best_load || (best_load > 0 && prev_load == best_load + 1)))
		return prev;
	return best;
}

/*
 * Pull one ready unit allowed on @rq's CPU from another queue (@rq locked, nothing running).
 * @idle: @rq has nothing ready, so steal from the busiest queue that has a candidate; otherwise
 * only pull from the busiest queue if it is longer by 2 or more.
 */
static void fair_balance(struct fair_rq *rq, bool idle, u64 now)
{
	unsigned int cpu = rq_index(rq), i;
	u64 tried = 1ULL << cpu;

	for (;;) {
		struct fair_rq *victim = NULL;
		unsigned int most = 0, need = idle ? 1 : rq->nr_queued + 2;
		struct sched_unit *u;

		for (i = 0; i < fair_nr_cpus; i++) {
			unsigned int load = rq_load(&fair_rqs[i]);

			if (!(tried >> i & 1) && (rq->span >> i & 1) &&
			    READ_ONCE(fair_rqs[i].nr_queued) && load > most) {
				victim = &fair_rqs[i];
				most = load;
			}
		}
		if (!victim || most < need)
			return;
		tried |= 1ULL << rq_index(victim);
		fair_rq_lock_second(rq, victim); /* nothing read under rq is kept across this */
		u = rq_first(victim, cpu, false);
		if (u) {
			rq_dequeue(victim, u);
			unit_place(u, victim, rq, now);
		}
		spin_unlock(&victim->lock);
		if (u || !idle)
			return;
	}
}

static void fair_init(unsigned int nr_cpus)
{
	BUG_ON(nr_cpus == 0 || nr_cpus > MAX_CPUS);
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		fair_rqs[cpu] = (struct fair_rq){.lock = SPINLOCK_INIT};
	fair_nr_cpus = nr_cpus;
	fair_online = nr_cpus == 64 ? ~0ULL : (1ULL << nr_cpus) - 1;
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		fair_rqs[cpu].span = sched_pool_of_cpu(cpu)->cpus;
}

static bool fair_params_valid(unsigned int weight, unsigned int cap)
{
	return weight >= 1 && weight <= SCHED_MAX_WEIGHT && cap <= 100 * MAX_CPUS;
}

static int fair_insert(struct sched_unit *u)
{
	struct fair_rq *rq;

	BUG_ON(u->state != SCHED_OFFLINE);
	if (!fair_params_valid(u->weight, u->cap) || !sched_unit_cpus(u))
		return -EINVAL;
	rq = fair_least_loaded(sched_unit_cpus(u));
	spin_lock(&rq->lock);
	fair_home_locked(u, rq_index(rq));
	spin_unlock(&rq->lock);
	return 0;
}

static void fair_remove(struct sched_unit *u)
{
	struct fair_rq *rq;

	if (READ_ONCE(u->state) == SCHED_OFFLINE)
		return;
	rq = fair_rq_lock_unit(u);
	if (u->state == SCHED_RUNNABLE)
		rq_dequeue(rq, u);
	if (rq->curr == u)
		WRITE_ONCE(rq->curr, NULL);
	rq->nr_homed--;
	u->state = SCHED_OFFLINE;
	u->capped = false;
	spin_unlock(&rq->lock);
}

static int fair_wake(struct sched_unit *u, u64 now)
{
	struct fair_rq *src, *dst;
	int kick = -1;

retry:
	src = fair_rq_lock_unit(u);
	if (u->state == SCHED_BLOCKED && src->curr == u) {
		/* It slept but its CPU has not switched away yet: it simply keeps running. */
		u->state = SCHED_RUNNING;
		kick = unit_allowed(u, rq_index(src)) ? -1 : (int)rq_index(src);
	}
	if (u->state != SCHED_BLOCKED) {
		spin_unlock(&src->lock);
		return kick;
	}
	dst = fair_wake_target(u, src);
	if (!fair_rq_lock_second(src, dst)) {
		fair_rq_unlock_two(src, dst);
		goto retry;
	}
	rq_update_min(dst);
	if (u->capped && u->period_start_ns != period_start(now))
		u->capped = false;
	kick = unit_place(u, src, dst, now);
	fair_rq_unlock_two(src, dst);
	return kick;
}

static void fair_sleep(struct sched_unit *u, u64 now)
{
	struct fair_rq *rq = fair_rq_lock_unit(u);

	if (u->state == SCHED_RUNNABLE)
		rq_dequeue(rq, u);
	/* A RUNNING unit stays current: schedule() charges it and does not requeue it. */
	if (u->state == SCHED_RUNNABLE || u->state == SCHED_RUNNING)
		u->state = SCHED_BLOCKED;
	spin_unlock(&rq->lock);
}

/* Put @rq's current unit back (or away); false if it must be retried (queue lock dropped). */
static bool fair_put_prev(struct fair_rq *rq, u64 now, bool yield, struct sched_decision *d)
{
	struct sched_unit *prev = rq->curr, *u, *last = NULL;
	struct fair_rq *dst;

	if (!prev)
		return true;
	unit_account(prev, now);
	if (prev->state == SCHED_RUNNING && !unit_allowed(prev, rq_index(rq))) {
		/* Its affinity changed while it ran here: move it to a CPU it may use. */
		dst = fair_least_loaded(sched_unit_cpus(prev));
		if (!fair_rq_lock_second(rq, dst)) {
			spin_unlock(&dst->lock);
			return false;
		}
		WRITE_ONCE(rq->curr, NULL);
		d->kick_cpu = unit_place(prev, rq, dst, now);
		spin_unlock(&dst->lock);
		return true;
	}
	WRITE_ONCE(rq->curr, NULL);
	if (prev->state != SCHED_RUNNING)
		return true; /* it slept: it stays off every queue */
	if (yield) {
		for (u = rq->head; u; u = u->next_in_queue)
			last = u->capped ? last : u;
		if (last && vt_before(prev->vtime, last->vtime))
			prev->vtime = last->vtime;
	}
	/* Without yield it stays ahead of equals: no needless switch on a tie. */
	rq_enqueue(rq, prev, yield);
	return true;
}

/*
 * How long @next may run: until it is one minimum slice (of vtime) past the next ready unit,
 * within [min, slice]. Running past the rival rather than just to it makes the slices of a
 * weight-2 unit twice as long as a weight-1 unit's instead of both shrinking to the minimum, so
 * the fixed cost of a switch weighs the same on each share.
 */
static u64 fair_slice(const struct fair_rq *rq, const struct sched_unit *next, u64 now, u64 until)
{
	const struct sched_unit *rival = rq_first_ready(rq);
	u64 slice = SCHED_DEFAULT_SLICE_NS, budget = cap_budget(next);

	if (rival) {
		u64 gap = vt_before(next->vtime, rival->vtime) ? rival->vtime - next->vtime : 0;

		gap = MIN(gap, SCHED_DEFAULT_SLICE_NS * SCHED_DEFAULT_WEIGHT);
		slice = ((gap + SCHED_MIN_SLICE_NS) * next->weight + SCHED_DEFAULT_WEIGHT - 1) /
			SCHED_DEFAULT_WEIGHT;
		slice = MIN(MAX(slice, SCHED_MIN_SLICE_NS), SCHED_DEFAULT_SLICE_NS);
	}
	if (budget) {
		u64 used = next->period_start_ns == period_start(now) ? next->period_used_ns : 0;

		slice = MIN(slice, budget > used ? budget - used : 1);
	}
	/* A parked unit is due back when the period ends. */
	if (rq_first(rq, rq_index(rq), true))
		slice = MIN(slice, period_start(now) + SCHED_CAP_PERIOD_NS - now);
	/* The policy above wants the CPU back then. */
	if (until)
		slice = MIN(slice, until - now);
	return slice;
}

struct sched_decision fair_schedule_under(unsigned int cpu, u64 now, bool yield,
					  fair_above_fn *above)
{
	struct sched_decision d = {.next = NULL, .slice_ns = 0, .kick_cpu = -1};
	struct sched_unit *next;
	struct fair_rq *rq;
	u64 until = 0;

	BUG_ON(cpu >= fair_nr_cpus);
	rq = &fair_rqs[cpu];
	for (;;) {
		spin_lock(&rq->lock);
		now = MAX(now, rq->clock);
		rq->clock = now;
		if (fair_put_prev(rq, now, yield, &d))
			break;
		spin_unlock(&rq->lock);
	}
	rq->above = above && above(cpu, now, yield, &d, &until);
	if (rq->above) {
		spin_unlock(&rq->lock);
		return d;
	}
	BUG_ON(until && until <= now);
	rq_unpark(rq, now);
	if (!rq_first_ready(rq)) {
		fair_balance(rq, true, now);
	} else if (now >= rq->next_balance_ns) {
		rq->next_balance_ns = now + FAIR_BALANCE_EVERY;
		fair_balance(rq, false, now);
	}
	next = rq_first_ready(rq);
	if (next) {
		rq_dequeue(rq, next);
		next->state = SCHED_RUNNING;
		next->started_ns = now;
		/* Held from here, under the lock remove() takes: see sched_unit_held(). */
		WRITE_ONCE(next->on_cpu, true);
		WRITE_ONCE(rq->curr, next);
		rq_update_min(rq);
		d.next = next;
		d.slice_ns = fair_slice(rq, next, now, until);
	} else {
		if (rq_first(rq, cpu, true))
			d.slice_ns = period_start(now) + SCHED_CAP_PERIOD_NS - now;
		if (until)
			d.slice_ns = d.slice_ns ? MIN(d.slice_ns, until - now) : until - now;
	}
	spin_unlock(&rq->lock);
	return d;
}

static struct sched_decision fair_schedule(unsigned int cpu, u64 now, bool yield)
{
	return fair_schedule_under(cpu, now, yield, NULL);
}

static int fair_set_params(struct sched_unit *u, unsigned int weight, unsigned int cap)
{
	struct fair_rq *rq;

	if (!fair_params_valid(weight, cap))
		return -EINVAL;
	/* Uncharged run time gets the new weight; a lifted cap unparks at the next schedule(). */
	rq = fair_rq_lock_unit(u);
	u->weight = weight;
	u->cap = cap;
	spin_unlock(&rq->lock);
	return 0;
}

static int fair_set_affinity(struct sched_unit *u, u64 affinity, u64 now)
{
	struct fair_rq *src, *dst;
	int kick;

	if (!(affinity & u->pool->cpus & fair_online))
		return -EINVAL;
retry:
	src = fair_rq_lock_unit(u);
	WRITE_ONCE(u->affinity, affinity);
	if (u->state != SCHED_RUNNABLE || unit_allowed(u, rq_index(src))) {
		/* Offline or blocked: it picks a CPU when woken. Current: its CPU moves it. */
		kick = src->curr == u && !unit_allowed(u, rq_index(src)) ? (int)rq_index(src) : -1;
		spin_unlock(&src->lock);
		return kick;
	}
	dst = fair_least_loaded(sched_unit_cpus(u));
	if (!fair_rq_lock_second(src, dst)) {
		fair_rq_unlock_two(src, dst);
		goto retry;
	}
	rq_dequeue(src, u);
	kick = unit_place(u, src, dst, now);
	fair_rq_unlock_two(src, dst);
	return kick;
}

static unsigned int fair_cpu_load(unsigned int cpu)
{
	BUG_ON(cpu >= fair_nr_cpus);
	return rq_load(&fair_rqs[cpu]);
}

const struct scheduler sched_fair = {
    .name = "fair",
    .init = fair_init,
    .insert = fair_insert,
    .remove = fair_remove,
    .wake = fair_wake,
    .sleep = fair_sleep,
    .schedule = fair_schedule,
    .set_params = fair_set_params,
    .set_affinity = fair_set_affinity,
    .cpu_load = fair_cpu_load,
    .audit = fair_audit,
};
