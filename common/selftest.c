/* The `selftest` checks that need no CPU specifics: frame allocator and heap on the live machine. */
#include <keel/errno.h>
#include <keel/main.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>

#define SELFTEST_HEAP_OBJS 64

static int fail(char *why, size_t len, const char *what)
{
	snprintf(why, len, "%s", what);
	return -EIO;
}

/* Allocate a block of every order, write a pattern, check it, free all: free memory must return. */
static int selftest_frames(char *why, size_t len)
{
	struct frame_stats before, after;
	paddr_t blocks[FRAME_MAX_ORDER + 1];

	frames_get_stats(&before);
	for (unsigned int o = 0; o <= FRAME_MAX_ORDER; o++) {
		blocks[o] = frame_alloc(o);
		if (blocks[o] == INVALID_PADDR)
			return fail(why, len, "frame allocator: allocation failed");
		if (blocks[o] & ((PAGE_SIZE << o) - 1))
			return fail(why, len, "frame allocator: block not naturally aligned");
		memset(paddr_to_virt(blocks[o]), (int)o + 1, PAGE_SIZE << o);
	}
	for (unsigned int o = 0; o <= FRAME_MAX_ORDER; o++) {
		const u8 *p = paddr_to_virt(blocks[o]);

		for (u64 i = 0; i < (PAGE_SIZE << o); i += 509)
			if (p[i] != o + 1)
				return fail(why, len, "frame allocator: blocks overlap");
	}
	for (unsigned int o = 0; o <= FRAME_MAX_ORDER; o++)
		frame_free(blocks[o], o);
	frames_get_stats(&after);
	if (after.free_frames != before.free_frames)
		return fail(why, len,
			    "frame allocator: free memory did not return to where it was");
	pr_info("selftest: frame allocator ok (%llu frames free)", after.free_frames);
	return 0;
}

static int selftest_heap(char *why, size_t len)
{
	struct heap_stats before, after;
	u8 *objs[SELFTEST_HEAP_OBJS];

	heap_get_stats(&before);
	for (int i = 0; i < SELFTEST_HEAP_OBJS; i++) {
		size_t size = 8u << (i % 12); /* 8 bytes .. 16 KiB */

		objs[i] = kmalloc(size);
		if (!objs[i])
			return fail(why, len, "heap: allocation failed");
		memset(objs[i], i, size);
	}
	for (int i = 0; i < SELFTEST_HEAP_OBJS; i++) {
		size_t size = 8u << (i % 12);

		if (objs[i][0] != (u8)i || objs[i][size - 1] != (u8)i)
			return fail(why, len, "heap: objects overlap");
	}
	for (int i = 0; i < SELFTEST_HEAP_OBJS; i++)
		kfree(objs[i]);
	heap_get_stats(&after);
	if (after.bytes_in_use != before.bytes_in_use)
		return fail(why, len, "heap: bytes in use did not return to where they were");
	pr_info("selftest: heap ok");
	return 0;
}

int selftest_run(char *why, size_t len)
{
	int rc;

	pr_info("selftest: starting");
	rc = selftest_frames(why, len);
	if (!rc)
		rc = selftest_heap(why, len);
	if (!rc)
		rc = arch_selftest_cpus(why, len);
	return rc;
}
