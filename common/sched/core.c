/* The scheduler entry points: route every call to the policy of the unit's or the CPU's pool. */
#include <keel/errno.h>
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>

#include "sched_priv.h"

static const struct scheduler *const sched_policies[] = {&sched_fair, &sched_rt, &sched_null};

void sched_unit_init(struct sched_unit *u, void *owner, unsigned int weight, unsigned int cap,
		     u64 affinity)
{
	*u = (struct sched_unit){
	    .owner = owner,
	    .weight = weight,
	    .cap = cap,
	    .affinity = affinity,
	    .state = SCHED_OFFLINE,
	    .pool = sched_pool_default(),
	};
}

void sched_init(unsigned int nr_cpus)
{
	BUG_ON(nr_cpus == 0 || nr_cpus > MAX_CPUS);
	sched_pools_setup(nr_cpus);
	for (unsigned int i = 0; i < ARRAY_SIZE(sched_policies); i++)
		sched_policies[i]->init(nr_cpus);
	pr_info("sched: %u CPUs, fair slice %llu us", nr_cpus, SCHED_DEFAULT_SLICE_NS / 1000);
}

static const struct scheduler *unit_policy(const struct sched_unit *u)
{
	return u->pool->policy;
}

int sched_insert(struct sched_unit *u)
{
	return unit_policy(u)->insert(u);
}

void sched_remove(struct sched_unit *u)
{
	unit_policy(u)->remove(u);
}

int sched_wake(struct sched_unit *u, u64 now)
{
	return unit_policy(u)->wake(u, now);
}

void sched_sleep(struct sched_unit *u, u64 now)
{
	unit_policy(u)->sleep(u, now);
}

struct sched_decision sched_schedule(unsigned int cpu, u64 now, bool yield)
{
	return sched_pool_of_cpu(cpu)->policy->schedule(cpu, now, yield);
}

int sched_set_params(struct sched_unit *u, unsigned int weight, unsigned int cap)
{
	return unit_policy(u)->set_params(u, weight, cap);
}

int sched_set_affinity(struct sched_unit *u, u64 affinity, u64 now)
{
	return unit_policy(u)->set_affinity(u, affinity, now);
}

int sched_set_rt(struct sched_unit *u, u64 budget_ns, u64 period_ns, unsigned int prio, char *why,
		 size_t whylen)
{
	const struct sched_pool *p = u->pool;

	sched_why(why, whylen, "%s", "");
	if (p->policy->set_rt)
		return p->policy->set_rt(u, budget_ns, period_ns, prio, why, whylen);
	if (!budget_ns)
		return 0; /* nothing to take away */
	sched_why(why, whylen, "pool %s uses the %s policy, which takes no reservations", p->name,
		  p->policy->name);
	return -EINVAL;
}

unsigned int sched_cpu_load(unsigned int cpu)
{
	return sched_pool_of_cpu(cpu)->policy->cpu_load(cpu);
}

void sched_audit(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(sched_policies); i++)
		sched_policies[i]->audit();
}

void sched_release(struct sched_unit *u)
{
	/* Release: everything the CPU did with @u and its owner happens before the flag clears. */
	__atomic_store_n(&u->on_cpu, false, __ATOMIC_RELEASE);
}

bool sched_unit_held(const struct sched_unit *u)
{
	return __atomic_load_n(&u->on_cpu, __ATOMIC_ACQUIRE);
}

/* ---- message helpers for the policies (sched_priv.h) ---- */

const char *sched_unit_name(const struct sched_unit *u)
{
	return u->label[0] ? u->label : "a vCPU";
}

void sched_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

void sched_format_cpus(u64 mask, char *buf, size_t len)
{
	size_t at = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (!mask) {
		snprintf(buf, len, "none");
		return;
	}
	for (unsigned int cpu = 0; cpu < MAX_CPUS && at < len; cpu++) {
		unsigned int last = cpu;

		if (!(mask >> cpu & 1))
			continue;
		while (last + 1 < MAX_CPUS && (mask >> (last + 1) & 1))
			last++;
		if (last == cpu)
			at += (size_t)snprintf(buf + at, len - at, "%s%u", at ? "," : "", cpu);
		else
			at += (size_t)snprintf(buf + at, len - at, "%s%u-%u", at ? "," : "", cpu,
					       last);
		cpu = last;
	}
}
