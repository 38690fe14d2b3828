/* Console registry: the list of output devices that printk and the panic path write to. */
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/spinlock.h>

/*
 * Registration (append at the tail) is serialised by console_lock. Consoles are never removed,
 * and a console is fully set up before it is published with one store, so console_write walks
 * the list without the lock: it must work from the panic path and from a fault inside printk,
 * where taking a lock could deadlock. Serialising the output itself is printk's job.
 */
static struct console *console_list;
static spinlock_t console_lock = SPINLOCK_INIT;

static bool console_is_listed(const struct console *con)
{
	const struct console *c;

	for (c = console_list; c; c = c->next) {
		if (c == con)
			return true;
	}
	return false;
}

void console_register(struct console *con)
{
	unsigned long flags;

	if (!con || !con->write)
		return;
	flags = spin_lock_irqsave(&console_lock);
	/* Registering twice would turn the list into a loop: ignore repeats. */
	if (!console_is_listed(con)) {
		struct console *tail = console_list;

		con->next = NULL;
		while (tail && tail->next)
			tail = tail->next;
		barrier();
		if (tail)
			WRITE_ONCE(tail->next, con);
		else
			WRITE_ONCE(console_list, con);
	}
	spin_unlock_irqrestore(&console_lock, flags);
}

void console_write(const char *buf, size_t len)
{
	struct console *con;

	if (!len)
		return;
	for (con = READ_ONCE(console_list); con; con = READ_ONCE(con->next))
		con->write(con, buf, len);
}

u32 console_bytes_per_sec(void)
{
	u32 slowest = 0;

	for (struct console *con = READ_ONCE(console_list); con; con = READ_ONCE(con->next)) {
		u32 rate = READ_ONCE(con->bytes_per_sec);

		if (rate && (!slowest || rate < slowest))
			slowest = rate;
	}
	return slowest;
}
