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

/* Spinlocks: tests/unit/shim_spinlock.c. */
