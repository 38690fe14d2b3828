/* Host-test shim for mm: an arena standing in for physical RAM; printk/panic/spinlock stubs. */
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/*
 * "Physical" addresses [shim_arena_base, shim_arena_base + shim_arena_size) map onto a host
 * buffer aligned to the largest buddy block, so natural alignment carries over to pointers.
 * The base is deliberately not 0 so the code under test cannot rely on it.
 */
const paddr_t shim_arena_base = 0x40000000ULL;
const u64 shim_arena_size = 64ULL << 20;
static u8 *shim_arena_mem;

/* What the code under test logged and why it panicked, for tests to check. */
unsigned long shim_printk_count[8];
char shim_last_msg[512];
char shim_panic_msg[512];
unsigned long shim_panic_count;

u8 *shim_arena(void)
{
	if (!shim_arena_mem) {
		shim_arena_mem = aligned_alloc(PAGE_SIZE << FRAME_MAX_ORDER, shim_arena_size);
		if (!shim_arena_mem) {
			fprintf(stderr, "shim_mm: cannot allocate the arena\n");
			abort();
		}
	}
	return shim_arena_mem;
}

void shim_mm_reset_logs(void)
{
	memset(shim_printk_count, 0, sizeof(shim_printk_count));
	shim_last_msg[0] = 0;
	shim_panic_msg[0] = 0;
	shim_panic_count = 0;
}

void *paddr_to_virt(paddr_t pa)
{
	if (pa < shim_arena_base || pa - shim_arena_base >= shim_arena_size) {
		fprintf(stderr, "shim_mm: paddr_to_virt(0x%llx) outside the arena\n",
			(unsigned long long)pa);
		mock_assert(0, "paddr_to_virt outside the arena", __FILE__, __LINE__);
		abort();
	}
	return shim_arena() + (pa - shim_arena_base);
}

paddr_t virt_to_paddr(const void *va)
{
	const u8 *p = va;
	u8 *a = shim_arena();

	if (p < a || (u64)(p - a) >= shim_arena_size) {
		fprintf(stderr, "shim_mm: virt_to_paddr(%p) outside the arena\n", va);
		mock_assert(0, "virt_to_paddr outside the arena", __FILE__, __LINE__);
		abort();
	}
	return shim_arena_base + (u64)(p - a);
}

/* Weak: a suite that links the real common/printk.c (its log ring) gets that one instead. */
__attribute__((weak)) void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	vsnprintf(shim_last_msg, sizeof(shim_last_msg), fmt, ap);
	if ((unsigned int)level < 8)
		shim_printk_count[level]++;
	if (level <= LOG_INFO)
		fprintf(stderr, "<%d> %s\n", (int)level, shim_last_msg);
}

__attribute__((weak)) void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

/* Panics become cmocka assertion failures: tests catch expected ones with expect_assert_failure. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shim_panic_msg, sizeof(shim_panic_msg), fmt, ap);
	va_end(ap);
	shim_panic_count++;
	fprintf(stderr, "PANIC: %s\n", shim_panic_msg);
	mock_assert(0, shim_panic_msg, __FILE__, __LINE__);
	abort();
}

/* Spinlocks: tests/unit/shim_spinlock.c. */
