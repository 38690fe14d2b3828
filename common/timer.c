/* Per-CPU one-shot timers: a deadline-sorted list per CPU; the hardware is armed for the head. */
#include <keel/arch.h>
#include <keel/limits.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/timer.h>

/* timer_stop() warns when a callback it waits for has run this long (and every 10x as long). */
#define TIMER_STOP_WARN_NS 100000000ULL /* 100 ms */

/*
 * A CPU runs a callback at one of two levels: from its loop (softirq) and, nested in that, from
 * the timer interrupt (irq_safe timers). ->running[level] names the timer whose callback runs at
 * that level now, so that timer_stop() on another CPU can wait for it to return.
 */
enum timer_level { LEVEL_LOOP, LEVEL_IRQ, NR_LEVELS };

struct timer_queue {
	spinlock_t lock;
	struct timer *head;
	struct timer *running[NR_LEVELS];
};

static struct timer_queue queues[MAX_CPUS];

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	t->deadline = 0;
	t->fn = fn;
	t->cpu = 0;
	t->fn_cpu = 0;
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

/*
 * Take @t off its queue (no new run of its callback can start then). Returns the queue of the CPU
 * that is running @t's callback at this moment, or NULL if none is.
 */
static struct timer_queue *dequeue(struct timer *t)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct timer_queue *q = &queues[cpu], *runq;
		unsigned long flags = spin_lock_irqsave(&q->lock);
		bool running;

		if (t->cpu != cpu) { /* moved meanwhile */
			spin_unlock_irqrestore(&q->lock, flags);
			continue;
		}
		if (t->queued)
			unlink_locked(q, t);
		t->deadline = 0;
		/*
		 * A run starts under the lock of the queue it runs from (fn_cpu): that is the queue we
		 * hold, or, if the callback moved @t elsewhere, it started before the move we see.
		 */
		runq = &queues[t->fn_cpu];
		running = __atomic_load_n(&runq->running[LEVEL_LOOP], __ATOMIC_ACQUIRE) == t ||
			  __atomic_load_n(&runq->running[LEVEL_IRQ], __ATOMIC_ACQUIRE) == t;
		spin_unlock_irqrestore(&q->lock, flags);
		return running ? runq : NULL;
	}
}

/* Spin until @q's CPU has returned from @t's callback; warn (never give up) if that is slow. */
static void wait_callback(struct timer_queue *q, const struct timer *t)
{
	u64 start = now_ns(), warn_after = TIMER_STOP_WARN_NS;

	while (__atomic_load_n(&q->running[LEVEL_LOOP], __ATOMIC_ACQUIRE) == t ||
	       __atomic_load_n(&q->running[LEVEL_IRQ], __ATOMIC_ACQUIRE) == t) {
		u64 waited = now_ns() - start;

		if (waited >= warn_after) {
			/* Freeing @t now could corrupt memory: a hung callback is reported, not skipped. */
			pr_warn(
			    "timer: timer_stop on CPU %u has waited %llu ms for a callback on CPU %u",
			    arch_cpu_id(), waited / 1000000, (unsigned int)(q - queues));
			warn_after *= 10;
		}
		udelay(1);
	}
}

void timer_stop(struct timer *t)
{
	struct timer_queue *runq;

	while ((runq = dequeue(t)) != NULL) {
		/* Run by this CPU: we are that callback, or interrupted it. Waiting would never end. */
		if (runq == &queues[arch_cpu_id()])
			return;
		wait_callback(runq, t);
		/* Look again: the callback may have armed @t once more before it returned. */
	}
}

void timer_set(struct timer *t, u64 deadline_ns, unsigned int cpu)
{
	struct timer_queue *q;
	struct timer **pp;
	unsigned long flags;
	bool head;

	BUG_ON(cpu >= MAX_CPUS || !t->fn);
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
	enum timer_level level = from_irq ? LEVEL_IRQ : LEVEL_LOOP;
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
		t->fn_cpu = cpu;
		__atomic_store_n(&q->running[level], t, __ATOMIC_RELAXED);
		spin_unlock_irqrestore(&q->lock, flags);
		t->fn(t);
		/* From here @t may be freed by a timer_stop() that waited: touch only the queue. */
		flags = spin_lock_irqsave(&q->lock);
		__atomic_store_n(&q->running[level], NULL, __ATOMIC_RELEASE);
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

/*
 * The housekeeping tick (100 Hz): proves a CPU's timer works, paces the scheduler. Every CPU keeps
 * it but a tickless one (a null-policy CPU, which runs one vCPU undisturbed): CPUs come online
 * (timer_cpu_init) before sched_init() sets the pools up, so a tickless CPU's tick fires once
 * more and is not armed again. The selftest checks every CPU's tick before sched_init() runs.
 */
static struct timer ticks[MAX_CPUS];
#define TICK_NS 10000000ULL

static void tick_fn(struct timer *t)
{
	if (!sched_cpu_tickless(t->cpu))
		timer_set(t, now_ns() + TICK_NS, t->cpu);
}

void timer_cpu_init(unsigned int cpu)
{
	timer_init(&ticks[cpu], tick_fn);
	ticks[cpu].irq_safe = true;
	if (!sched_cpu_tickless(cpu))
		timer_set(&ticks[cpu], now_ns() + TICK_NS, cpu);
}
