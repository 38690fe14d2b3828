/* Per-CPU one-shot timers driven by the local APIC timer (common/timer.c). */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

#include <keel/types.h>

struct timer {
	u64 deadline; /* now_ns() value; 0 = inactive */
	void (*fn)(struct timer *t);
	unsigned int cpu;    /* the CPU whose queue it is (or was last) on */
	unsigned int fn_cpu; /* the CPU that last started its callback */
	bool queued;
	bool irq_safe; /* may run in interrupt context (never wakes vCPUs) */
	struct timer *next;
};

void timer_init(struct timer *t, void (*fn)(struct timer *t));
/* Arm @t to fire at @deadline_ns on CPU @cpu (re-arming moves it). Past deadlines fire at once. */
void timer_set(struct timer *t, u64 deadline_ns, unsigned int cpu);
/*
 * Disarm @t. If its callback is running on another CPU, wait until it has returned (re-arming
 * done by that run is undone too), so that @t may be freed afterwards. Called from @t's own
 * callback, or from an interrupt on the CPU running it, it only disarms and does not wait.
 * The caller must not hold anything the callback needs (a lock it takes, interrupts off while
 * it waits for this CPU): the callback could then never return. A long wait is logged.
 */
void timer_stop(struct timer *t);
/* Run the expired timers of this CPU and program the hardware for the next (CPU loop). */
void timer_run_expired(void);
/* The same from the timer interrupt: only irq_safe timers run, the rest become a softirq. */
void timer_interrupt_run(void);
void timer_cpu_init(unsigned int cpu);
/* The arch programs the next interrupt: 0 = none pending. */
void arch_timer_program(u64 deadline_ns);

#endif
