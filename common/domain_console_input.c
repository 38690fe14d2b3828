/* Console input for domains that read it with console_io (dom0's hvc0): a queue and VIRQ_CONSOLE. */
#include <keel/domain.h>
#include <keel/domain_console.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <public/event_channel.h>

size_t domain_console_input(struct domain *d, const char *buf, size_t len)
{
	struct domain_console *c = &d->console;
	unsigned long flags = spin_lock_irqsave(&c->lock);
	size_t n = 0;

	for (; n < len && c->in_head - c->in_tail < DOMAIN_CONSOLE_INPUT_SIZE; n++)
		c->in[c->in_head++ % DOMAIN_CONSOLE_INPUT_SIZE] = buf[n];
	spin_unlock_irqrestore(&c->lock, flags);
	if (n)
		evtchn_send_global_virq(d, VIRQ_CONSOLE);
	return n;
}

size_t domain_console_read(struct domain *d, char *out, size_t max)
{
	struct domain_console *c = &d->console;
	unsigned long flags = spin_lock_irqsave(&c->lock);
	size_t n = 0;

	for (; n < max && c->in_tail != c->in_head; n++)
		out[n] = c->in[c->in_tail++ % DOMAIN_CONSOLE_INPUT_SIZE];
	spin_unlock_irqrestore(&c->lock, flags);
	return n;
}
