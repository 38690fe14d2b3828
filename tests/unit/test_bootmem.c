/* Unit tests for boot-time free-memory bookkeeping (common/mm/boot_mem.c), with a bitmap model. */
#include <keel/boot_mem.h>
#include <keel/compiler.h>
#include <keel/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

#define MB(x) ((paddr_t)(x) << 20)

static struct boot_info bi;
static struct boot_mem bm;

/* What boot_mem_for_each_free passed, in order. */
#define MAX_PIECES 1024
static struct mem_region pieces[MAX_PIECES];
static unsigned int nr_pieces;

static void collect(paddr_t start, paddr_t end, void *ctx)
{
	assert_ptr_equal(ctx, &nr_pieces);
	assert_true(start < end);
	assert_true(nr_pieces < MAX_PIECES);
	pieces[nr_pieces].start = start;
	pieces[nr_pieces].end = end;
	nr_pieces++;
}

static u64 run_free(paddr_t lo, paddr_t hi)
{
	nr_pieces = 0;
	return boot_mem_for_each_free(&bm, lo, hi, collect, &nr_pieces);
}

static void add_range(paddr_t start, u64 size, u32 type)
{
	assert_true(bi.nr_memmap < BOOT_MAX_MEMMAP);
	bi.memmap[bi.nr_memmap].start = start;
	bi.memmap[bi.nr_memmap].size = size;
	bi.memmap[bi.nr_memmap].type = type;
	bi.nr_memmap++;
}

/* Is [start, end) exactly one of the pieces? */
static bool has_piece(paddr_t start, paddr_t end)
{
	for (unsigned int i = 0; i < nr_pieces; i++)
		if (pieces[i].start == start && pieces[i].end == end)
			return true;
	return false;
}

static int setup(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	boot_mem_init(&bm, &bi);
	shim_core_reset_log();
	nr_pieces = 0;
	return 0;
}

/* A PC-like map: low RAM, the legacy hole, RAM to 2 GiB, firmware, RAM above 4 GiB. */
static void pc_map(void)
{
	add_range(0, 0x9fc00, MEM_RAM);
	add_range(0x9fc00, 0x400, MEM_RESERVED);
	add_range(0xf0000, 0x10000, MEM_RESERVED);
	add_range(MB(1), MB(2047), MEM_RAM);
	add_range(MB(2048), MB(2), MEM_ACPI_RECLAIM);
	add_range(MB(4096), MB(1024), MEM_RAM);
}

static void test_init_clears(void **state)
{
	(void)state;
	memset(&bm, 0xa5, sizeof(bm));
	boot_mem_init(&bm, &bi);
	assert_int_equal(bm.nr_reserved, 0);
	assert_ptr_equal(bm.bi, &bi);
	assert_int_equal(run_free(0, ~0ULL), 0); /* empty map: no RAM at all */
	assert_int_equal(boot_mem_max_ram(&bm), 0);
}

static void test_plain_map(void **state)
{
	(void)state;
	pc_map();
	assert_int_equal(run_free(0, ~0ULL), 0x9fc00 + MB(2047) + MB(1024));
	assert_int_equal(nr_pieces, 3);
	assert_true(has_piece(0, 0x9fc00));
	assert_true(has_piece(MB(1), MB(2048)));
	assert_true(has_piece(MB(4096), MB(5120)));
	assert_int_equal(boot_mem_max_ram(&bm), MB(5120));
}

static void test_reserved_splits(void **state)
{
	(void)state;
	pc_map();
	assert_int_equal(boot_mem_reserve(&bm, MB(2), MB(3)), 0);	 /* the image */
	assert_int_equal(boot_mem_reserve(&bm, MB(1), MB(1) + 4096), 0); /* at a range's start */
	assert_int_equal(boot_mem_reserve(&bm, MB(5119), MB(6000)), 0);	 /* past a range's end */
	assert_int_equal(boot_mem_reserve(&bm, 0, 0x1000), 0);
	assert_int_equal(run_free(0, ~0ULL), 0x9fc00 - 0x1000 + MB(2047) - MB(1) - 4096 + MB(1023));
	assert_true(has_piece(0x1000, 0x9fc00));
	assert_true(has_piece(MB(1) + 4096, MB(2)));
	assert_true(has_piece(MB(3), MB(2048)));
	assert_true(has_piece(MB(4096), MB(5119)));
	assert_int_equal(nr_pieces, 4);
}

static void test_overlapping_reserved(void **state)
{
	(void)state;
	add_range(0, MB(16), MEM_RAM);
	assert_int_equal(boot_mem_reserve(&bm, MB(4), MB(8)), 0);
	assert_int_equal(boot_mem_reserve(&bm, MB(6), MB(10)), 0);
	assert_int_equal(boot_mem_reserve(&bm, MB(5), MB(6)), 0); /* inside the first */
	assert_int_equal(boot_mem_reserve(&bm, MB(12), MB(13)), 0);
	assert_int_equal(run_free(0, ~0ULL), MB(4) + MB(2) + MB(3));
	assert_int_equal(nr_pieces, 3);
	assert_true(has_piece(0, MB(4)));
	assert_true(has_piece(MB(10), MB(12)));
	assert_true(has_piece(MB(13), MB(16)));
}

static void test_non_ram_entry_wins_over_ram(void **state)
{
	(void)state;
	/* Firmware maps can overlap: a reserved entry inside a RAM one removes that part. */
	add_range(0, MB(64), MEM_RAM);
	add_range(MB(10), MB(1), MEM_RESERVED);
	add_range(MB(63), MB(4), MEM_ACPI_NVS); /* hangs over the end */
	add_range(MB(20), 0, MEM_BAD);		/* empty: removes nothing */
	assert_int_equal(run_free(0, ~0ULL), MB(62));
	assert_int_equal(nr_pieces, 2);
	assert_true(has_piece(0, MB(10)));
	assert_true(has_piece(MB(11), MB(63)));
}

static void test_unsorted_map(void **state)
{
	(void)state;
	add_range(MB(64), MB(64), MEM_RAM);
	add_range(MB(70), MB(2), MEM_RESERVED);
	add_range(0, MB(32), MEM_RAM);
	add_range(MB(1), MB(1), MEM_BAD);
	assert_int_equal(run_free(0, ~0ULL), MB(31) + MB(62));
	assert_true(has_piece(0, MB(1)));
	assert_true(has_piece(MB(2), MB(32)));
	assert_true(has_piece(MB(64), MB(70)));
	assert_true(has_piece(MB(72), MB(128)));
	assert_int_equal(boot_mem_max_ram(&bm), MB(128));
}

static void test_clip_lo_hi(void **state)
{
	(void)state;
	pc_map();
	boot_mem_reserve(&bm, MB(2), MB(3));
	assert_int_equal(run_free(MB(1) + 123, MB(4096)), MB(1) - 123 + MB(2048) - MB(3));
	assert_true(has_piece(MB(1) + 123, MB(2)));
	assert_true(has_piece(MB(3), MB(2048)));
	assert_int_equal(nr_pieces, 2);
	/* Above 4 GiB only. */
	assert_int_equal(run_free(MB(4096), ~0ULL), MB(1024));
	/* Empty and inverted windows give nothing. */
	assert_int_equal(run_free(MB(5), MB(5)), 0);
	assert_int_equal(run_free(MB(6), MB(5)), 0);
	assert_int_equal(nr_pieces, 0);
	/* A window inside a reserved range. */
	assert_int_equal(run_free(MB(2) + 5, MB(3) - 5), 0);
}

static void test_reserve_empty_and_overflow(void **state)
{
	(void)state;
	assert_int_equal(boot_mem_reserve(&bm, MB(5), MB(5)), 0);
	assert_int_equal(boot_mem_reserve(&bm, MB(6), MB(5)), 0);
	assert_int_equal(bm.nr_reserved, 0); /* empty ranges take no slot */
	for (unsigned int i = 0; i < BOOT_MAX_RESERVED; i++)
		assert_int_equal(boot_mem_reserve(&bm, MB(i), MB(i) + 4096), 0);
	assert_int_equal(bm.nr_reserved, BOOT_MAX_RESERVED);
	assert_int_equal(boot_mem_reserve(&bm, MB(100), MB(101)), -ENOSPC);
	assert_int_equal(bm.nr_reserved, BOOT_MAX_RESERVED);
	assert_true(shim_core_log_count[3] >= 1);
	assert_true(shim_core_log_contains("boot_mem:"));
	/* Every slot still counts. */
	add_range(0, MB(64), MEM_RAM);
	assert_int_equal(run_free(0, ~0ULL), MB(64) - BOOT_MAX_RESERVED * 4096ULL);
}

static void test_find_free_alignment(void **state)
{
	paddr_t p;

	(void)state;
	add_range(0x1000, MB(1) - 0x1000, MEM_RAM);
	add_range(MB(1) + 0x3000, MB(15), MEM_RAM);
	boot_mem_reserve(&bm, MB(2), MB(2) + 0x800);
	/* The first fit that can be aligned. */
	assert_int_equal(boot_mem_find_free(&bm, 0x1000, 0x1000, 0, ~0ULL), 0x1000);
	assert_int_equal(boot_mem_find_free(&bm, 0x1000, MB(1), 0, ~0ULL), MB(3));
	assert_int_equal(boot_mem_find_free(&bm, MB(1), MB(1), 0, ~0ULL), MB(3));
	assert_int_equal(boot_mem_find_free(&bm, 0x100, 0, 0, ~0ULL), 0x1000); /* align 0 = 1 */
	assert_int_equal(boot_mem_find_free(&bm, 0x10, 0x1000, MB(2), ~0ULL), MB(2) + 0x1000);
	/* Respects the window. */
	p = boot_mem_find_free(&bm, 0x2000, 0x1000, MB(1), ~0ULL);
	assert_int_equal(p, MB(1) + 0x3000);
	assert_int_equal(boot_mem_find_free(&bm, 0x2000, 0x1000, 0, MB(1) - 0x1000 + 0x1fff),
			 0x1000);
	/* Exactly the whole range fits; one byte more does not. */
	assert_int_equal(boot_mem_find_free(&bm, MB(1) - 0x1000, 0x1000, 0, MB(1)), 0x1000);
	assert_int_equal(boot_mem_find_free(&bm, MB(1) - 0x1000 + 1, 1, 0, MB(1)), INVALID_PADDR);
	/* Too big for any piece. */
	assert_int_equal(boot_mem_find_free(&bm, MB(64), 1, 0, ~0ULL), INVALID_PADDR);
	/* Nothing in an empty window. */
	assert_int_equal(boot_mem_find_free(&bm, 1, 1, MB(200), MB(300)), INVALID_PADDR);
}

static void test_find_free_alignment_overflow(void **state)
{
	(void)state;
	/* RAM at the very top of the address space: aligning up wraps to 0, which is no answer. */
	add_range(~0ULL - MB(2) + 1 + 0x1000, MB(2) - 0x1000 - 1, MEM_RAM);
	assert_int_equal(boot_mem_find_free(&bm, 0x1000, GiB(1), 0, ~0ULL), INVALID_PADDR);
	assert_int_equal(boot_mem_find_free(&bm, 0x1000, 0x1000, 0, ~0ULL),
			 ~0ULL - MB(2) + 1 + 0x1000);
}

static void test_is_ram(void **state)
{
	(void)state;
	pc_map();
	boot_mem_reserve(&bm, MB(2), MB(3)); /* reservations do not make it non-RAM */
	assert_true(boot_mem_is_ram(&bm, 0x8000, 0x9000));
	assert_true(boot_mem_is_ram(&bm, 0, 0x9fc00));
	assert_true(boot_mem_is_ram(&bm, MB(2), MB(3)));
	assert_false(boot_mem_is_ram(&bm, 0x9f000, 0xa0000)); /* straddles the EBDA */
	assert_false(boot_mem_is_ram(&bm, 0xa0000, 0xb0000)); /* a hole */
	assert_false(boot_mem_is_ram(&bm, MB(2047), MB(2049)));
	assert_false(boot_mem_is_ram(&bm, MB(5000), MB(6000))); /* past the end of RAM */
	/* An overlapping non-RAM entry inside RAM makes that part not RAM. */
	add_range(MB(100), 0x1000, MEM_RESERVED);
	assert_false(boot_mem_is_ram(&bm, MB(99), MB(101)));
	assert_true(boot_mem_is_ram(&bm, MB(101), MB(102)));
}

/* Reference: page bitmap of free RAM over a small address space. */
#define MODEL_PAGES 2048
static u8 model_free[MODEL_PAGES];
static u8 model_seen[MODEL_PAGES];

static void model_collect(paddr_t start, paddr_t end, void *ctx)
{
	(void)ctx;
	assert_true(start < end && end <= (paddr_t)MODEL_PAGES * 4096);
	for (paddr_t a = start; a < end; a += 4096) {
		/* Each free page is handed over once: the allocator would corrupt itself otherwise. */
		assert_int_equal(model_seen[a / 4096], 0);
		model_seen[a / 4096] = 1;
	}
}

static void random_maps(bool ram_may_overlap)
{
	srand(20240601);
	for (unsigned int round = 0; round < 400; round++) {
		u8 ram[MODEL_PAGES], blocked[MODEL_PAGES];
		unsigned int nr = 1 + (unsigned int)rand() % 12, nres = (unsigned int)rand() % 8;
		paddr_t lo = (paddr_t)(rand() % 256) * 4096;
		paddr_t hi = lo + (paddr_t)(rand() % MODEL_PAGES) * 4096;
		u64 total, expect = 0;
		unsigned int last_ram_end = 0;

		setup(NULL);
		memset(ram, 0, sizeof(ram));
		memset(blocked, 0, sizeof(blocked));
		for (unsigned int i = 0; i < nr; i++) {
			unsigned int s = (unsigned int)rand() % MODEL_PAGES;
			unsigned int n = (unsigned int)rand() % 256;
			u32 type = rand() % 3 ? MEM_RAM : (u32)(2 + rand() % 4);

			if (type == MEM_RAM && !ram_may_overlap) {
				/* Disjoint RAM, placed after the previous one, shuffled below. */
				s = last_ram_end + (unsigned int)rand() % 64;
				if (s >= MODEL_PAGES)
					continue;
				last_ram_end = s + n;
			}
			n = MIN(n, MODEL_PAGES - s);
			add_range((paddr_t)s * 4096, (u64)n * 4096, type);
			for (unsigned int p = s; p < s + n; p++) {
				if (type == MEM_RAM)
					ram[p] = 1;
				else
					blocked[p] = 1;
			}
		}
		/* Shuffle the map: Keel must not depend on the order. */
		for (unsigned int i = bi.nr_memmap; i > 1; i--) {
			unsigned int j = (unsigned int)rand() % i;
			struct boot_mem_range t = bi.memmap[i - 1];

			bi.memmap[i - 1] = bi.memmap[j];
			bi.memmap[j] = t;
		}
		for (unsigned int i = 0; i < nres; i++) {
			unsigned int s = (unsigned int)rand() % MODEL_PAGES;
			unsigned int n = (unsigned int)rand() % 128;

			n = MIN(n, MODEL_PAGES - s);

			assert_int_equal(
			    boot_mem_reserve(&bm, (paddr_t)s * 4096, (paddr_t)(s + n) * 4096), 0);
			memset(blocked + s, 1, n);
		}
		for (unsigned int p = 0; p < MODEL_PAGES; p++) {
			model_free[p] = ram[p] && !blocked[p] && (paddr_t)p * 4096 >= lo &&
					(paddr_t)p * 4096 < hi;
			expect += model_free[p] * 4096ULL;
		}
		memset(model_seen, 0, sizeof(model_seen));
		total = boot_mem_for_each_free(&bm, lo, hi, model_collect, NULL);
		for (unsigned int p = 0; p < MODEL_PAGES; p++) {
			if (model_seen[p] != model_free[p])
				fail_msg("round %u: page %u: free %d, reported %d", round, p,
					 model_free[p], model_seen[p]);
		}
		assert_int_equal(total, expect);
		/* find_free gives a free, aligned page in the window exactly when there is one. */
		{
			paddr_t f = boot_mem_find_free(&bm, 4096, 4096, lo, hi);

			if (!expect) {
				assert_int_equal(f, INVALID_PADDR);
			} else {
				assert_true(f != INVALID_PADDR && IS_ALIGNED(f, 4096));
				assert_true(f >= lo && f < hi && f / 4096 < MODEL_PAGES);
				assert_true(model_free[f / 4096]);
			}
		}
	}
}

static void test_random_disjoint_ram_vs_model(void **state)
{
	(void)state;
	random_maps(false);
}

static void test_random_overlapping_ram_vs_model(void **state)
{
	(void)state;
	random_maps(true);
}

static void test_overlapping_ram_entries_emitted_once(void **state)
{
	(void)state;
	/* Two RAM entries that overlap (some firmware does this): the overlap is one piece of RAM. */
	add_range(0, MB(8), MEM_RAM);
	add_range(MB(4), MB(8), MEM_RAM);
	assert_int_equal(run_free(0, ~0ULL), MB(12));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_init_clears),
	    T(test_plain_map),
	    T(test_reserved_splits),
	    T(test_overlapping_reserved),
	    T(test_non_ram_entry_wins_over_ram),
	    T(test_unsorted_map),
	    T(test_clip_lo_hi),
	    T(test_reserve_empty_and_overflow),
	    T(test_find_free_alignment),
	    T(test_find_free_alignment_overflow),
	    T(test_is_ram),
	    T(test_random_disjoint_ram_vs_model),
	    T(test_random_overlapping_ram_vs_model),
	    T(test_overlapping_ram_entries_emitted_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
