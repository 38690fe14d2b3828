/* Guest library: a small freestanding vsnprintf (pure: also built into host unit tests). */
#ifndef GUEST_FMT_H
#define GUEST_FMT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C-like formatting: flags '-', '0', '#', ' ', '+'; width and precision (number or '*');
 * lengths hh h l ll z; conversions d i u x X o p s c %. Always NUL-terminates when size > 0;
 * returns the length the full output would have had. Unknown conversions print verbatim.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
