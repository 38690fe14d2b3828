/* Guest console output: buffered per domain into whole lines, printed as "(dN) text". */
#include <keel/domain.h>
#include <keel/printk.h>

static void flush_line(struct domain *d)
{
	pr_info("(d%u) %.*s", d->id, (int)d->console.line_len, d->console.line);
	d->console.line_len = 0;
}

void domain_console_write(struct domain *d, const char *buf, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			flush_line(d);
			continue;
		}
		if (c == '\r' || c == '\0')
			continue;
		/* Control characters from a guest must not drive the host's terminal. */
		if ((unsigned char)c < 0x20 && c != '\t')
			c = '?';
		d->console.line[d->console.line_len++] = c;
		if (d->console.line_len == sizeof(d->console.line))
			flush_line(d);
	}
	spin_unlock_irqrestore(&d->lock, flags);
}
