/* Per-CPU one-shot timers: a deadline-sorted list per CPU; the hardware is armed for the head. */
#include <keel/arch.h>
#include <keel/panic.h>
#include <keel/softirq.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/timer.h>

#define TIMER_MAX_CPUS 64

struct timer_queue {
	spinlock_t lock;
	struct timer *head;
};

static struct timer_queue queues[TIMER_MAX_CPUS];

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	t->deadline = 0;
	t->fn = fn;
	t->cpu = 0;
	t->queued = false;
	t->irq_safe = false;
	t->next = NULL;
}

/* Unlink @t from its queue (lock held). Returns true if it was the head. */
static bool unlink_locked(struct timer_queue *q, struct timer *t)
{
	struct timer **pp = &q->head;
	bool was_head = q->head == t;

	while (*pp && *pp != t)
		pp = &(*pp)->next;
	BUG_ON(!*pp);
	*pp = t->next;
	t->next = NULL;
	t->queued = false;
	return was_head;
}

/* Make CPU @cpu re-arm its hardware for its (new) earliest deadline. */
static void reprogram(unsigned int cpu)
{
	if (cpu == arch_cpu_id()) {
		struct timer_queue *q = &queues[cpu];

		arch_timer_program(q->head ? q->head->deadline : 0);
	} else {
		softirq_raise_on(cpu, SOFTIRQ_TIMER);
	}
}

void timer_stop(struct timer *t)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct timer_queue *q = &queues[cpu];
		unsigned long flags = spin_lock_irqsave(&q->lock);

		if (t->cpu != cpu) { /* moved meanwhile */
			spin_unlock_irqrestore(&q->lock, flags);
			continue;
		}
		if (t->queued)
			unlink_locked(q, t);
		t->deadline = 0;
		spin_unlock_irqrestore(&q->lock, flags);
		return;
	}
}

void timer_set(struct timer *t, u64 deadline_ns, unsigned int cpu)
{
	struct timer_queue *q;
	struct timer **pp;
	unsigned long flags;
	bool head;

	BUG_ON(cpu >= TIMER_MAX_CPUS || !t->fn);
	timer_stop(t);
	if (!deadline_ns)
		deadline_ns = 1;
	q = &queues[cpu];
	flags = spin_lock_irqsave(&q->lock);
	t->cpu = cpu;
	t->deadline = deadline_ns;
	for (pp = &q->head; *pp && (*pp)->deadline <= deadline_ns; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->queued = true;
	head = q->head == t;
	spin_unlock_irqrestore(&q->lock, flags);
	if (head)
		reprogram(cpu);
}

/*
 * Run this CPU's expired timers. In interrupt context (@from_irq) only those marked irq_safe run;
 * the first other expired one raises SOFTIRQ_TIMER and waits for the CPU loop, so that callbacks
 * that wake vCPUs never run inside an interrupt that may have cut into the scheduler.
 */
static void run_expired(bool from_irq)
{
	unsigned int cpu = arch_cpu_id();
	struct timer_queue *q = &queues[cpu];
	unsigned long flags = spin_lock_irqsave(&q->lock);
	u64 next = 0;

	for (struct timer **pp = &q->head; *pp;) {
		struct timer *t = *pp;

		if (t->deadline > now_ns()) {
			next = next ? next : t->deadline;
			break;
		}
		if (from_irq && !t->irq_safe) {
			softirq_raise(SOFTIRQ_TIMER);
			pp = &t->next; /* leave it queued; look for irq-safe ones behind it */
			continue;
		}
		unlink_locked(q, t);
		t->deadline = 0;
		spin_unlock_irqrestore(&q->lock, flags);
		t->fn(t);
		flags = spin_lock_irqsave(&q->lock);
		pp = &q->head;
	}
	arch_timer_program(next);
	spin_unlock_irqrestore(&q->lock, flags);
}

void timer_run_expired(void)
{
	run_expired(false);
}
void timer_interrupt_run(void)
{
	run_expired(true);
}

/* The housekeeping tick every CPU keeps (100 Hz): proves its timer works, paces the scheduler. */
static struct timer ticks[TIMER_MAX_CPUS];
#define TICK_NS 10000000ULL

static void tick_fn(struct timer *t)
{
	timer_set(t, now_ns() + TICK_NS, t->cpu);
}

void timer_cpu_init(unsigned int cpu)
{
	timer_init(&ticks[cpu], tick_fn);
	ticks[cpu].irq_safe = true;
	timer_set(&ticks[cpu], now_ns() + TICK_NS, cpu);
}
