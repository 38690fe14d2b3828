/* The scheduler interface: CPU pools, their policies, which vCPU runs where and for how long. */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/limits.h>
#include <keel/spinlock.h>
#include <keel/types.h>

#define SCHED_DEFAULT_WEIGHT   256
#define SCHED_MAX_WEIGHT       65535
#define SCHED_DEFAULT_SLICE_NS 10000000ULL /* 10 ms */
#define SCHED_MIN_SLICE_NS     1000000ULL  /* 1 ms: the shortest fair slice schedule() returns */
#define SCHED_CAP_PERIOD_NS    30000000ULL /* 30 ms: caps are budgets per period (aligned in `now`) */
/* sched_decision.slice_ns of a unit that runs with no deadline at all (the null policy). */
#define SCHED_SLICE_NONE (~0ULL)

#define SCHED_MAX_POOLS	     8		    /* pool0 included */
#define SCHED_POOL_NAME_MAX  15		    /* characters of [A-Za-z0-9_-] */
#define SCHED_RT_MIN_PERIOD  100000ULL	    /* 100 us */
#define SCHED_RT_MAX_PERIOD  10000000000ULL /* 10 s */
#define SCHED_RT_MAX_PRIO    99
#define SCHED_UNIT_LABEL_MAX 12 /* "d65535v63" and its NUL fit */

enum sched_state {
	SCHED_OFFLINE,	/* not yet inserted, or removed */
	SCHED_BLOCKED,	/* waiting for an event, or paused */
	SCHED_RUNNABLE, /* on a run queue */
	SCHED_RUNNING,	/* the current unit of its CPU */
};

struct scheduler;

/*
 * A set of CPUs with one policy (`pools=` on the command line; CPUs no entry names form pool0,
 * policy rt). Pools never share a CPU; a unit runs only on CPUs of its pool. Set up once by
 * sched_init() and never changed after.
 */
struct sched_pool {
	char name[SCHED_POOL_NAME_MAX + 1];
	const struct scheduler *policy;
	u64 cpus; /* bit N: CPU N belongs to this pool */
	unsigned int id;
};

/*
 * The scheduler's part of a vCPU (embedded in struct vcpu; @owner points back). Fields below the
 * line belong to the scheduler implementation; callers use the functions only.
 */
struct sched_unit {
	void *owner;
	unsigned int weight;		  /* relative share, 1..SCHED_MAX_WEIGHT */
	unsigned int cap;		  /* max % of one CPU (0 = no cap; 100 = one full CPU) */
	u64 affinity;			  /* bitmap of CPUs it may run on (hard affinity) */
	char label[SCHED_UNIT_LABEL_MAX]; /* who it is in messages, e.g. "d1v0" ("" = unnamed) */
	/* ---- scheduler-private ---- */
	enum sched_state state;
	unsigned int cpu;   /* the CPU whose queue holds it / that runs it */
	u64 vtime;	    /* weighted virtual run time */
	u64 runtime_ns;	    /* total time run */
	u64 period_used_ns; /* run time inside the current cap period */
	u64 started_ns;	    /* when it last started running */
	bool capped;	    /* parked until the next period */
	struct sched_unit *next_in_queue;
	u64 period_start_ns; /* start of the cap period that period_used_ns counts in */
	bool on_cpu;	     /* handed to a CPU by schedule(), not yet sched_release()d */
	struct sched_pool *pool;
	/* A real-time reservation (common/sched/rt.c); rt_budget_ns == 0: none, fair share. */
	u64 rt_budget_ns, rt_period_ns;
	unsigned int rt_prio;
	u32 rt_util_ppm;		  /* budget / period in parts per million */
	u64 rt_deadline_ns;		  /* end of the current period */
	u64 rt_left_ns;			  /* budget left in it */
	struct sched_unit *rt_next_homed; /* the RT units placed on one CPU */
};

struct sched_decision {
	struct sched_unit *next; /* NULL: idle */
	/*
	 * Arm the timer for this long; 0: no deadline needed (a fair unit then runs the default
	 * slice); SCHED_SLICE_NONE: @next runs with no deadline at all, and no timer is armed.
	 */
	u64 slice_ns;
	int kick_cpu; /* another CPU that must reschedule (a unit moved there), or -1 */
};

/*
 * A scheduling policy: sched_rt (reservations first, fair share in the time left), sched_fair
 * (fair share only) and sched_null (one unit per CPU). The unit operations get units of pools
 * using the policy; schedule() and cpu_load() get CPUs of such pools. schedule() sets ->on_cpu of
 * the unit it returns while it still holds the lock that remove() takes for that unit (see
 * sched_unit_held()).
 */
struct scheduler {
	const char *name;
	void (*init)(unsigned int nr_cpus);  /* after the pools are set up */
	int (*insert)(struct sched_unit *u); /* starts BLOCKED */
	void (*remove)(struct sched_unit *u);
	int (*wake)(struct sched_unit *u, u64 now); /* returns a CPU to kick, or -1 */
	void (*sleep)(struct sched_unit *u, u64 now);
	struct sched_decision (*schedule)(unsigned int cpu, u64 now, bool yield);
	int (*set_params)(struct sched_unit *u, unsigned int weight, unsigned int cap);
	int (*set_affinity)(struct sched_unit *u, u64 affinity, u64 now);
	unsigned int (*cpu_load)(unsigned int cpu); /* units queued on + running on @cpu */
	void (*audit)(void);			    /* BUG_ON on a broken queue invariant */
	/* Optional: may @u (BLOCKED or OFFLINE, in another pool) join @p? Else -errno and @why. */
	int (*can_take)(const struct sched_unit *u, const struct sched_pool *p, char *why,
			size_t whylen);
	/* Optional (NULL: the policy takes no reservations): see sched_set_rt(). */
	int (*set_rt)(struct sched_unit *u, u64 budget_ns, u64 period_ns, unsigned int prio,
		      char *why, size_t whylen);
};

extern const struct scheduler sched_fair, sched_rt, sched_null;

/*
 * Set up the pools (from `pools=`, against CPUs 0..@nr_cpus-1) and every policy; logs one line
 * per pool. Once, at boot (tests may call it again to start over).
 */
void sched_init(unsigned int nr_cpus);
/* The `pools=` option's parser: keeps @value for sched_init() (which checks it). 0 or -E2BIG. */
int sched_pools_param(const char *value);

/* Pools (common/sched/pool.c). Pools with no CPU are not found. */
struct sched_pool *sched_pool_find(const char *name);
/* Where new units go: pool0, or the first pool if pool0 has no CPU. */
struct sched_pool *sched_pool_default(void);
struct sched_pool *sched_pool_of_cpu(unsigned int cpu); /* BUG_ON past the CPUs */
/* Does @cpu go without the periodic housekeeping tick (a null-policy CPU)? False before init. */
bool sched_cpu_tickless(unsigned int cpu);
/*
 * Move @u into pool @p. @u must be BLOCKED or OFFLINE and not on a CPU (before its domain
 * starts, or while it is paused: nothing may wake it meanwhile), else -EBUSY. Its CPUs become
 * its affinity within @p's (none: -EINVAL). A null pool binds it to a free CPU (none: -EBUSY).
 * Leaving a pool drops a reservation. On error @why (@whylen bytes) says why.
 */
int sched_set_pool(struct sched_unit *u, struct sched_pool *p, char *why, size_t whylen);
/*
 * Give @u a real-time reservation of @budget_ns every @period_ns at priority @prio (0..99,
 * higher first), or with @budget_ns 0 take it away (back to fair share; a no-op where there is
 * none). Only in rt pools (else -EINVAL); @u must be BLOCKED and not on a CPU (-EBUSY). Refused
 * with -EINVAL for a period outside 100 us..10 s, a budget over the period or a prio over 99,
 * and -ENOSPC when no CPU @u may use has room. On error @why says why.
 */
int sched_set_rt(struct sched_unit *u, u64 budget_ns, u64 period_ns, unsigned int prio, char *why,
		 size_t whylen);

/* Wrappers routing to the policy of the unit's pool, or of the CPU's pool (common/sched/core.c). */
void sched_unit_init(struct sched_unit *u, void *owner, unsigned int weight, unsigned int cap,
		     u64 affinity);
int sched_insert(struct sched_unit *u);
void sched_remove(struct sched_unit *u);
int sched_wake(struct sched_unit *u, u64 now);
void sched_sleep(struct sched_unit *u, u64 now);
struct sched_decision sched_schedule(unsigned int cpu, u64 now, bool yield);
int sched_set_params(struct sched_unit *u, unsigned int weight, unsigned int cap);
int sched_set_affinity(struct sched_unit *u, u64 affinity, u64 now);
unsigned int sched_cpu_load(unsigned int cpu);
void sched_audit(void); /* every pool */
/*
 * The CPU that schedule() returned @u to is done with it: it will not touch @u or its owner
 * again, so after this call the owner may be freed at any moment.
 */
void sched_release(struct sched_unit *u);
/*
 * Has a CPU been handed @u by schedule() and not released it yet? Once sched_remove(@u) has
 * returned no CPU can be handed @u again, so from then on this only goes from true to false, and
 * false means no CPU uses @u or its owner any more.
 */
bool sched_unit_held(const struct sched_unit *u);

#endif
