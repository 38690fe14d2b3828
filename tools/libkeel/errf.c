/* libkeel: keel_errf, the message a failed check leaves in its caller's buffer. */
#include "errf.h"

#include <stdarg.h>
#include <stdio.h>

int keel_errf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}
