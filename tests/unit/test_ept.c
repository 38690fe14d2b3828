/* Unit tests for EPT tables (arch/x86/ept/ept.c) on the real frame allocator. */
#include <asm/ept.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/mm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* From shim_ept.c and shim_mm.c. */
extern long shim_ept_allocs_left;
extern unsigned long shim_ept_alloc_calls;
extern u64 shim_ept_free_baseline;
u64 shim_ept_frames_free(void);
void shim_ept_frames_reset(void);
void shim_ept_frames_release(void);
void ept_check_invariants(const struct ept *e);
void shim_ept_flush_all(struct ept *e);
u64 shim_ept_count_leaves(const struct ept *e, u64 size);

#define WB  EPT_MT_WB
#define RW  (EPT_R | EPT_W)
#define RX  (EPT_R | EPT_X)
#define RWX EPT_RWX
#define L1G EPT_LEVEL_1G

static struct ept ept;

struct leaf {
	u64 gpa;
	paddr_t hpa;
	u64 size;
	u64 entry;
};
static struct leaf *leaves;
static size_t nleaves, leaves_cap;

static void leaf_collect(u64 gpa, paddr_t hpa, u64 size, u64 entry, void *ctx)
{
	(void)ctx;
	if (nleaves == leaves_cap) {
		leaves_cap = leaves_cap ? 2 * leaves_cap : 1024;
		leaves = realloc(leaves, leaves_cap * sizeof(*leaves));
		assert_non_null(leaves);
	}
	leaves[nleaves++] = (struct leaf){gpa, hpa, size, entry};
}

/* Fill leaves[] from ept_for_each_leaf, checking they come ascending and disjoint. */
static size_t leaves_get(void)
{
	nleaves = 0;
	ept_for_each_leaf(&ept, leaf_collect, NULL);
	for (size_t i = 1; i < nleaves; i++)
		assert_true(leaves[i - 1].gpa + leaves[i - 1].size <= leaves[i].gpa);
	return nleaves;
}

static int map(u64 gpa, paddr_t hpa, u64 size, unsigned int perms, unsigned int mt,
	       unsigned int max_level)
{
	int ret = ept_map(&ept, gpa, hpa, size, perms, mt, max_level);

	ept_check_invariants(&ept);
	return ret;
}

static void assert_maps(u64 gpa, paddr_t hpa, unsigned int perms, unsigned int level)
{
	paddr_t h = 0;
	unsigned int p = 0, l = 0;

	assert_int_equal(ept_lookup(&ept, gpa, &h, &p, &l), 0);
	assert_int_equal(h, hpa);
	assert_int_equal(p, perms);
	assert_int_equal(l, level);
}

static void assert_unmapped(u64 gpa)
{
	assert_int_equal(ept_lookup(&ept, gpa, NULL, NULL, NULL), -ENOENT);
}

static int setup_frames(void **state)
{
	(void)state;
	shim_ept_frames_reset();
	ept.pml4 = INVALID_PADDR;
	return 0;
}

static int setup(void **state)
{
	setup_frames(state);
	assert_int_equal(ept_init(&ept), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	shim_ept_allocs_left = -1;
	ept_destroy(&ept);
	assert_int_equal(ept.pml4, INVALID_PADDR);
	assert_int_equal(shim_ept_frames_free(), shim_ept_free_baseline);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(leaves);
	shim_ept_frames_release();
	return 0;
}

static void test_init_and_eptp(void **state)
{
	const u64 *root = paddr_to_virt(ept.pml4);
	u64 eptp = ept_eptp(&ept);

	(void)state;
	assert_int_equal(ept.table_pages, 1);
	assert_int_equal(ept.mapped_pages_4k, 0);
	assert_int_equal(shim_ept_frames_free(), shim_ept_free_baseline - 1);
	for (int i = 0; i < 512; i++)
		assert_int_equal(root[i], 0); /* the arena was dirty: the root must be zeroed */
	assert_int_equal(eptp & 7, 6);	      /* WB */
	assert_int_equal((eptp >> 3) & 7, 3); /* 4-level walk */
	assert_int_equal(eptp & 0xfc0, 0);    /* no A/D, reserved clear */
	assert_int_equal(eptp & ~0xfffULL, ept.pml4);
	ept.ad_enabled = true;
	assert_int_equal(ept_eptp(&ept), eptp | (1ULL << 6));
	assert_int_equal(leaves_get(), 0);
	ept_check_invariants(&ept);
}

static void test_init_out_of_memory(void **state)
{
	(void)state;
	shim_ept_allocs_left = 0;
	assert_int_equal(ept_init(&ept), -ENOMEM);
	assert_int_equal(ept.pml4, INVALID_PADDR);
	ept_destroy(&ept); /* a no-op */
	assert_int_equal(shim_ept_frames_free(), shim_ept_free_baseline);
	shim_ept_allocs_left = -1;
	assert_int_equal(ept_init(&ept), 0);
}

static void test_map_lookup_4k(void **state)
{
	u64 gpa = 0x123456000ULL;
	paddr_t hpa = GiB(8) + 0x7000;

	(void)state;
	assert_int_equal(map(gpa, hpa, PAGE_SIZE, RW, WB, L1G), 0);
	assert_maps(gpa + 0xabc, hpa + 0xabc, RW, 1);
	assert_unmapped(gpa - PAGE_SIZE);
	assert_unmapped(gpa + PAGE_SIZE);
	assert_int_equal(ept.table_pages, 4);
	assert_int_equal(ept.mapped_pages_4k, 1);
	assert_false(ept.flush_pending); /* only a not-present entry changed */
	assert_int_equal(leaves_get(), 1);
	assert_int_equal(leaves[0].gpa, gpa);
	assert_int_equal(leaves[0].size, PAGE_SIZE);
	assert_int_equal(leaves[0].entry, hpa | RW | (6 << 3));
	/* Remapping it elsewhere replaces the entry and asks for an invalidation. */
	assert_int_equal(map(gpa, GiB(9), PAGE_SIZE, EPT_R, WB, L1G), 0);
	assert_maps(gpa, GiB(9), EPT_R, 1);
	assert_int_equal(ept.table_pages, 4);
	assert_int_equal(ept.mapped_pages_4k, 1);
	assert_true(ept.flush_pending);
}

static void test_map_lookup_2m(void **state)
{
	u64 gpa = GiB(3) + MiB(6);
	paddr_t hpa = GiB(9) + MiB(2);

	(void)state;
	assert_int_equal(map(gpa, hpa, MiB(2), RWX, WB, L1G), 0);
	assert_maps(gpa, hpa, RWX, 2);
	assert_maps(gpa + MiB(2) - 1, hpa + MiB(2) - 1, RWX, 2);
	assert_unmapped(gpa - 1);
	assert_unmapped(gpa + MiB(2));
	assert_int_equal(ept.table_pages, 3);
	assert_int_equal(ept.mapped_pages_4k, 512);
	assert_int_equal(leaves_get(), 1);
	assert_int_equal(leaves[0].entry, hpa | RWX | (6 << 3) | EPTE_LARGE);
	assert_int_equal(map(gpa + MiB(2), hpa + MiB(2), MiB(4), RWX, WB, L1G), 0);
	assert_int_equal(leaves_get(), 3);
	assert_int_equal(shim_ept_count_leaves(&ept, MiB(2)), 3);
}

static void test_map_lookup_1g(void **state)
{
	(void)state;
	assert_int_equal(map(GiB(2), GiB(5), GiB(1), RX, WB, L1G), 0);
	assert_maps(GiB(2), GiB(5), RX, 3);
	assert_maps(GiB(3) - 1, GiB(6) - 1, RX, 3);
	assert_unmapped(GiB(3));
	assert_int_equal(ept.table_pages, 2);
	assert_int_equal(ept.mapped_pages_4k, 262144);
	assert_int_equal(leaves_get(), 1);
	assert_int_equal(leaves[0].entry, GiB(5) | RX | (6 << 3) | EPTE_LARGE);
}

static void test_leaf_size_limits(void **state)
{
	(void)state;
	/* max_level 1: 4 KiB leaves even though everything is 2 MiB aligned. */
	assert_int_equal(map(MiB(2), GiB(4), MiB(2), RWX, WB, EPT_LEVEL_4K), 0);
	assert_maps(MiB(3), GiB(4) + MiB(1), RWX, 1);
	/* max_level 2 over a 1 GiB-aligned range. */
	assert_int_equal(map(GiB(1), GiB(4), GiB(1), RWX, WB, EPT_LEVEL_2M), 0);
	assert_maps(GiB(1) + MiB(7), GiB(4) + MiB(7), RWX, 2);
	/* hpa only 2 MiB aligned: 2 MiB leaves; hpa only 4 KiB aligned: 4 KiB leaves. */
	assert_int_equal(map(GiB(2), GiB(4) + MiB(2), GiB(1), RWX, WB, L1G), 0);
	assert_maps(GiB(2), GiB(4) + MiB(2), RWX, 2);
	assert_int_equal(map(GiB(3), GiB(4) + 0x1000, MiB(2), RWX, WB, L1G), 0);
	assert_maps(GiB(3) + 0x5000, GiB(4) + 0x6000, RWX, 1);
	/* The CPU's limit (e->max_leaf_level) caps the caller's. */
	ept.max_leaf_level = EPT_LEVEL_2M;
	assert_int_equal(map(GiB(5), GiB(4), GiB(1), RWX, WB, L1G), 0);
	assert_maps(GiB(5), GiB(4), RWX, 2);
	leaves_get();
	assert_int_equal(shim_ept_count_leaves(&ept, PAGE_SIZE), 1024);
	assert_int_equal(shim_ept_count_leaves(&ept, MiB(2)), 3 * 512);
	assert_int_equal(shim_ept_count_leaves(&ept, GiB(1)), 0);
	assert_int_equal(map(GiB(1), GiB(4), PAGE_SIZE, RWX, WB, 0), -EINVAL);
	assert_int_equal(map(GiB(1), GiB(4), PAGE_SIZE, RWX, WB, 4), -EINVAL);
}

static void test_mixed_range_picks_largest_leaves(void **state)
{
	u64 start = GiB(1) - 0x2000, end = GiB(2) + MiB(2) + 0x1000;
	static const u64 want_gpa[] = {GiB(1) - 0x2000, GiB(1) - 0x1000, GiB(1), GiB(2),
				       GiB(2) + MiB(2)};
	static const u64 want_size[] = {0x1000, 0x1000, GiB(1), MiB(2), 0x1000};

	(void)state;
	assert_int_equal(map(start, start + GiB(4), end - start, RWX, WB, L1G), 0);
	assert_int_equal(leaves_get(), 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(leaves[i].gpa, want_gpa[i]);
		assert_int_equal(leaves[i].size, want_size[i]);
		assert_int_equal(leaves[i].hpa, want_gpa[i] + GiB(4));
	}
	assert_int_equal(ept.table_pages, 6);
	assert_int_equal(ept.mapped_pages_4k, (end - start) >> 12);
	for (u64 g = start; g < end; g += MiB(1) + 0x3000)
		assert_int_equal(ept_lookup(&ept, g, NULL, NULL, NULL), 0);
}

static void test_memory_type_bits(void **state)
{
	(void)state;
	assert_int_equal(map(0, GiB(4), PAGE_SIZE, EPT_R, EPT_MT_UC | EPT_IPAT, L1G), 0);
	assert_int_equal(map(0x1000, GiB(4), PAGE_SIZE, RW, EPT_MT_WC, L1G), 0);
	assert_int_equal(map(0x2000, GiB(4), PAGE_SIZE, RW, EPT_MT_WT, L1G), 0);
	assert_int_equal(map(0x3000, GiB(4), PAGE_SIZE, RW, EPT_MT_WP | EPT_IPAT, L1G), 0);
	assert_int_equal(map(MiB(2), GiB(4), MiB(2), RWX, WB | EPT_IPAT, L1G), 0);
	assert_int_equal(leaves_get(), 5);
	assert_int_equal(leaves[0].entry, GiB(4) | EPTE_R | EPTE_IPAT);
	assert_int_equal(leaves[1].entry, GiB(4) | RW | (1 << 3));
	assert_int_equal(leaves[2].entry, GiB(4) | RW | (4 << 3));
	assert_int_equal(leaves[3].entry, GiB(4) | RW | (5 << 3) | EPTE_IPAT);
	assert_int_equal(leaves[4].entry, GiB(4) | RWX | (6 << 3) | EPTE_IPAT | EPTE_LARGE);
	assert_int_equal(ept_entry_mtype(leaves[2].entry), EPT_MT_WT);
	assert_int_equal(ept_entry_perms(leaves[4].entry), RWX);
}

static void test_invalid_arguments(void **state)
{
	static const struct {
		u64 gpa, hpa, size;
		unsigned int perms, mt, level;
	} bad[] = {
	    {0x1001, 0, 0x1000, RW, WB, 3},
	    {0, 0x1800, 0x1000, RW, WB, 3},
	    {0, 0, 0x800, RW, WB, 3},
	    {0, 0, 0, RW, WB, 3},
	    {1ULL << 48, 0, 0x1000, RW, WB, 3},
	    {(1ULL << 48) - 0x1000, 0, 0x2000, RW, WB, 3},
	    {~0xfffULL, 0, 0x1000, RW, WB, 3},
	    {0x1000, 0, ~0xfffULL, RW, WB, 3}, /* gpa + size wraps */
	    {0, 1ULL << 52, 0x1000, RW, WB, 3},
	    {0, (1ULL << 52) - 0x1000, 0x2000, RW, WB, 3},
	    {0, ~0xfffULL, 0x1000, RW, WB, 3},
	    {0, 0, 0x1000, 0, WB, 3},
	    {0, 0, 0x1000, EPT_W, WB, 3},
	    {0, 0, 0x1000, EPT_X, WB, 3},
	    {0, 0, 0x1000, EPT_W | EPT_X, WB, 3},
	    {0, 0, 0x1000, EPT_R | 8, WB, 3},
	    {0, 0, 0x1000, RW, 2, 3},
	    {0, 0, 0x1000, RW, 3, 3},
	    {0, 0, 0x1000, RW, 7, 3},
	    {0, 0, 0x1000, RW, WB | 0x10, 3},
	    {0, 0, 0x1000, RW, WB | 0x100, 3},
	};

	(void)state;
	shim_ept_alloc_calls = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(
		    map(bad[i].gpa, bad[i].hpa, bad[i].size, bad[i].perms, bad[i].mt, bad[i].level),
		    -EINVAL);
	assert_int_equal(ept_unmap(&ept, 0, 0), -EINVAL);
	assert_int_equal(ept_unmap(&ept, 0x800, 0x1000), -EINVAL);
	assert_int_equal(ept_unmap(&ept, 1ULL << 48, 0x1000), -EINVAL);
	assert_int_equal(map(0, 0, 0x1000, RW, WB, 3), 0);
	assert_int_equal(ept_protect(&ept, 0, 0x1000, 0), -EINVAL);
	assert_int_equal(ept_protect(&ept, 0, 0x1000, EPT_W), -EINVAL);
	assert_int_equal(ept_protect(&ept, 0, 0x1001, EPT_R), -EINVAL);
	assert_int_equal(ept_protect(&ept, 0, ~0xfffULL, EPT_R), -EINVAL);
	assert_int_equal(ept_lookup(&ept, 1ULL << 48, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(shim_ept_alloc_calls, 3); /* only the one good map allocated */
	assert_int_equal(leaves_get(), 1);
	assert_maps(0, 0, RW, 1);
	ept_check_invariants(&ept);
}

static void test_address_space_edges(void **state)
{
	u64 top = 1ULL << 48;
	paddr_t htop = 1ULL << 52;

	(void)state;
	assert_int_equal(map(top - 0x1000, htop - 0x1000, 0x1000, RW, WB, L1G), 0);
	assert_maps(top - 1, htop - 1, RW, 1);
	assert_int_equal(map(top - GiB(1), htop - GiB(1), GiB(1), RW, WB, L1G), 0);
	assert_maps(top - GiB(1), htop - GiB(1), RW, 3);
	assert_int_equal(ept.table_pages, 2);
	unsigned int sentinel = 77;
	paddr_t h = 0x1234;
	assert_int_equal(ept_lookup(&ept, 0x5000, &h, &sentinel, NULL), -ENOENT);
	assert_int_equal(h, 0x1234); /* outputs untouched on failure */
	assert_int_equal(sentinel, 77);
}

static void test_remap_inside_1g_splits_keeps_rest(void **state)
{
	u64 page = GiB(1) + MiB(300) + 0x3000;

	(void)state;
	assert_int_equal(map(GiB(1), GiB(4), GiB(1), RWX, WB, L1G), 0);
	assert_int_equal(map(page, 0x7777000, PAGE_SIZE, EPT_R, EPT_MT_UC, L1G), 0);
	assert_maps(page, 0x7777000, EPT_R, 1);
	assert_maps(page - 0x1000, page - 0x1000 + GiB(3), RWX, 1);
	assert_maps(page + 0x1000, page + 0x1000 + GiB(3), RWX, 1);
	assert_maps(GiB(1), GiB(4), RWX, 2);
	assert_maps(GiB(2) - 1, GiB(4) + GiB(1) - 1, RWX, 2);
	assert_int_equal(leaves_get(), 511 + 1 + 511);
	for (size_t i = 0; i < nleaves; i++) {
		if (leaves[i].gpa == page)
			continue;
		assert_int_equal(leaves[i].hpa, leaves[i].gpa + GiB(3));
		assert_int_equal(leaves[i].entry & 0x7f, RWX | (6 << 3));
	}
	assert_int_equal(ept.mapped_pages_4k, 262144);
	assert_int_equal(ept.table_pages, 4);
	assert_int_equal(ept.retired_pages, 0);
	assert_true(ept.flush_pending);
}

static void test_large_map_over_small_retires_tables(void **state)
{
	const u64 *retired;

	(void)state;
	for (u64 g = MiB(2); g < MiB(4); g += PAGE_SIZE)
		assert_int_equal(map(g, GiB(4) + ((g * 7919) & 0xfff000), PAGE_SIZE, RW, WB, L1G),
				 0);
	assert_int_equal(ept.table_pages, 4);
	shim_ept_flush_all(&ept);
	assert_false(ept.flush_pending);
	assert_int_equal(map(MiB(2), GiB(6), MiB(2), RWX, WB, L1G), 0);
	assert_maps(MiB(3), GiB(6) + MiB(1), RWX, 2);
	assert_int_equal(ept.table_pages, 3);
	assert_int_equal(ept.retired_pages, 1);
	assert_true(ept.flush_pending);
	retired = paddr_to_virt(ept.retired);
	for (int i = 0; i < 512; i++) /* cleared: a stale walk finds nothing present */
		assert_int_equal(retired[i] & EPTE_PERM_MASK, 0);
	for (int i = 2; i < 512; i++) /* beyond the list link and the generation */
		assert_int_equal(retired[i], 0);
	shim_ept_flush_all(&ept);
	assert_int_equal(ept.retired_pages, 0);
	ept_check_invariants(&ept);
	/* A 1 GiB leaf over the PD: the PD goes too. */
	assert_int_equal(map(0, GiB(7), GiB(1), RWX, WB, L1G), 0);
	assert_maps(MiB(3), GiB(7) + MiB(3), RWX, 3);
	assert_int_equal(ept.table_pages, 2);
	assert_int_equal(ept.retired_pages, 1);
	assert_int_equal(ept.mapped_pages_4k, 262144);
}

static void test_unmap_4k_hole_in_1g(void **state)
{
	u64 hole = GiB(1) + MiB(5) + 0x1000;

	(void)state;
	assert_int_equal(map(GiB(1), GiB(4), GiB(1), RWX, WB, L1G), 0);
	assert_int_equal(ept_unmap(&ept, hole, PAGE_SIZE), 0);
	ept_check_invariants(&ept);
	assert_unmapped(hole);
	assert_unmapped(hole + 0xfff);
	assert_maps(hole - 0x1000, hole - 0x1000 + GiB(3), RWX, 1);
	assert_maps(hole + 0x1000, hole + 0x1000 + GiB(3), RWX, 1);
	assert_maps(GiB(1), GiB(4), RWX, 2);
	assert_int_equal(ept.mapped_pages_4k, 262143);
	assert_int_equal(ept.table_pages, 4);
	assert_int_equal(leaves_get(), 511 + 511);
	for (size_t i = 0; i < nleaves; i++)
		assert_int_equal(leaves[i].hpa, leaves[i].gpa + GiB(3));
	/* Unmapping the rest gives back every table but the root. */
	assert_int_equal(ept_unmap(&ept, GiB(1), GiB(1)), 0);
	ept_check_invariants(&ept);
	assert_int_equal(ept.mapped_pages_4k, 0);
	assert_int_equal(ept.table_pages, 1);
	assert_int_equal(ept.retired_pages, 3);
	shim_ept_flush_all(&ept);
	assert_int_equal(shim_ept_frames_free(), shim_ept_free_baseline - 1);
}

static void test_unmap_partial_and_holes(void **state)
{
	(void)state;
	assert_int_equal(map(0, GiB(4), 0x4000, RW, WB, L1G), 0);
	assert_int_equal(map(MiB(1), GiB(5), 0x2000, RW, WB, L1G), 0);
	assert_int_equal(ept_unmap(&ept, 0x2000, MiB(1) - 0x1000), 0);
	ept_check_invariants(&ept);
	assert_maps(0x1000, GiB(4) + 0x1000, RW, 1);
	assert_unmapped(0x2000);
	assert_unmapped(MiB(1));
	assert_maps(MiB(1) + 0x1000, GiB(5) + 0x1000, RW, 1);
	assert_int_equal(ept.mapped_pages_4k, 3);
	/* Nothing there: no allocation, nothing to invalidate. */
	shim_ept_flush_all(&ept);
	shim_ept_alloc_calls = 0;
	assert_int_equal(ept_unmap(&ept, GiB(100), GiB(1)), 0);
	assert_int_equal(shim_ept_alloc_calls, 0);
	assert_false(ept.flush_pending);
	/* Through 2 MiB leaves: the edges split, the middle goes. */
	assert_int_equal(map(MiB(4), GiB(6), MiB(6), RWX, WB, L1G), 0);
	assert_int_equal(ept_unmap(&ept, MiB(5), MiB(4)), 0);
	ept_check_invariants(&ept);
	assert_maps(MiB(5) - 1, GiB(6) + MiB(1) - 1, RWX, 1);
	assert_unmapped(MiB(5));
	assert_unmapped(MiB(9) - 1);
	assert_maps(MiB(9), GiB(6) + MiB(5), RWX, 1);
	assert_int_equal(ept.mapped_pages_4k, 3 + 512);
}

static void test_protect(void **state)
{
	struct leaf before[8];
	size_t n;

	(void)state;
	assert_int_equal(map(GiB(2), GiB(4), MiB(4), RWX, WB | EPT_IPAT, L1G), 0);
	shim_ept_flush_all(&ept);
	/* Same rights: nothing changes, not even a split. */
	assert_int_equal(ept_protect(&ept, GiB(2), MiB(2), RWX), 0);
	assert_int_equal(ept_protect(&ept, GiB(2) + 0x1000, 0x1000, RWX), 0);
	assert_int_equal(ept.table_pages, 3);
	assert_false(ept.flush_pending);
	/* A page inside a 2 MiB leaf: split, rest identical. */
	assert_int_equal(ept_protect(&ept, GiB(2) + 0x1000, 0x1000, EPT_R), 0);
	ept_check_invariants(&ept);
	assert_true(ept.flush_pending);
	assert_maps(GiB(2) + 0x1000, GiB(4) + 0x1000, EPT_R, 1);
	assert_maps(GiB(2), GiB(4), RWX, 1);
	assert_maps(GiB(2) + 0x2000, GiB(4) + 0x2000, RWX, 1);
	assert_maps(GiB(2) + MiB(2), GiB(4) + MiB(2), RWX, 2);
	leaves_get();
	for (size_t i = 0; i < nleaves; i++)
		assert_int_equal(leaves[i].entry & (EPTE_MT_MASK | EPTE_IPAT),
				 (6 << 3) | EPTE_IPAT);
	/* A whole 2 MiB leaf keeps its size. */
	assert_int_equal(ept_protect(&ept, GiB(2) + MiB(2), MiB(2), RX), 0);
	assert_maps(GiB(2) + MiB(3), GiB(4) + MiB(3), RX, 2);
	/* Part of the range unmapped: -ENOENT and nothing changed. */
	n = leaves_get();
	memcpy(before, leaves, sizeof(before));
	assert_int_equal(ept_protect(&ept, GiB(2) + MiB(4) - 0x1000, 0x2000, EPT_R), -ENOENT);
	assert_int_equal(ept_protect(&ept, GiB(2) - 0x1000, 0x2000, EPT_R), -ENOENT);
	assert_int_equal(leaves_get(), n);
	assert_memory_equal(before, leaves, sizeof(before));
	assert_int_equal(ept_protect(&ept, GiB(2), MiB(4), EPT_R), 0);
	ept_check_invariants(&ept);
	leaves_get();
	for (size_t i = 0; i < nleaves; i++)
		assert_int_equal(ept_entry_perms(leaves[i].entry), EPT_R);
	assert_int_equal(ept.mapped_pages_4k, 1024);
}

static void test_for_each_leaf_covers_mapped_set(void **state)
{
	static const struct {
		u64 gpa, size;
		paddr_t hpa;
	} set[] = {
	    {0, 0x1000, GiB(4)},
	    {GiB(3) + MiB(2) - 0x1000, MiB(2) + 0x2000, GiB(5) + MiB(2) - 0x1000},
	    {GiB(512) - 0x1000, 0x2000, GiB(6)},
	    {GiB(700), GiB(2), GiB(8)},
	    {(1ULL << 48) - MiB(2), MiB(2), GiB(12)},
	};
	u64 total = 0, covered = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(set); i++) {
		assert_int_equal(map(set[i].gpa, set[i].hpa, set[i].size, RW, WB, L1G), 0);
		total += set[i].size;
	}
	leaves_get();
	for (size_t l = 0; l < nleaves; l++) {
		size_t hits = 0;

		for (size_t i = 0; i < ARRAY_SIZE(set); i++) {
			if (leaves[l].gpa < set[i].gpa ||
			    leaves[l].gpa + leaves[l].size > set[i].gpa + set[i].size)
				continue;
			hits++;
			assert_int_equal(leaves[l].hpa, set[i].hpa + (leaves[l].gpa - set[i].gpa));
		}
		assert_int_equal(hits, 1);
		covered += leaves[l].size;
	}
	assert_int_equal(covered, total);
	assert_int_equal(ept.mapped_pages_4k * PAGE_SIZE, total);
	assert_int_equal(shim_ept_count_leaves(&ept, GiB(1)), 2);
}

static void test_violation_decoding(void **state)
{
	struct ept_violation_info v = ept_decode_violation(0);

	(void)state;
	assert_false(v.read || v.write || v.exec || v.gpa_readable || v.gpa_writable ||
		     v.gpa_executable || v.gla_valid || v.gla_translation || v.nmi_unblocking);
	assert_true(ept_decode_violation(1 << 0).read);
	assert_true(ept_decode_violation(1 << 1).write);
	assert_true(ept_decode_violation(1 << 2).exec);
	assert_true(ept_decode_violation(1 << 3).gpa_readable);
	assert_true(ept_decode_violation(1 << 4).gpa_writable);
	assert_true(ept_decode_violation(1 << 5).gpa_executable);
	assert_true(ept_decode_violation(1 << 7).gla_valid);
	assert_true(ept_decode_violation(1 << 12).nmi_unblocking);
	v = ept_decode_violation(1 << 1);
	assert_false(v.read || v.exec || v.gpa_readable || v.gla_valid);
	/* Bit 8 only means something with bit 7. */
	assert_false(ept_decode_violation(1 << 8).gla_translation);
	assert_true(ept_decode_violation((1 << 7) | (1 << 8)).gla_translation);
	/* A write to a read-only page through a linear address. */
	v = ept_decode_violation(0x18a);
	assert_true(v.write && v.gpa_readable && v.gla_valid && v.gla_translation);
	assert_false(v.read || v.exec || v.gpa_writable || v.gpa_executable);
	v = ept_decode_violation(~0ULL);
	assert_true(v.read && v.write && v.exec && v.gpa_readable && v.gpa_writable &&
		    v.gpa_executable && v.gla_valid && v.gla_translation && v.nmi_unblocking);
	v = ept_decode_violation(1 << 6);
	assert_false(v.read || v.write || v.exec || v.gpa_readable || v.gla_valid);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_init_and_eptp),
	    cmocka_unit_test_setup_teardown(test_init_out_of_memory, setup_frames, teardown),
	    T(test_map_lookup_4k),
	    T(test_map_lookup_2m),
	    T(test_map_lookup_1g),
	    T(test_leaf_size_limits),
	    T(test_mixed_range_picks_largest_leaves),
	    T(test_memory_type_bits),
	    T(test_invalid_arguments),
	    T(test_address_space_edges),
	    T(test_remap_inside_1g_splits_keeps_rest),
	    T(test_large_map_over_small_retires_tables),
	    T(test_unmap_4k_hole_in_1g),
	    T(test_unmap_partial_and_holes),
	    T(test_protect),
	    T(test_for_each_leaf_covers_mapped_set),
	    T(test_violation_decoding),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
