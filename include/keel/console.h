/* Console registry: output devices (UART, later the dom0 ring) that printk writes to. */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/types.h>

struct console {
	const char *name;
	void (*write)(struct console *con, const char *buf, size_t len);
	struct console *next;
	u32 bytes_per_sec; /* how much it writes per second; 0: too fast to matter */
};

void console_register(struct console *con);
/* The slowest registered console's bytes_per_sec, or 0 if none is slow. */
u32 console_bytes_per_sec(void);
/* Write to every console, bypassing the log ring (used by printk and the panic path). */
void console_write(const char *buf, size_t len);

#endif
