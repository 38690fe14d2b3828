/* CPU pools: the `pools=` option, setting the pools up at boot, and moving units between them. */
#include <keel/cmdline.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/string.h>

#include "sched_priv.h"

/*
 * `pools=NAME:POLICY:CPUS/...` is kept as text until sched_init() knows the CPUs. Each entry is
 * checked on its own: a bad one is logged with the fix and skipped, and its CPUs stay in pool0.
 * The pools never change after set-up, so they are read without a lock.
 */
#define POOLS_ARG_MAX 256

static char pools_arg[POOLS_ARG_MAX];
static struct sched_pool pools[SCHED_MAX_POOLS] = {{"pool0", &sched_rt, 0, 0}};
static unsigned int nr_pools = 1;
static u8 cpu_pool[MAX_CPUS]; /* index into pools[] */
static unsigned int pool_nr_cpus;
static u64 online_cpus;
static u64 tickless_cpus;

int sched_pools_param(const char *value)
{
	size_t len = strlen(value);

	if (len >= sizeof(pools_arg))
		return -E2BIG;
	memcpy(pools_arg, value, len + 1);
	return 0;
}
KEEL_PARAM_CUSTOM(
    pools, sched_pools_param,
    "CPU pools NAME:rt|fair|null:CPUS separated by / (e.g. rtos:null:1/linux:fair:2-3); "
    "CPUs not named form pool0 (rt policy)");

u64 sched_online_cpus(void)
{
	return online_cpus;
}

static const struct scheduler *policy_by_name(const char *name)
{
	static const struct scheduler *const all[] = {&sched_rt, &sched_fair, &sched_null};

	for (unsigned int i = 0; i < ARRAY_SIZE(all); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > SCHED_POOL_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name_char_ok(name[i]))
			return false;
	return true;
}

/* A decimal CPU number at *@s (advanced past it); -1 if none or too large. */
static int parse_cpu(const char **s)
{
	int n = 0;

	if (**s < '0' || **s > '9')
		return -1;
	while (**s >= '0' && **s <= '9') {
		n = n * 10 + (**s - '0');
		if (n >= MAX_CPUS)
			return -1;
		(*s)++;
	}
	return n;
}

/* "0-1,3" into *@mask; false if it is not such a list. */
static bool parse_cpu_list(const char *s, u64 *mask)
{
	*mask = 0;
	for (;;) {
		int first = parse_cpu(&s), last = first;

		if (first < 0)
			return false;
		if (*s == '-') {
			s++;
			last = parse_cpu(&s);
			if (last < first)
				return false;
		}
		for (int cpu = first; cpu <= last; cpu++)
			*mask |= 1ULL << cpu;
		if (*s == '\0')
			return true;
		if (*s++ != ',')
			return false;
	}
}

static struct sched_pool *find_any(const char *name)
{
	for (unsigned int i = 0; i < nr_pools; i++)
		if (!strcmp(pools[i].name, name))
			return &pools[i];
	return NULL;
}

/* The pool (among those set up so far) that holds a CPU of @mask, and that CPU. */
static const struct sched_pool *holder(u64 mask, unsigned int *cpu)
{
	for (unsigned int i = 1; i < nr_pools; i++) {
		if (pools[i].cpus & mask) {
			*cpu = (unsigned int)__builtin_ctzll(pools[i].cpus & mask);
			return &pools[i];
		}
	}
	return NULL;
}

/* Check one entry (cut in place into its three fields); 0 and a new pool, or -EINVAL and @why. */
static int add_entry(char *entry, char *why, size_t len)
{
	char *name = entry, *policy = strchr(entry, ':'),
	     *cpus = policy ? strchr(policy + 1, ':') : NULL;
	const struct scheduler *sched;
	const struct sched_pool *other;
	unsigned int cpu;
	u64 mask;

	if (!cpus || strchr(cpus + 1, ':')) {
		sched_why(why, len, "expected NAME:POLICY:CPUS, e.g. rtos:null:1");
		return -EINVAL;
	}
	*policy++ = '\0';
	*cpus++ = '\0';
	if (!name_ok(name)) {
		sched_why(why, len,
			  "pool name \"%s\" is not 1 to %u letters, digits, _ or - (rename it)",
			  name, SCHED_POOL_NAME_MAX);
		return -EINVAL;
	}
	if (find_any(name)) {
		sched_why(why, len, "pool name \"%s\" is taken (give each pool its own name)",
			  name);
		return -EINVAL;
	}
	sched = policy_by_name(policy);
	if (!sched) {
		sched_why(why, len, "unknown policy \"%s\" (use rt, fair or null)", policy);
		return -EINVAL;
	}
	if (!parse_cpu_list(cpus, &mask)) {
		sched_why(why, len, "CPU list \"%s\" is not like 0-1,3 (CPU numbers 0 to %u)", cpus,
			  MAX_CPUS - 1);
		return -EINVAL;
	}
	if (mask & ~online_cpus) {
		sched_why(why, len, "CPU %u does not exist (this machine has CPUs 0-%u)",
			  (unsigned int)__builtin_ctzll(mask & ~online_cpus), pool_nr_cpus - 1);
		return -EINVAL;
	}
	other = holder(mask, &cpu);
	if (other) {
		sched_why(why, len, "CPU %u is already in pool %s (name each CPU in one pool only)",
			  cpu, other->name);
		return -EINVAL;
	}
	if (sched == &sched_null && (mask & 1)) {
		sched_why(
		    why, len,
		    "CPU 0 cannot be in a null pool: CPU 0 keeps Keel's housekeeping (use CPUs 1 "
		    "and up)");
		return -EINVAL;
	}
	if (nr_pools == SCHED_MAX_POOLS) {
		sched_why(why, len, "too many pools (at most %u, pool0 included): merge some",
			  SCHED_MAX_POOLS);
		return -EINVAL;
	}
	pools[nr_pools] = (struct sched_pool){.policy = sched, .cpus = mask, .id = nr_pools};
	memcpy(pools[nr_pools].name, name, strlen(name) + 1);
	nr_pools++;
	return 0;
}

void sched_pools_setup(unsigned int nr_cpus)
{
	char arg[POOLS_ARG_MAX], why[160], list[3 * MAX_CPUS];
	char *entry = arg, *end;
	u64 named = 0, tickless = 0;

	BUG_ON(nr_cpus == 0 || nr_cpus > MAX_CPUS);
	pool_nr_cpus = nr_cpus;
	online_cpus = nr_cpus == 64 ? ~0ULL : (1ULL << nr_cpus) - 1;
	nr_pools = 1;
	pools[0] = (struct sched_pool){"pool0", &sched_rt, 0, 0};
	memcpy(arg, pools_arg, sizeof(arg));
	while (arg[0]) {
		char text[POOLS_ARG_MAX];

		end = strchr(entry, '/');
		if (end)
			*end = '\0';
		memcpy(text, entry, strlen(entry) + 1);
		if (text[0] && add_entry(entry, why, sizeof(why)))
			pr_warn("sched: pools= entry \"%s\" ignored: %s; its CPUs stay in pool0",
				text, why);
		if (!end)
			break;
		entry = end + 1;
	}
	for (unsigned int i = 1; i < nr_pools; i++)
		named |= pools[i].cpus;
	pools[0].cpus = online_cpus & ~named;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		cpu_pool[cpu] = 0;
	for (unsigned int i = 0; i < nr_pools; i++) {
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
			if (pools[i].cpus >> cpu & 1)
				cpu_pool[cpu] = (u8)i;
		if (pools[i].policy == &sched_null)
			tickless |= pools[i].cpus;
		if (!pools[i].cpus)
			continue;
		sched_format_cpus(pools[i].cpus, list, sizeof(list));
		pr_info("sched: pool %s: %s policy on CPUs %s", pools[i].name,
			pools[i].policy->name, list);
	}
	WRITE_ONCE(tickless_cpus, tickless);
}

struct sched_pool *sched_pool_find(const char *name)
{
	struct sched_pool *p = find_any(name);

	return p && p->cpus ? p : NULL;
}

struct sched_pool *sched_pool_default(void)
{
	for (unsigned int i = 0; i < nr_pools; i++)
		if (pools[i].cpus)
			return &pools[i];
	return &pools[0]; /* before sched_init(): no pool has CPUs yet */
}

struct sched_pool *sched_pool_of_cpu(unsigned int cpu)
{
	BUG_ON(cpu >= pool_nr_cpus);
	return &pools[cpu_pool[cpu]];
}

bool sched_cpu_tickless(unsigned int cpu)
{
	return cpu < MAX_CPUS && (READ_ONCE(tickless_cpus) >> cpu & 1);
}

static bool pool_is_ours(const struct sched_pool *p)
{
	return p >= pools && p < pools + nr_pools && p->cpus;
}

int sched_set_pool(struct sched_unit *u, struct sched_pool *p, char *why, size_t whylen)
{
	struct sched_pool *old = u->pool;
	enum sched_state state = READ_ONCE(u->state);
	int rc;

	sched_why(why, whylen, "%s", "");
	if (!pool_is_ours(p)) {
		sched_why(why, whylen, "no such pool (or it has no CPU)");
		return -EINVAL;
	}
	if (state == SCHED_RUNNABLE || state == SCHED_RUNNING || sched_unit_held(u)) {
		sched_why(why, whylen,
			  "%s is runnable or running: move it to pool %s before its domain starts, "
			  "or while it is paused",
			  sched_unit_name(u), p->name);
		return -EBUSY;
	}
	if (!(READ_ONCE(u->affinity) & p->cpus)) {
		char mine[3 * MAX_CPUS], theirs[3 * MAX_CPUS];

		sched_format_cpus(p->cpus, theirs, sizeof(theirs));
		sched_format_cpus(READ_ONCE(u->affinity) & online_cpus, mine, sizeof(mine));
		sched_why(why, whylen, "pool %s (CPUs %s) has none of the CPUs %s may use (%s)",
			  p->name, theirs, sched_unit_name(u), mine);
		return -EINVAL;
	}
	if (p == old)
		return 0;
	if (p->policy->can_take) {
		rc = p->policy->can_take(u, p, why, whylen);
		if (rc)
			return rc;
	}
	if (state == SCHED_OFFLINE) {
		u->pool = p;
		return 0;
	}
	old->policy->remove(u);
	u->pool = p;
	rc = p->policy->insert(u);
	if (rc) {
		/* Another unit took the last free CPU meanwhile: back where it was. */
		u->pool = old;
		BUG_ON(old->policy->insert(u));
		sched_why(why, whylen, "pool %s could not take %s (error %d)", p->name,
			  sched_unit_name(u), rc);
	}
	return rc;
}
