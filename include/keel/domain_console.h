/* A domain's console output: the line it is writing, lines waiting for the consoles, its budget. */
#ifndef KEEL_DOMAIN_CONSOLE_H
#define KEEL_DOMAIN_CONSOLE_H

#include <keel/spinlock.h>
#include <keel/types.h>

/* Text bytes of one line; a longer line is cut there and goes on in the next one. */
#define DOMAIN_CONSOLE_LINE_MAX 160
/* Lines (text and '\n') a domain may have waiting for the consoles. */
#define DOMAIN_CONSOLE_QUEUE_SIZE 4096
/*
 * The rate limit, a bucket of console bytes: a line costs its text and DOMAIN_CONSOLE_LINE_COST
 * (the "[time] (dN) " prefix and the line end). It refills by DOMAIN_CONSOLE_RATE_BYTES a second,
 * or by half of what the slowest console writes a second if that is less, so that a domain
 * flooding a slow console leaves at least half of it to the others and to Keel. It holds
 * DOMAIN_CONSOLE_BURST_BYTES, or 4 seconds of its rate if that is less (so a burst does not keep
 * a slow console busy for long), and starts full. What is dropped is summed up for
 * DOMAIN_CONSOLE_SUMMARY_NS, then reported in one line.
 */
#define DOMAIN_CONSOLE_BURST_BYTES 4096
#define DOMAIN_CONSOLE_RATE_BYTES  4096
#define DOMAIN_CONSOLE_LINE_COST   24
#define DOMAIN_CONSOLE_SUMMARY_NS  1000000000ULL
/* One flush writes lines for at most this long (but always at least one line). */
#define DOMAIN_CONSOLE_FLUSH_NS 20000000ULL

struct domain;

/*
 * It all starts as zero (struct domain is zero-allocated; a zero spinlock is unlocked). @lock
 * guards the fields, taken with interrupts off only to copy bytes in or out: nothing is printed
 * under it.
 */
#define DOMAIN_CONSOLE_INPUT_SIZE 256

struct domain_console {
	spinlock_t lock;
	char line[DOMAIN_CONSOLE_LINE_MAX]; /* the line being written, already filtered */
	unsigned int line_len;
	char queue[DOMAIN_CONSOLE_QUEUE_SIZE]; /* whole filtered lines, each ending in '\n' */
	u32 queue_head, queue_tail;	       /* free-running byte counts */
	u32 tokens;			       /* console bytes it may still queue */
	u32 rate;			       /* tokens a second, when last refilled */
	u64 refilled_at;		       /* now_ns() of that refill; 0: never (full) */
	u64 dropped;			       /* guest bytes dropped since the last summary */
	u64 dropped_since;		       /* now_ns() when they began to be counted */
	/* Input typed for a domain without a console ring (dom0: console_io read). */
	char in[DOMAIN_CONSOLE_INPUT_SIZE];
	u32 in_head, in_tail; /* free-running byte counts, under @lock */
};

/*
 * The guest side (console_io, port 0xE9) hands its bytes to domain_console_write() (declared in
 * keel/domain.h): it only buffers, under @lock, so it may be called from any context. Bytes are
 * filtered (control bytes, DEL and C1 become '?'); each whole line is charged to the bucket and
 * queued; a line the bucket cannot pay for or with no room in the queue is dropped and counted,
 * and reported later in one "(dN) ... N bytes dropped" line. Lines are written as info messages
 * "[time] (dN) text", stamped when they go out.
 *
 * domain_console_flush() writes @d's queued lines on the consoles for up to
 * DOMAIN_CONSOLE_FLUSH_NS (and at least one line), with interrupts on and no lock held, waiting
 * in turn behind other writers: the time the console takes is spent by @d's own vCPU. Call it
 * from a vCPU of @d right after its console output, with no lock held. With interrupts off it
 * writes nothing and the lines wait for the next call. domain_console_try_flush() does the same
 * only while nobody else is writing, without waiting: for after each run of a vCPU of @d, so that
 * lines a bounded flush left behind go out without making that CPU wait for other writers.
 */
void domain_console_flush(struct domain *d);
void domain_console_try_flush(struct domain *d);
/*
 * @d is being destroyed (no vCPU of it runs): its unfinished line and waiting lines go out in one
 * last bounded flush, what does not fit in it is dropped, and the drop summary comes last.
 */
void domain_console_end(struct domain *d);

/*
 * Console input for a domain that reads it through console_io (dom0's hvc0): queue @len bytes
 * (what does not fit is dropped; the count queued is returned) and raise its VIRQ_CONSOLE;
 * domain_console_read() takes up to @max of them.
 */
size_t domain_console_input(struct domain *d, const char *buf, size_t len);
size_t domain_console_read(struct domain *d, char *out, size_t max);

#endif
