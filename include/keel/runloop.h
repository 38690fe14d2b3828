/* The loop every CPU ends in once Keel is up: scheduling vCPUs (common/sched/runloop.c). */
#ifndef KEEL_RUNLOOP_H
#define KEEL_RUNLOOP_H

#include <keel/compiler.h>
#include <keel/types.h>

/* Set by the boot CPU once domains may run; application CPUs wait for it. */
extern volatile bool runloop_started;

__noreturn void cpu_run_loop(void);
/* One pass of it on @cpu: softirqs, reaping (CPU 0), pick, run or idle. Returns whether the vCPU
 * it ran yielded (the next pass's @yield). */
bool cpu_run_once(unsigned int cpu, bool yield);
/* Let every CPU enter its loop (the arch wakes the waiting application processors). */
void runloop_start(void);

#endif
