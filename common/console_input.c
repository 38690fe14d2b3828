/* Serial console input: to dom0 first if any, Ctrl-A x3 moves it across Keel and the domains. */
#include <keel/console_input.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/uart.h>

/*
 * Everything here runs on CPU 0 only (its poll timer), or in the unit tests: no lock. The focus
 * is a domain id, not a pointer: each byte looks the domain up (with a reference), so a domain
 * that ends takes the focus back to Keel.
 */
static int focus = CONSOLE_FOCUS_KEEL;
static unsigned int switch_chars; /* switch characters typed in a row so far */
static struct timer poll_timer;

int console_input_focus(void)
{
	return focus;
}

static void announce_focus(void)
{
	struct domain *d = focus == CONSOLE_FOCUS_KEEL ? NULL : domain_get((u16)focus);

	if (d) {
		pr_info("console: input goes to d%u '%s' (Ctrl-A three times to switch)", d->id,
			d->name);
		domain_put(d);
	} else {
		pr_info("console: input goes to Keel (Ctrl-A three times to switch)");
	}
}

/* Keel, then each domain in order of id, then Keel again. */
static void switch_focus(void)
{
	struct domain *next = domain_get_next(focus);

	focus = next ? (int)next->id : CONSOLE_FOCUS_KEEL;
	if (next)
		domain_put(next);
	announce_focus();
}

static void deliver(const char *buf, size_t len)
{
	struct domain *d;

	if (focus == CONSOLE_FOCUS_KEEL)
		return; /* Keel has no shell: its input is dropped */
	d = domain_get((u16)focus);
	if (!d) {
		focus = CONSOLE_FOCUS_KEEL; /* it ended */
		announce_focus();
		return;
	}
	if (d->privileged && !READ_ONCE(d->cons_ring.page))
		domain_console_input(d, buf, len); /* dom0's hvc0: console_io reads it */
	else
		console_ring_input(d, buf, len); /* dropped when in[] is full */
	domain_put(d);
}

void console_input_byte(char c)
{
	static const char pending[CONSOLE_SWITCH_COUNT] = {CONSOLE_SWITCH_CHAR, CONSOLE_SWITCH_CHAR,
							   CONSOLE_SWITCH_CHAR};

	if (c == CONSOLE_SWITCH_CHAR) {
		if (++switch_chars == CONSOLE_SWITCH_COUNT) {
			switch_chars = 0;
			switch_focus();
		}
		return;
	}
	if (switch_chars) {
		deliver(pending, switch_chars);
		switch_chars = 0;
	}
	deliver(&c, 1);
}

/* Every domain's ring, in case a guest wrote without notifying; its lines go out in turn. */
static void poll_ring(struct domain *d, void *ctx)
{
	(void)ctx;
	console_ring_drain(d);
	domain_console_try_flush(d);
}

static void poll_fn(struct timer *t)
{
	for (unsigned int i = 0; i < CONSOLE_POLL_BYTES; i++) {
		int c = uart_read_byte();

		if (c < 0)
			break;
		console_input_byte((char)c);
	}
	domain_for_each(poll_ring, NULL);
	timer_set(t, now_ns() + CONSOLE_POLL_NS, 0);
}

void console_input_start(void)
{
	struct domain *d0 = domain_get(0);

	/* With a dom0, its shell is what the typist wants: the input starts there. */
	focus = d0 && d0->privileged ? 0 : CONSOLE_FOCUS_KEEL;
	if (d0)
		domain_put(d0);
	timer_init(&poll_timer, poll_fn);
	announce_focus();
	timer_set(&poll_timer, now_ns() + CONSOLE_POLL_NS, 0);
}
