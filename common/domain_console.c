/* Guest console output: filtered into lines per domain, rate-limited, written as "(dN) text". */
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/domain_console.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/time.h>

/*
 * What a guest byte becomes on the host's terminal: itself, '?' for a control byte, or 0 when it
 * is dropped (CR, NUL). Bytes 0x00-0x1f except tab, DEL (0x7f) and the C1 controls (0x80-0x9f)
 * never reach the terminal, in 8-bit or UTF-8 mode alike. Bytes 0xa0-0xff pass unchanged: UTF-8
 * text keeps its characters whose bytes are all >= 0xa0 and shows '?' for a continuation byte in
 * 0x80-0x9f, since a terminal in an 8-bit mode would take that byte for a C1 control.
 */
static char console_byte(u8 c)
{
	if (c == '\r' || c == '\0')
		return 0;
	if (c == '\t')
		return '\t';
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
		return '?';
	return (char)c;
}

static u32 queue_room(const struct domain_console *c)
{
	return DOMAIN_CONSOLE_QUEUE_SIZE - (c->queue_head - c->queue_tail);
}

static void queue_put(struct domain_console *c, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		c->queue[c->queue_head++ % DOMAIN_CONSOLE_QUEUE_SIZE] = text[i];
	c->queue[c->queue_head++ % DOMAIN_CONSOLE_QUEUE_SIZE] = '\n';
}

/* Take the oldest line's text out of the queue into @out (at most @max); its length, or -1. */
static int queue_take_line(struct domain_console *c, char *out, size_t max)
{
	size_t n = 0;

	if (c->queue_tail == c->queue_head)
		return -1;
	while (c->queue_tail != c->queue_head) {
		char ch = c->queue[c->queue_tail++ % DOMAIN_CONSOLE_QUEUE_SIZE];

		if (ch == '\n')
			break;
		if (n < max)
			out[n++] = ch;
	}
	return (int)n;
}

/* Queue a line's text if it fits in the queue (and, when @charged, the bucket pays for it). */
static bool queue_line(struct domain_console *c, const char *text, size_t len, bool charged)
{
	u32 cost = (u32)len + DOMAIN_CONSOLE_LINE_COST;

	if (charged && cost > c->tokens)
		return false;
	if (len + 1 > queue_room(c))
		return false;
	queue_put(c, text, len);
	if (charged)
		c->tokens -= cost;
	return true;
}

/* Tokens a second: DOMAIN_CONSOLE_RATE_BYTES, or half of what the slowest console writes. */
static u32 bucket_rate(void)
{
	u32 half = console_bytes_per_sec() / 2;

	return half && half < DOMAIN_CONSOLE_RATE_BYTES ? half : DOMAIN_CONSOLE_RATE_BYTES;
}

/* What the bucket holds at @rate: DOMAIN_CONSOLE_BURST_BYTES, or 4 seconds' worth if less. */
static u32 bucket_size(u32 rate)
{
	return MIN((u32)DOMAIN_CONSOLE_BURST_BYTES, 4 * rate);
}

/* Refill the bucket for the time since the last refill. */
static void bucket_refill(struct domain_console *c, u64 now)
{
	u64 add;

	if (!c->refilled_at) {
		c->rate = bucket_rate();
		c->tokens = bucket_size(c->rate);
		c->refilled_at = MAX(now, 1ULL);
	} else if (now > c->refilled_at) {
		/* Whole tokens only: the rest of the time counts towards the next refill. */
		add = MIN(now - c->refilled_at, 10 * 1000000000ULL) * c->rate / 1000000000ULL;
		if (add) {
			c->rate = bucket_rate();
			c->tokens = (u32)MIN(c->tokens + add, (u64)bucket_size(c->rate));
			c->refilled_at = now;
		}
	}
}

/* Whether the drops counted so far are to be reported now (a second after the first one). */
static bool summary_due(const struct domain_console *c, u64 now)
{
	return c->dropped && now - c->dropped_since >= DOMAIN_CONSOLE_SUMMARY_NS;
}

/* Take the drop count into a summary line's text; its length. */
static int take_summary(struct domain_console *c, char *text, size_t max)
{
	int len = snprintf(text, max, "... %llu bytes dropped (over %u bytes/s)",
			   (unsigned long long)c->dropped, c->rate);

	c->dropped = 0;
	return (int)MIN((size_t)len, max - 1);
}

static void drop(struct domain_console *c, u64 guest_bytes, u64 now)
{
	if (!c->dropped)
		c->dropped_since = now;
	c->dropped += guest_bytes;
}

/* The line being written is complete (@newline: the guest ended it): queue it or drop it. */
static void line_done(struct domain_console *c, bool newline, u64 now)
{
	if (!queue_line(c, c->line, c->line_len, true))
		drop(c, c->line_len + (newline ? 1 : 0), now);
	c->line_len = 0;
}

void domain_console_write(struct domain *d, const char *buf, size_t len)
{
	struct domain_console *c = &d->console;
	unsigned long flags = spin_lock_irqsave(&c->lock);
	u64 now = now_ns();

	bucket_refill(c, now);
	for (size_t i = 0; i < len; i++) {
		char ch;

		if (buf[i] == '\n') {
			line_done(c, true, now);
			continue;
		}
		ch = console_byte((u8)buf[i]);
		if (!ch)
			continue;
		c->line[c->line_len++] = ch;
		if (c->line_len == sizeof(c->line))
			line_done(c, false, now);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/* Lines to write, or a drop summary due (read without the lock: a hint). */
static bool has_output(const struct domain_console *c, u64 now)
{
	return READ_ONCE(c->queue_head) != READ_ONCE(c->queue_tail) ||
	       (READ_ONCE(c->dropped) &&
		now - READ_ONCE(c->dropped_since) >= DOMAIN_CONSOLE_SUMMARY_NS);
}

/*
 * Write the drop summary if it is due (or @final), else one queued line of @d; false if there was
 * nothing or (unless @wait) someone else is writing. The line is taken in turn, so two vCPUs of
 * @d keep its order.
 */
static bool write_one_line(struct domain *d, bool final, bool wait)
{
	struct domain_console *c = &d->console;
	char text[DOMAIN_CONSOLE_LINE_MAX + 80];
	unsigned long flags = spin_lock_irqsave(&c->lock);
	bool pending;
	int n = -1;

	bucket_refill(c, now_ns());
	pending = c->queue_head != c->queue_tail || (final ? c->dropped : summary_due(c, now_ns()));
	spin_unlock_irqrestore(&c->lock, flags);
	if (!pending || !printk_guest_begin(wait))
		return false;
	flags = spin_lock_irqsave(&c->lock);
	if (final ? c->dropped != 0 : summary_due(c, now_ns()))
		n = take_summary(c, text, sizeof(text));
	else if (!final)
		n = queue_take_line(c, text, sizeof(text));
	spin_unlock_irqrestore(&c->lock, flags);
	if (n >= 0) {
		char line[PRINTK_LINE_MAX];

		printk_guest_line(line,
				  printk_format(line, LOG_INFO, "(d%u) %.*s", d->id, n, text));
	}
	printk_guest_end();
	return n >= 0;
}

/*
 * Write @d's queued lines for up to DOMAIN_CONSOLE_FLUSH_NS (at least one line). A flush that
 * need not wait also stops between lines once this CPU has other work due (a softirq: a woken
 * vCPU to schedule, a timer): a line on a 115200-baud UART takes about 7 ms, and a real-time
 * vCPU sharing the CPU should wait for one line at most, not for 20 ms of them.
 */
static void flush_bounded(struct domain *d, u64 start, bool wait)
{
	while (write_one_line(d, false, wait) && now_ns() - start < DOMAIN_CONSOLE_FLUSH_NS &&
	       (wait || !softirq_pending()))
		;
}

void domain_console_flush(struct domain *d)
{
	u64 start = now_ns();

	if (has_output(&d->console, start) && arch_irqs_enabled())
		flush_bounded(d, start, true);
}

void domain_console_try_flush(struct domain *d)
{
	u64 start = now_ns();

	if (has_output(&d->console, start) && arch_irqs_enabled())
		flush_bounded(d, start, false);
}

/*
 * Its last flush is bounded like any other (the reaping CPU runs other domains' vCPUs too): what
 * is still queued after it is dropped and counted, and the summary goes out last.
 */
void domain_console_end(struct domain *d)
{
	struct domain_console *c = &d->console;
	unsigned long flags;

	if (!arch_irqs_enabled())
		return;
	flags = spin_lock_irqsave(&c->lock);
	if (c->line_len)
		line_done(c, false, now_ns());
	spin_unlock_irqrestore(&c->lock, flags);
	flush_bounded(d, now_ns(), true);
	flags = spin_lock_irqsave(&c->lock);
	if (c->queue_head != c->queue_tail) {
		drop(c, c->queue_head - c->queue_tail, now_ns());
		c->queue_tail = c->queue_head;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	write_one_line(d, true, true);
}
