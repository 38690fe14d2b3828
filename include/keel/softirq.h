/* Deferred per-CPU work flagged from interrupt context and run from the scheduler loop. */
#ifndef KEEL_SOFTIRQ_H
#define KEEL_SOFTIRQ_H

#include <keel/types.h>

enum softirq {
	SOFTIRQ_TIMER,	    /* expired timers to run */
	SOFTIRQ_SCHEDULE,   /* this CPU must pick again */
	SOFTIRQ_DEVICE_IRQ, /* host device interrupts to deliver to dom0 */
	SOFTIRQ_COUNT,
};

void softirq_raise(enum softirq s);
/* Raise on another CPU and send it an IPI so it notices. */
void softirq_raise_on(unsigned int cpu, enum softirq s);
bool softirq_pending(void);
/* Run pending softirqs except SCHEDULE, which the caller consumes with softirq_take_schedule(). */
void softirq_run(void);
bool softirq_take_schedule(void);

#endif
