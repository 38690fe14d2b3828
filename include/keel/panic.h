/* The panic path and invariant checks: a broken Keel invariant stops every CPU with a dump. */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

#include <keel/compiler.h>

void panic(const char *fmt, ...) __noreturn __printf(1, 2);
/* Set by the first CPU to panic (printk then writes straight to the consoles). */
extern volatile int panic_in_progress;

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(cond)                                                             \
	do {                                                                     \
		if (unlikely(cond))                                              \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
