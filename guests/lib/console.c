/* Guest library: printf-style console over CONSOLEIO_write with a port 0xE9 fallback. */
#include "console.h"
#include "fmt.h"
#include "hypercall.h"
#include "x86.h"

#include <public/console_io.h>
#include <public/errno.h>

#define CONSOLE_LINE_MAX 512

static volatile int console_lock;
static int console_port_only;

static void lock(void)
{
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(console_lock))
			cpu_relax();
}

static void unlock(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void console_break_lock(void)
{
	unlock();
}

void console_use_port(void)
{
	console_port_only = 1;
}

static void port_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outb(CONSOLEIO_DEBUG_PORT, (uint8_t)s[i]);
}

static void console_write_locked(const char *s, size_t n)
{
	if (!console_port_only && hv.found) {
		long rc = hypercall(HYPERCALL_console_io, CONSOLEIO_write, n,
				    (uint64_t)(uintptr_t)s, 0, 0);

		if (rc >= 0)
			return;
		if (rc == -ENOSYS)
			console_port_only = 1;
	}
	port_write(s, n);
}

void console_write(const char *s, size_t n)
{
	lock();
	console_write_locked(s, n);
	unlock();
}

int con_printf(const char *fmt, ...)
{
	char line[CONSOLE_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	console_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	return n;
}
