/* Host shim for printk's platform needs: now_ns and panic (via cmocka's mock_assert). */
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* The time printk stamps messages with; tests set it. */
u64 shim_now_ns;

u64 now_ns(void)
{
	return shim_now_ns;
}

void udelay(u64 us)
{
	(void)us;
}

/* Spinlocks: tests/unit/shim_spinlock.c. */

/* Never set here: a panic ends the test. */
volatile int panic_in_progress;

/* A Keel panic becomes a cmocka assertion failure (expect_assert_failure() can catch it). */
void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort();
}
