/* Host-test shim: printk recorded for asserts, panic as a cmocka failure, single-thread locks. */
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

unsigned int shim_core_log_count[8];
unsigned long shim_core_panics;
static char shim_core_log[32768];
static size_t shim_core_log_len;

void shim_core_reset_log(void)
{
	memset(shim_core_log_count, 0, sizeof(shim_core_log_count));
	shim_core_log_len = 0;
	shim_core_log[0] = '\0';
}

bool shim_core_log_contains(const char *text)
{
	return strstr(shim_core_log, text) != NULL;
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char line[512];
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	size_t len = n < 0 ? 0 : MIN((size_t)n, sizeof(line) - 1);

	if ((unsigned int)level < 8)
		shim_core_log_count[level]++;
	if (shim_core_log_len + len + 2 <= sizeof(shim_core_log)) {
		memcpy(shim_core_log + shim_core_log_len, line, len);
		shim_core_log_len += len;
		shim_core_log[shim_core_log_len++] = '\n';
		shim_core_log[shim_core_log_len] = '\0';
	}
	if (getenv("KEEL_SHIM_PRINTK"))
		fprintf(stderr, "printk<%d>: %s\n", (int)level, line);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	static char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	shim_core_panics++;
	mock_assert(0, msg, __FILE__, __LINE__);
	abort();
}

/* One thread: taking a held lock would deadlock on the machine, so it fails the test. */
void spin_lock(spinlock_t *lock)
{
	if (lock->next != lock->owner)
		mock_assert(0, "spin_lock: lock already held", __FILE__, __LINE__);
	lock->next++;
}

void spin_unlock(spinlock_t *lock)
{
	if (lock->next == lock->owner)
		mock_assert(0, "spin_unlock: lock not held", __FILE__, __LINE__);
	lock->owner++;
}

bool spin_trylock(spinlock_t *lock)
{
	if (lock->next != lock->owner)
		return false;
	lock->next++;
	return true;
}

bool spin_is_locked(const spinlock_t *lock)
{
	return lock->next != lock->owner;
}

unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	spin_lock(lock);
	return 0x200;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	if (flags != 0x200)
		mock_assert(0, "spin_unlock_irqrestore: bad flags", __FILE__, __LINE__);
	spin_unlock(lock);
}
