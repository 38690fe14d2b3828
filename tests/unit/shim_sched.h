/* Host shim and simulated machine for the scheduler unit tests (see shim_sched.c). */
#ifndef SHIM_SCHED_H
#define SHIM_SCHED_H

#include <keel/limits.h>
#include <keel/sched.h>

#define SIM_NEVER (~0ULL)
#define MS	  1000000ULL
#define SEC	  1000000000ULL

/* A simulated vCPU: the unit plus what the test measured itself. */
struct sim_vcpu {
	struct sched_unit unit;
	unsigned int id;
	u64 ran_ns; /* run time as seen by the simulated CPUs, not by the scheduler */
};

/* Simulated CPUs driven by the decisions schedule() returns, on a simulated clock. */
struct sim {
	unsigned int nr_cpus;
	u64 now;
	struct sched_unit *cur[MAX_CPUS];
	u64 started[MAX_CPUS];
	u64 deadline[MAX_CPUS];
	u64 slice[MAX_CPUS]; /* what the last schedule() on the CPU returned */
	u64 idle_ns[MAX_CPUS];
	unsigned long nr_schedules;
	unsigned int depth;
};

void sim_init(struct sim *s, unsigned int nr_cpus);
/* The same with `pools=@pools` given (sim_init gives none); the log is cleared first. */
void sim_init_pools(struct sim *s, unsigned int nr_cpus, const char *pools);
void sim_vcpu_init(struct sim_vcpu *v, unsigned int id, unsigned int weight, unsigned int cap,
		   u64 affinity);
/* sched_insert + sched_wake (kicking as told); asserts both succeed. */
void sim_add(struct sim *s, struct sim_vcpu *v);
void sim_resched(struct sim *s, unsigned int cpu, bool yield);
void sim_kick(struct sim *s, int cpu);
void sim_wake(struct sim *s, struct sim_vcpu *v);
void sim_sleep(struct sim *s, struct sim_vcpu *v);
void sim_remove(struct sim *s, struct sim_vcpu *v);
int sim_set_affinity(struct sim *s, struct sim_vcpu *v, u64 mask);
/* Run CPU-bound units until @t (rescheduling each CPU at its deadline); charges run time. */
void sim_run_until(struct sim *s, u64 t);
/* The CPU running @u, or -1. */
int sim_cpu_of(const struct sim *s, const struct sched_unit *u);
/* Assert the invariants: audit, affinity, no unit on two CPUs, loads match the unit states. */
void sim_check(const struct sim *s, struct sim_vcpu *const *v, unsigned int n);

/* What Keel logged since the last sim_init or shim_sched_log_clear(). */
void shim_sched_log_clear(void);
bool shim_sched_log_has(const char *text);
const char *shim_sched_log(void);
extern bool shim_sched_log_quiet; /* do not echo warnings on stderr */

/* Locks held right now (the shim checks CPU-index order and that nothing leaks). */
unsigned int shim_sched_locks_held(void);
void shim_sched_reset(void);
extern unsigned long shim_sched_panics;
/* Make every Nth spin_trylock fail spuriously (0: never), to drive the lock-retry paths. */
extern unsigned int shim_trylock_fail_every;

#endif
