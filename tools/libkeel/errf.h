/* libkeel: the one way its checks say what is wrong: a message formatted into the caller's buffer. */
#ifndef LIBKEEL_ERRF_H
#define LIBKEEL_ERRF_H

#include <stddef.h>

/* printf @fmt into @buf (@len bytes, NUL-terminated, truncated); returns -1, a check's "no". */
int keel_errf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
