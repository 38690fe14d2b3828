/* The scheduler interface: which vCPU runs on which physical CPU, and for how long. */
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

enum sched_state {
	SCHED_OFFLINE,	/* not yet inserted, or removed */
	SCHED_BLOCKED,	/* waiting for an event, or paused */
	SCHED_RUNNABLE, /* on a run queue */
	SCHED_RUNNING,	/* the current unit of its CPU */
};

/*
 * The scheduler's part of a vCPU (embedded in struct vcpu; @owner points back). Fields below the
 * line belong to the scheduler implementation; callers use the functions only.
 */
struct sched_unit {
	void *owner;
	unsigned int weight; /* relative share, 1..SCHED_MAX_WEIGHT */
	unsigned int cap;    /* max % of one CPU (0 = no cap; 100 = one full CPU) */
	u64 affinity;	     /* bitmap of CPUs it may run on (hard affinity) */
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
};

struct sched_decision {
	struct sched_unit *next; /* NULL: idle */
	u64 slice_ns;		 /* arm the timer for this long (0 = no deadline needed) */
	int kick_cpu;		 /* another CPU that must reschedule (a unit moved there), or -1 */
};

/*
 * A scheduling policy. Keel has one fair-share policy today (common/sched/fair.c); a real-time
 * policy can be added by providing another table. schedule() sets ->on_cpu of the unit it returns
 * while it still holds the lock that remove() takes for that unit (see sched_unit_held()).
 */
struct scheduler {
	const char *name;
	void (*init)(unsigned int nr_cpus);
	int (*insert)(struct sched_unit *u); /* starts BLOCKED */
	void (*remove)(struct sched_unit *u);
	int (*wake)(struct sched_unit *u, u64 now); /* returns a CPU to kick, or -1 */
	void (*sleep)(struct sched_unit *u, u64 now);
	struct sched_decision (*schedule)(unsigned int cpu, u64 now, bool yield);
	int (*set_params)(struct sched_unit *u, unsigned int weight, unsigned int cap);
	int (*set_affinity)(struct sched_unit *u, u64 affinity, u64 now);
	unsigned int (*cpu_load)(unsigned int cpu); /* units queued on + running on @cpu */
	void (*audit)(void);			    /* BUG_ON on a broken queue invariant */
};

extern const struct scheduler sched_fair;

/* Convenience wrappers over the active policy (common/sched/core.c). */
void sched_unit_init(struct sched_unit *u, void *owner, unsigned int weight, unsigned int cap,
		     u64 affinity);
void sched_init(unsigned int nr_cpus);
int sched_insert(struct sched_unit *u);
void sched_remove(struct sched_unit *u);
int sched_wake(struct sched_unit *u, u64 now);
void sched_sleep(struct sched_unit *u, u64 now);
struct sched_decision sched_schedule(unsigned int cpu, u64 now, bool yield);
int sched_set_params(struct sched_unit *u, unsigned int weight, unsigned int cap);
int sched_set_affinity(struct sched_unit *u, u64 affinity, u64 now);
unsigned int sched_cpu_load(unsigned int cpu);
void sched_audit(void);
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
