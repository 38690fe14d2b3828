/* The rt policy (sched_rt): real-time reservations served first, fair share in the time left. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>

#include "sched_priv.h"

/*
 * A unit with a reservation (an "RT unit") is placed on one CPU (partitioned) and kept there
 * under that CPU's fair run-queue lock, on this CPU's own list: fair share never sees it. A CPU
 * first runs the RT unit with budget left of the highest priority (then the earliest deadline);
 * fair share runs only when no RT unit there has budget, and each fair slice ends when the next
 * RT unit of the CPU is due to be refilled. Every unit without a reservation in an rt pool is an
 * ordinary fair unit (fair.c does all of its work).
 *
 * Budgets: a period is [deadline - period, deadline); the budget left is charged while the unit
 * runs; at 0 it waits for its deadline, when it gets a full budget for the grid period that
 * contains `now`. A unit that blocks or yields gives its CPU back at once. A yield also gives
 * back what is left of its budget (it waits for its next period). A wake after a block opens a
 * new period at the wake (deadline = now + period, full budget) unless what is left of the old
 * one can still be served at the reserved rate before its deadline (left / (deadline - now) <=
 * budget / period), which it then keeps: the constant-bandwidth server's wake rule. So a unit
 * never gets more than its share in any window, admission holds, and a periodic task woken by
 * its own timer runs at once instead of waiting for a grid out of phase with its releases.
 */

#define PPM 1000000U

struct rt_cpu {
	struct sched_unit *queue; /* RUNNABLE RT units, with budget left or not, unsorted */
	struct sched_unit *curr; /* the RT unit this CPU runs (BLOCKED if it slept, not yet left) */
	struct sched_unit *homed; /* every RT unit placed here, on ->rt_next_homed */
	unsigned int nr_queued;
	u32 util_ppm; /* sum of the reservations placed here */
};

static struct rt_cpu rt_cpus[MAX_CPUS];
static unsigned int rt_nr_cpus;

static bool is_rt(const struct sched_unit *u)
{
	return u->rt_budget_ns != 0;
}

/* Would a unit of @prio and @deadline run before @b? Higher priority first, then earlier deadline. */
static bool rt_before(unsigned int prio, u64 deadline, const struct sched_unit *b)
{
	return prio > b->rt_prio || (prio == b->rt_prio && deadline < b->rt_deadline_ns);
}

/* The deadline @u will have once refilled at its current one. */
static u64 next_deadline(const struct sched_unit *u)
{
	return u->rt_deadline_ns + u->rt_period_ns;
}

/* Deadline reached: a full budget for the grid period that contains @now. */
static void rt_refill(struct sched_unit *u, u64 now)
{
	if (!u->rt_deadline_ns) { /* its first wake starts the grid */
		u->rt_deadline_ns = now + u->rt_period_ns;
		u->rt_left_ns = u->rt_budget_ns;
	} else if (now >= u->rt_deadline_ns) {
		u->rt_deadline_ns +=
		    ((now - u->rt_deadline_ns) / u->rt_period_ns + 1) * u->rt_period_ns;
		u->rt_left_ns = u->rt_budget_ns;
	}
}

/* A wake after a block: the constant-bandwidth rule (see the top of this file). */
static void rt_wake_refill(struct sched_unit *u, u64 now)
{
	if (!u->rt_deadline_ns || now >= u->rt_deadline_ns ||
	    (unsigned __int128)u->rt_left_ns * u->rt_period_ns >
		(unsigned __int128)(u->rt_deadline_ns - now) * u->rt_budget_ns) {
		u->rt_deadline_ns = now + u->rt_period_ns;
		u->rt_left_ns = u->rt_budget_ns;
	}
}

static void rt_charge(struct sched_unit *u, u64 now)
{
	u64 ran = now > u->started_ns ? now - u->started_ns : 0;

	u->started_ns = MAX(u->started_ns, now);
	u->runtime_ns += ran;
	u->rt_left_ns -= MIN(ran, u->rt_left_ns);
}

static void rt_enqueue(struct rt_cpu *rc, struct sched_unit *u)
{
	u->next_in_queue = rc->queue;
	rc->queue = u;
	WRITE_ONCE(rc->nr_queued, rc->nr_queued + 1);
	u->state = SCHED_RUNNABLE;
}

static void rt_dequeue(struct rt_cpu *rc, struct sched_unit *u)
{
	struct sched_unit **link = &rc->queue;

	while (*link != u) {
		BUG_ON(!*link);
		link = &(*link)->next_in_queue;
	}
	*link = u->next_in_queue;
	u->next_in_queue = NULL;
	WRITE_ONCE(rc->nr_queued, rc->nr_queued - 1);
}

/* Place a BLOCKED @u on @cpu's books (its lock held, and @u's old one). */
static void rt_home(unsigned int cpu, struct sched_unit *u)
{
	struct rt_cpu *rc = &rt_cpus[cpu];

	WRITE_ONCE(u->cpu, cpu);
	u->state = SCHED_BLOCKED;
	u->next_in_queue = NULL;
	u->rt_next_homed = rc->homed;
	rc->homed = u;
	rc->util_ppm += u->rt_util_ppm;
}

static void rt_unhome(struct sched_unit *u)
{
	struct rt_cpu *rc = &rt_cpus[u->cpu];
	struct sched_unit **link = &rc->homed;

	while (*link != u) {
		BUG_ON(!*link);
		link = &(*link)->rt_next_homed;
	}
	*link = u->rt_next_homed;
	u->rt_next_homed = NULL;
	rc->util_ppm -= u->rt_util_ppm;
}

static void rt_clear(struct sched_unit *u)
{
	u->rt_budget_ns = u->rt_period_ns = u->rt_deadline_ns = u->rt_left_ns = 0;
	u->rt_prio = 0;
	u->rt_util_ppm = 0;
}

/* Does @u run, or is it about to (a CPU holds it), on @cpu (locked)? */
static bool rt_on_cpu(unsigned int cpu, const struct sched_unit *u)
{
	return u->on_cpu || rt_cpus[cpu].curr == u || fair_runs_locked(cpu, u);
}

/* Put this CPU's RT unit back: charged, its budget given back if it yielded. */
static void rt_put_prev(struct rt_cpu *rc, u64 now, bool yield)
{
	struct sched_unit *prev = rc->curr;

	if (!prev)
		return;
	rt_charge(prev, now);
	if (yield && prev->state == SCHED_RUNNING)
		prev->rt_left_ns = 0;
	rc->curr = NULL;
	if (prev->state == SCHED_RUNNING)
		rt_enqueue(rc, prev);
}

/*
 * fair_schedule_under()'s upper layer: pick the RT unit to run, for at most its budget, to its
 * deadline, and to the refill of any RT unit that would then go before it. With none ready,
 * *@until is the next refill of a queued RT unit.
 */
static bool rt_above(unsigned int cpu, u64 now, bool yield, struct sched_decision *d, u64 *until)
{
	struct rt_cpu *rc = &rt_cpus[cpu];
	struct sched_unit *u, *next = NULL;
	u64 slice;

	rt_put_prev(rc, now, yield);
	*until = 0;
	for (u = rc->queue; u; u = u->next_in_queue) {
		rt_refill(u, now);
		if (u->rt_left_ns && (!next || rt_before(u->rt_prio, u->rt_deadline_ns, next)))
			next = u;
		else if (!u->rt_left_ns && (!*until || u->rt_deadline_ns < *until))
			*until = u->rt_deadline_ns;
	}
	if (!next)
		return false;
	rt_dequeue(rc, next);
	next->state = SCHED_RUNNING;
	next->started_ns = now;
	/* Held from here, under the lock remove() takes: see sched_unit_held(). */
	WRITE_ONCE(next->on_cpu, true);
	WRITE_ONCE(rc->curr, next);
	slice = MIN(next->rt_left_ns, next->rt_deadline_ns - now);
	slice = MIN(slice, SCHED_DEFAULT_SLICE_NS);
	for (u = rc->queue; u; u = u->next_in_queue)
		if (!u->rt_left_ns && rt_before(u->rt_prio, next_deadline(u), next))
			slice = MIN(slice, u->rt_deadline_ns - now);
	d->next = next;
	d->slice_ns = slice;
	return true;
}

/* Must @cpu reschedule now that @u was queued there? */
static bool rt_should_kick(const struct rt_cpu *rc, const struct sched_unit *u)
{
	const struct sched_unit *c = rc->curr;

	/* Fair share or nothing runs: @u preempts, or the slice must end at its refill. */
	if (!c || c->state != SCHED_RUNNING)
		return true;
	return rt_before(u->rt_prio, u->rt_left_ns ? u->rt_deadline_ns : next_deadline(u), c);
}

static void rt_init(unsigned int nr_cpus)
{
	BUG_ON(nr_cpus == 0 || nr_cpus > MAX_CPUS);
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		rt_cpus[cpu] = (struct rt_cpu){0};
	rt_nr_cpus = nr_cpus;
}

static int rt_insert(struct sched_unit *u)
{
	BUG_ON(is_rt(u)); /* reservations are dropped with the unit */
	return sched_fair.insert(u);
}

static void rt_remove(struct sched_unit *u)
{
	struct rt_cpu *rc;
	unsigned int cpu;

	if (!is_rt(u)) {
		sched_fair.remove(u);
		return;
	}
	cpu = fair_lock_unit(u);
	rc = &rt_cpus[cpu];
	if (u->state == SCHED_RUNNABLE)
		rt_dequeue(rc, u);
	if (rc->curr == u)
		WRITE_ONCE(rc->curr, NULL);
	rt_unhome(u);
	rt_clear(u);
	u->state = SCHED_OFFLINE;
	fair_unlock_cpu(cpu);
}

static int rt_wake(struct sched_unit *u, u64 now)
{
	struct rt_cpu *rc;
	unsigned int cpu;
	int kick = -1;

	if (!is_rt(u))
		return sched_fair.wake(u, now);
	cpu = fair_lock_unit(u);
	rc = &rt_cpus[cpu];
	if (u->state == SCHED_BLOCKED && rc->curr == u) {
		u->state = SCHED_RUNNING; /* it slept but had not left its CPU: it runs on */
	} else if (u->state == SCHED_BLOCKED) {
		rt_wake_refill(u, now);
		rt_enqueue(rc, u);
		kick = rt_should_kick(rc, u) ? (int)cpu : -1;
	}
	fair_unlock_cpu(cpu);
	return kick;
}

static void rt_sleep(struct sched_unit *u, u64 now)
{
	unsigned int cpu;

	if (!is_rt(u)) {
		sched_fair.sleep(u, now);
		return;
	}
	cpu = fair_lock_unit(u);
	if (u->state == SCHED_RUNNABLE)
		rt_dequeue(&rt_cpus[cpu], u);
	/* A RUNNING unit stays current until its CPU switches; its wake applies the CBS rule. */
	if (u->state == SCHED_RUNNABLE || u->state == SCHED_RUNNING)
		u->state = SCHED_BLOCKED;
	fair_unlock_cpu(cpu);
}

static struct sched_decision rt_schedule(unsigned int cpu, u64 now, bool yield)
{
	return fair_schedule_under(cpu, now, yield, rt_above);
}

static int rt_set_params(struct sched_unit *u, unsigned int weight, unsigned int cap)
{
	return sched_fair.set_params(u, weight, cap); /* kept for when it is back to fair share */
}

static void format_pct(u32 ppm, char *buf, size_t len)
{
	if (ppm % 10000)
		snprintf(buf, len, "%u.%u%%", ppm / 10000, ppm % 10000 / 1000);
	else
		snprintf(buf, len, "%u%%", ppm / 10000);
}

/* Append "CPU n: reservations would total ..." for a CPU without room to @why (at *@at). */
static void why_no_room(char *why, size_t len, size_t *at, unsigned int cpu, u32 sum, u32 util)
{
	char total[16], had[16], add[16];

	if (!why || *at >= len)
		return;
	format_pct(sum + util, total, sizeof(total));
	format_pct(sum, had, sizeof(had));
	format_pct(util, add, sizeof(add));
	*at += (size_t)snprintf(why + *at, len - *at,
				"%sCPU %u: reservations would total %s (%s + %s) > 100%%",
				*at ? "; " : "", cpu, total, had, add);
}

static int why_busy(const struct sched_unit *u, char *why, size_t len)
{
	sched_why(why, len,
		  "%s is runnable or running: change its reservation before its domain starts, or "
		  "while it is paused",
		  sched_unit_name(u));
	return -EBUSY;
}

/*
 * Give @u (BLOCKED) the reservation: first fit, in CPU order, among the CPUs it may use, on the
 * first whose reservations stay within 100% with it (its own old one not counted).
 */
static int rt_place(struct sched_unit *u, u64 budget, u64 period, unsigned int prio, char *why,
		    size_t len)
{
	u32 util = (u32)((budget * PPM + period / 2) / period);
	u64 mask = sched_unit_cpus(u);
	size_t at = 0;

	for (unsigned int cpu = 0; cpu < rt_nr_cpus; cpu++) {
		unsigned int from;
		u32 sum;

		if (!(mask >> cpu & 1))
			continue;
		for (;;) { /* lock @u's queue and @cpu's, following @u if it moves meanwhile */
			from = READ_ONCE(u->cpu);
			fair_lock_pair(from, cpu);
			if (READ_ONCE(u->cpu) == from)
				break;
			fair_unlock_pair(from, cpu);
		}
		if (u->state != SCHED_BLOCKED || rt_on_cpu(from, u)) {
			fair_unlock_pair(from, cpu);
			return why_busy(u, why, len);
		}
		sum = rt_cpus[cpu].util_ppm - (is_rt(u) && from == cpu ? u->rt_util_ppm : 0);
		if (sum + util > PPM) {
			why_no_room(why, len, &at, cpu, sum, util);
			fair_unlock_pair(from, cpu);
			continue;
		}
		if (is_rt(u))
			rt_unhome(u);
		else
			fair_unhome_locked(u);
		rt_clear(u);
		u->rt_budget_ns = budget;
		u->rt_period_ns = period;
		u->rt_prio = prio;
		u->rt_util_ppm = util;
		rt_home(cpu, u);
		fair_unlock_pair(from, cpu);
		sched_why(why, len, "%s", "");
		return 0;
	}
	if (!at)
		sched_why(why, len, "%s may use no CPU of pool %s", sched_unit_name(u),
			  u->pool->name);
	return at ? -ENOSPC : -EINVAL;
}

/* Back to fair share, on the CPU it had. */
static int rt_drop(struct sched_unit *u, char *why, size_t len)
{
	unsigned int cpu;

	if (!is_rt(u))
		return 0;
	cpu = fair_lock_unit(u);
	if (u->state != SCHED_BLOCKED || rt_on_cpu(cpu, u)) {
		fair_unlock_cpu(cpu);
		return why_busy(u, why, len);
	}
	rt_unhome(u);
	rt_clear(u);
	fair_home_locked(u, cpu);
	fair_unlock_cpu(cpu);
	return 0;
}

static void format_time(u64 ns, char *buf, size_t len)
{
	if (ns % 1000)
		snprintf(buf, len, "%llu ns", ns);
	else
		snprintf(buf, len, "%llu us", ns / 1000);
}

static int rt_set_rt(struct sched_unit *u, u64 budget, u64 period, unsigned int prio, char *why,
		     size_t len)
{
	char b[32], p[32];

	if (!budget)
		return rt_drop(u, why, len);
	format_time(budget, b, sizeof(b));
	format_time(period, p, sizeof(p));
	if (period < SCHED_RT_MIN_PERIOD || period > SCHED_RT_MAX_PERIOD) {
		sched_why(why, len, "period %s is outside 100 us to 10 s", p);
		return -EINVAL;
	}
	if (budget > period) {
		sched_why(why, len, "budget %s is more than the period %s", b, p);
		return -EINVAL;
	}
	if (prio > SCHED_RT_MAX_PRIO) {
		sched_why(why, len, "priority %u is over %u", prio, SCHED_RT_MAX_PRIO);
		return -EINVAL;
	}
	if (READ_ONCE(u->state) == SCHED_OFFLINE) {
		sched_why(why, len, "%s is not in the scheduler", sched_unit_name(u));
		return -EINVAL;
	}
	return rt_place(u, budget, period, prio, why, len);
}

/*
 * A new affinity must keep an RT unit's CPU, unless the unit is blocked: then it is placed
 * again among its new CPUs (-EINVAL, affinity unchanged, if none has room).
 */
static int rt_set_affinity(struct sched_unit *u, u64 affinity, u64 now)
{
	u64 old = READ_ONCE(u->affinity);
	unsigned int cpu;
	bool keeps;

	if (!is_rt(u))
		return sched_fair.set_affinity(u, affinity, now);
	if (!(affinity & u->pool->cpus & sched_online_cpus()))
		return -EINVAL;
	cpu = fair_lock_unit(u);
	keeps = affinity >> cpu & 1;
	if (keeps)
		WRITE_ONCE(u->affinity, affinity);
	fair_unlock_cpu(cpu);
	if (keeps)
		return -1;
	WRITE_ONCE(u->affinity, affinity);
	if (rt_place(u, u->rt_budget_ns, u->rt_period_ns, u->rt_prio, NULL, 0)) {
		WRITE_ONCE(u->affinity, old);
		return -EINVAL;
	}
	return -1;
}

static unsigned int rt_cpu_load(unsigned int cpu)
{
	const struct rt_cpu *rc = &rt_cpus[cpu];

	return sched_fair.cpu_load(cpu) + READ_ONCE(rc->nr_queued) + (READ_ONCE(rc->curr) ? 1 : 0);
}

static void rt_audit_cpu(unsigned int cpu)
{
	const struct rt_cpu *rc = &rt_cpus[cpu];
	const struct sched_unit *u, *c = rc->curr;
	unsigned int n = 0;
	u32 sum = 0;

	for (u = rc->homed; u; u = u->rt_next_homed) {
		BUG_ON(!is_rt(u) || u->cpu != cpu || u->state == SCHED_OFFLINE);
		BUG_ON(u->pool->policy != &sched_rt || !(sched_unit_cpus(u) >> cpu & 1));
		BUG_ON(u->rt_left_ns > u->rt_budget_ns || u->rt_budget_ns > u->rt_period_ns);
		sum += u->rt_util_ppm;
		BUG_ON(++n > 4096); /* a loop */
	}
	BUG_ON(sum != rc->util_ppm || sum > PPM);
	for (n = 0, u = rc->queue; u; u = u->next_in_queue) {
		BUG_ON(++n > rc->nr_queued);
		BUG_ON(u->state != SCHED_RUNNABLE || !is_rt(u) || u->cpu != cpu || u == c);
	}
	BUG_ON(n != rc->nr_queued);
	BUG_ON(c && (!is_rt(c) || c->cpu != cpu ||
		     (c->state != SCHED_RUNNING && c->state != SCHED_BLOCKED)));
	BUG_ON(sched_pool_of_cpu(cpu)->policy != &sched_rt && (rc->homed || c));
}

/* Check every CPU's RT books; fair share's queues are fair.c's audit. */
static void rt_audit(void)
{
	for (unsigned int cpu = 0; cpu < rt_nr_cpus; cpu++) {
		fair_lock_cpu(cpu);
		rt_audit_cpu(cpu);
		fair_unlock_cpu(cpu);
	}
}

const struct scheduler sched_rt = {
    .name = "rt",
    .init = rt_init,
    .insert = rt_insert,
    .remove = rt_remove,
    .wake = rt_wake,
    .sleep = rt_sleep,
    .schedule = rt_schedule,
    .set_params = rt_set_params,
    .set_affinity = rt_set_affinity,
    .cpu_load = rt_cpu_load,
    .audit = rt_audit,
    .set_rt = rt_set_rt,
};
