/* The scheduler entry points: thin wrappers that route every call to the active policy. */
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>

/* Keel has one policy today; choosing another (e.g. from the command line) would go here. */
static const struct scheduler *const sched_policy = &sched_fair;

void sched_unit_init(struct sched_unit *u, void *owner, unsigned int weight, unsigned int cap,
		     u64 affinity)
{
	*u = (struct sched_unit){
	    .owner = owner,
	    .weight = weight,
	    .cap = cap,
	    .affinity = affinity,
	    .state = SCHED_OFFLINE,
	};
}

void sched_init(unsigned int nr_cpus)
{
	BUG_ON(nr_cpus == 0 || nr_cpus > MAX_CPUS);
	sched_policy->init(nr_cpus);
	pr_info("sched: %s policy on %u CPUs, slice %llu us", sched_policy->name, nr_cpus,
		SCHED_DEFAULT_SLICE_NS / 1000);
}

int sched_insert(struct sched_unit *u)
{
	return sched_policy->insert(u);
}

void sched_remove(struct sched_unit *u)
{
	sched_policy->remove(u);
}

int sched_wake(struct sched_unit *u, u64 now)
{
	return sched_policy->wake(u, now);
}

void sched_sleep(struct sched_unit *u, u64 now)
{
	sched_policy->sleep(u, now);
}

struct sched_decision sched_schedule(unsigned int cpu, u64 now, bool yield)
{
	return sched_policy->schedule(cpu, now, yield);
}

int sched_set_params(struct sched_unit *u, unsigned int weight, unsigned int cap)
{
	return sched_policy->set_params(u, weight, cap);
}

int sched_set_affinity(struct sched_unit *u, u64 affinity, u64 now)
{
	return sched_policy->set_affinity(u, affinity, now);
}

unsigned int sched_cpu_load(unsigned int cpu)
{
	return sched_policy->cpu_load(cpu);
}

void sched_audit(void)
{
	sched_policy->audit();
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
