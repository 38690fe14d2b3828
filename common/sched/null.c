/* The null policy (sched_null): each CPU runs the one unit bound to it, with no deadline. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/spinlock.h>

#include "sched_priv.h"

/*
 * A unit that enters a null pool (inserted, or moved in while inserted) is bound to the lowest
 * free CPU it may use and stays there until removed. The CPU runs it whenever it is runnable and
 * idles otherwise; nothing else ever runs there, so no slice timer and no housekeeping tick is
 * needed (sched_cpu_tickless()). One lock per CPU; two are taken in CPU-index order.
 */

struct null_cpu {
	spinlock_t lock;
	struct sched_unit *owner; /* the unit bound here (NULL: free) */
	struct sched_unit *curr;  /* the owner while this CPU runs it */
};

static struct null_cpu null_cpus[MAX_CPUS];
static unsigned int null_nr_cpus;

static bool params_valid(unsigned int weight, unsigned int cap)
{
	return weight >= 1 && weight <= SCHED_MAX_WEIGHT && cap <= 100 * MAX_CPUS;
}

/* Lock the CPU @u is bound to, following it if it is rebound meanwhile. */
static struct null_cpu *unit_lock(struct sched_unit *u)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(u->cpu);
		struct null_cpu *nc;

		BUG_ON(cpu >= null_nr_cpus);
		nc = &null_cpus[cpu];
		spin_lock(&nc->lock);
		if (READ_ONCE(u->cpu) == cpu)
			return nc;
		spin_unlock(&nc->lock);
	}
}

static void null_init(unsigned int nr_cpus)
{
	BUG_ON(nr_cpus == 0 || nr_cpus > MAX_CPUS);
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		null_cpus[cpu] = (struct null_cpu){.lock = SPINLOCK_INIT};
	null_nr_cpus = nr_cpus;
}

/* Bind an OFFLINE @u to the lowest free CPU in @mask: BLOCKED there. -EBUSY if none is free. */
static int null_bind(struct sched_unit *u, u64 mask)
{
	for (unsigned int cpu = 0; cpu < null_nr_cpus; cpu++) {
		struct null_cpu *nc = &null_cpus[cpu];

		if (!(mask >> cpu & 1))
			continue;
		spin_lock(&nc->lock);
		if (!nc->owner) {
			nc->owner = u;
			WRITE_ONCE(u->cpu, cpu);
			u->state = SCHED_BLOCKED;
			u->next_in_queue = NULL;
			spin_unlock(&nc->lock);
			return 0;
		}
		spin_unlock(&nc->lock);
	}
	return -EBUSY;
}

static int null_insert(struct sched_unit *u)
{
	BUG_ON(u->state != SCHED_OFFLINE);
	if (!params_valid(u->weight, u->cap) || !sched_unit_cpus(u))
		return -EINVAL;
	return null_bind(u, sched_unit_cpus(u));
}

static void null_remove(struct sched_unit *u)
{
	struct null_cpu *nc;

	if (READ_ONCE(u->state) == SCHED_OFFLINE)
		return;
	nc = unit_lock(u);
	if (nc->curr == u)
		WRITE_ONCE(nc->curr, NULL);
	BUG_ON(nc->owner != u);
	nc->owner = NULL;
	u->state = SCHED_OFFLINE;
	spin_unlock(&nc->lock);
}

static int null_wake(struct sched_unit *u, u64 now)
{
	struct null_cpu *nc = unit_lock(u);
	int kick = -1;

	if (u->state == SCHED_BLOCKED && nc->curr == u) {
		u->state = SCHED_RUNNING; /* it slept but had not left its CPU: it runs on */
	} else if (u->state == SCHED_BLOCKED) {
		u->state = SCHED_RUNNABLE;
		kick = (int)u->cpu; /* its CPU idles */
	}
	spin_unlock(&nc->lock);
	return kick;
}

static void null_sleep(struct sched_unit *u, u64 now)
{
	struct null_cpu *nc = unit_lock(u);

	if (u->state == SCHED_RUNNABLE || u->state == SCHED_RUNNING)
		u->state = SCHED_BLOCKED;
	spin_unlock(&nc->lock);
}

static struct sched_decision null_schedule(unsigned int cpu, u64 now, bool yield)
{
	struct sched_decision d = {.next = NULL, .slice_ns = 0, .kick_cpu = -1};
	struct null_cpu *nc;
	struct sched_unit *u;

	BUG_ON(cpu >= null_nr_cpus);
	nc = &null_cpus[cpu];
	spin_lock(&nc->lock);
	u = nc->curr;
	if (u) {
		u->runtime_ns += now > u->started_ns ? now - u->started_ns : 0;
		if (u->state == SCHED_RUNNING)
			u->state = SCHED_RUNNABLE; /* a yield changes nothing: it is alone here */
		WRITE_ONCE(nc->curr, NULL);
	}
	u = nc->owner;
	if (u && u->state == SCHED_RUNNABLE) {
		u->state = SCHED_RUNNING;
		u->started_ns = now;
		/* Held from here, under the lock remove() takes: see sched_unit_held(). */
		WRITE_ONCE(u->on_cpu, true);
		WRITE_ONCE(nc->curr, u);
		d.next = u;
		d.slice_ns = SCHED_SLICE_NONE;
	}
	spin_unlock(&nc->lock);
	return d;
}

static int null_set_params(struct sched_unit *u, unsigned int weight, unsigned int cap)
{
	struct null_cpu *nc;

	if (!params_valid(weight, cap))
		return -EINVAL;
	nc = unit_lock(u); /* kept, no effect here */
	u->weight = weight;
	u->cap = cap;
	spin_unlock(&nc->lock);
	return 0;
}

/* Move a BLOCKED @u from CPU @from to a free CPU @to, with @affinity; false if that cannot be. */
static bool null_rebind(struct sched_unit *u, unsigned int from, unsigned int to, u64 affinity)
{
	struct null_cpu *src = &null_cpus[from], *dst = &null_cpus[to];
	bool moved = false;

	spin_lock(&null_cpus[MIN(from, to)].lock);
	spin_lock(&null_cpus[MAX(from, to)].lock);
	if (u->cpu == from && !dst->owner && u->state == SCHED_BLOCKED && src->curr != u &&
	    !u->on_cpu) {
		src->owner = NULL;
		dst->owner = u;
		WRITE_ONCE(u->cpu, to);
		WRITE_ONCE(u->affinity, affinity);
		moved = true;
	}
	spin_unlock(&dst->lock);
	spin_unlock(&src->lock);
	return moved;
}

/*
 * A new affinity must keep the unit's CPU, unless the unit is blocked: then it is bound again
 * to a free CPU of the new ones (-EINVAL, affinity unchanged, if none is free).
 */
static int null_set_affinity(struct sched_unit *u, u64 affinity, u64 now)
{
	u64 mask = affinity & u->pool->cpus & sched_online_cpus();
	struct null_cpu *nc;
	bool keeps;

	if (!mask)
		return -EINVAL;
	if (READ_ONCE(u->state) == SCHED_OFFLINE) {
		WRITE_ONCE(u->affinity, affinity); /* it is bound when inserted */
		return -1;
	}
	nc = unit_lock(u);
	keeps = mask >> u->cpu & 1;
	if (keeps)
		WRITE_ONCE(u->affinity, affinity);
	spin_unlock(&nc->lock);
	if (keeps)
		return -1;
	for (unsigned int cpu = 0; cpu < null_nr_cpus; cpu++) {
		unsigned int from = READ_ONCE(u->cpu);

		if ((mask >> cpu & 1) && cpu != from && null_rebind(u, from, cpu, affinity))
			return -1;
	}
	return -EINVAL;
}

static unsigned int null_cpu_load(unsigned int cpu)
{
	const struct null_cpu *nc;
	const struct sched_unit *o;

	BUG_ON(cpu >= null_nr_cpus);
	nc = &null_cpus[cpu];
	o = READ_ONCE(nc->owner);
	return READ_ONCE(nc->curr) || (o && READ_ONCE(o->state) == SCHED_RUNNABLE) ? 1 : 0;
}

static void null_audit(void)
{
	for (unsigned int cpu = 0; cpu < null_nr_cpus; cpu++) {
		struct null_cpu *nc = &null_cpus[cpu];
		const struct sched_unit *o, *c;

		spin_lock(&nc->lock);
		o = nc->owner;
		c = nc->curr;
		BUG_ON(sched_pool_of_cpu(cpu)->policy != &sched_null && (o || c));
		BUG_ON(c && c != o);
		BUG_ON(o && (o->cpu != cpu || o->state == SCHED_OFFLINE ||
			     o->pool->policy != &sched_null || !(sched_unit_cpus(o) >> cpu & 1)));
		BUG_ON(o && o->state == SCHED_RUNNING && c != o);
		BUG_ON(c && c->state != SCHED_RUNNING && c->state != SCHED_BLOCKED);
		spin_unlock(&nc->lock);
	}
}

/* Can @u join null pool @p: is a CPU it may use there free? (A hint: insert() decides.) */
static int null_can_take(const struct sched_unit *u, const struct sched_pool *p, char *why,
			 size_t len)
{
	u64 mask = READ_ONCE(u->affinity) & p->cpus & sched_online_cpus();
	bool listed = false;
	size_t at;

	for (unsigned int cpu = 0; cpu < null_nr_cpus; cpu++)
		if ((mask >> cpu & 1) && !READ_ONCE(null_cpus[cpu].owner))
			return 0;
	if (!why || !len)
		return -EBUSY;
	at = (size_t)snprintf(why, len, "pool %s (null) has no free CPU:", p->name);
	for (unsigned int cpu = 0; cpu < null_nr_cpus && at < len; cpu++) {
		const struct sched_unit *o = READ_ONCE(null_cpus[cpu].owner);

		if ((mask >> cpu & 1) && o) {
			at += (size_t)snprintf(why + at, len - at, "%s CPU %u already runs %s",
					       listed ? "," : "", cpu, sched_unit_name(o));
			listed = true;
		}
	}
	return -EBUSY;
}

const struct scheduler sched_null = {
    .name = "null",
    .init = null_init,
    .insert = null_insert,
    .remove = null_remove,
    .wake = null_wake,
    .sleep = null_sleep,
    .schedule = null_schedule,
    .set_params = null_set_params,
    .set_affinity = null_set_affinity,
    .cpu_load = null_cpu_load,
    .audit = null_audit,
    .can_take = null_can_take,
};
