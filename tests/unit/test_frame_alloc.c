/* Unit tests for the buddy frame allocator (common/mm/frame_alloc.c) against the shim arena. */
#include <keel/compiler.h>
#include <keel/mm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* From shim_mm.c. */
extern const paddr_t shim_arena_base;
extern const u64 shim_arena_size;
extern unsigned long shim_printk_count[8];
extern char shim_panic_msg[512];
u8 *shim_arena(void);
void shim_mm_reset_logs(void);

#define BASE	shim_arena_base
#define NFRAMES (shim_arena_size >> PAGE_SHIFT)
#define MAXBLK	(PAGE_SIZE << FRAME_MAX_ORDER)

static u8 *meta;

static int setup(void **state)
{
	(void)state;
	meta = malloc(frames_meta_bytes(BASE + shim_arena_size));
	assert_non_null(meta);
	memset(meta, 0xa5, frames_meta_bytes(BASE + shim_arena_size)); /* init must clear it */
	frames_init(BASE + shim_arena_size, meta);
	shim_mm_reset_logs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	frames_init(0, NULL);
	free(meta);
	meta = NULL;
	return 0;
}

static struct frame_stats stats(void)
{
	struct frame_stats st;

	frames_get_stats(&st);
	return st;
}

/* Free-block counts must add up to the free frame count, which cannot exceed the total. */
static void check_stats_consistent(void)
{
	struct frame_stats st = stats();
	u64 sum = 0;
	int k;

	for (k = 0; k <= FRAME_MAX_ORDER; k++)
		sum += st.free_blocks[k] << k;
	assert_int_equal(sum, st.free_frames);
	assert_true(st.free_frames <= st.total_frames);
}

static void assert_stats_equal(const struct frame_stats *a, const struct frame_stats *b)
{
	int k;

	assert_int_equal(a->total_frames, b->total_frames);
	assert_int_equal(a->free_frames, b->free_frames);
	for (k = 0; k <= FRAME_MAX_ORDER; k++)
		assert_int_equal(a->free_blocks[k], b->free_blocks[k]);
}

static void test_meta_bytes(void **state)
{
	(void)state;
	assert_int_equal(frames_meta_bytes(0), 0);
	assert_int_equal(frames_meta_bytes(1), 1);
	assert_int_equal(frames_meta_bytes(PAGE_SIZE), 1);
	assert_int_equal(frames_meta_bytes(PAGE_SIZE + 1), 2);
	assert_int_equal(frames_meta_bytes(1ULL << 32), 1ULL << 20);
}

static void test_init_empty(void **state)
{
	struct frame_stats st = stats();
	int k;

	(void)state;
	assert_int_equal(st.total_frames, 0);
	assert_int_equal(st.free_frames, 0);
	for (k = 0; k <= FRAME_MAX_ORDER; k++) {
		assert_int_equal(st.free_blocks[k], 0);
		assert_int_equal(frame_alloc(k), INVALID_PADDR);
	}
	assert_null(frame_alloc_zeroed_page());
}

static void test_alloc_free_every_order(void **state)
{
	struct frame_stats before, now;
	unsigned int order;

	(void)state;
	frames_add_range(BASE, BASE + shim_arena_size);
	before = stats();
	assert_int_equal(before.total_frames, NFRAMES);
	assert_int_equal(before.free_frames, NFRAMES);
	assert_int_equal(before.free_blocks[FRAME_MAX_ORDER], NFRAMES >> FRAME_MAX_ORDER);

	for (order = 0; order <= FRAME_MAX_ORDER; order++) {
		paddr_t pa = frame_alloc(order);

		assert_int_not_equal(pa, INVALID_PADDR);
		assert_true(pa >= BASE && pa + (PAGE_SIZE << order) <= BASE + shim_arena_size);
		assert_true(IS_ALIGNED(pa, PAGE_SIZE << order));
		assert_int_equal(stats().free_frames, NFRAMES - (1ULL << order));
		check_stats_consistent();
		frame_free(pa, order);
		now = stats();
		assert_stats_equal(&before, &now);
	}
}

static void test_bad_order_returns_invalid(void **state)
{
	(void)state;
	frames_add_range(BASE, BASE + shim_arena_size);
	assert_int_equal(frame_alloc(FRAME_MAX_ORDER + 1), INVALID_PADDR);
	assert_int_equal(frame_alloc(63), INVALID_PADDR);
	assert_int_equal(frame_alloc(~0u), INVALID_PADDR);
	assert_int_equal(stats().free_frames, NFRAMES);
}

static void test_exhaustion_and_full_merge(void **state)
{
	enum { N = 37 };
	paddr_t got[N + 1];
	struct frame_stats before, now;
	int i, j;

	(void)state;
	/* 37 frames starting at an odd frame: many block sizes. */
	frames_add_range(BASE + 3 * PAGE_SIZE, BASE + (3 + N) * PAGE_SIZE);
	before = stats();
	assert_int_equal(before.total_frames, N);
	for (i = 0; i < N; i++) {
		got[i] = frame_alloc(0);
		assert_int_not_equal(got[i], INVALID_PADDR);
		assert_true(got[i] >= BASE + 3 * PAGE_SIZE && got[i] < BASE + (3 + N) * PAGE_SIZE);
		for (j = 0; j < i; j++)
			assert_int_not_equal(got[i], got[j]);
	}
	assert_int_equal(frame_alloc(0), INVALID_PADDR);
	assert_int_equal(stats().free_frames, 0);
	/* Free in a scrambled order; everything must merge back to the same blocks. */
	for (i = 0; i < N; i++)
		frame_free(got[(i * 7) % N], 0);
	now = stats();
	assert_stats_equal(&before, &now);

	/* Larger orders exhaust too: 37 frames hold 4 order-3 blocks at most. */
	for (i = 0; (got[i] = frame_alloc(3)) != INVALID_PADDR; i++)
		assert_true(IS_ALIGNED(got[i], 8 * PAGE_SIZE));
	assert_int_equal(i, 4);
	while (i--)
		frame_free(got[i], 3);
	now = stats();
	assert_stats_equal(&before, &now);
}

static void test_unaligned_range_trimmed(void **state)
{
	struct frame_stats st;

	(void)state;
	/* [BASE+123, BASE+5 pages+7) holds whole frames 1..4 only. */
	frames_add_range(BASE + 123, BASE + 5 * PAGE_SIZE + 7);
	st = stats();
	assert_int_equal(st.total_frames, 4);
	assert_int_equal(st.free_frames, 4);
	/* Frames 1, 2-3, 4: maximal naturally aligned blocks. */
	assert_int_equal(st.free_blocks[0], 2);
	assert_int_equal(st.free_blocks[1], 1);
	assert_int_equal(st.free_blocks[2], 0);
	assert_int_equal(frame_alloc(1), BASE + 2 * PAGE_SIZE);
	assert_int_equal(frame_alloc(2), INVALID_PADDR);
}

static void test_tiny_and_inverted_ranges_ignored(void **state)
{
	(void)state;
	frames_add_range(BASE + 1, BASE + PAGE_SIZE + 5); /* no whole frame */
	frames_add_range(BASE + 8 * PAGE_SIZE, BASE + 8 * PAGE_SIZE);
	frames_add_range(BASE + 9 * PAGE_SIZE, BASE + 2 * PAGE_SIZE); /* inverted */
	assert_int_equal(shim_printk_count[4], 1);		      /* one warning */
	frames_add_range(~0ULL - 10, ~0ULL);			      /* clipped to nothing */
	assert_int_equal(stats().total_frames, 0);
	assert_int_equal(frame_alloc(0), INVALID_PADDR);
}

static void test_disjoint_ranges(void **state)
{
	static const struct {
		u64 start, end; /* frame numbers relative to BASE */
	} r[] = {{5, 17}, {1024, 3072}, {4095, 4100}};
	u64 total = 0, n = 0;
	paddr_t pa;
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		frames_add_range(BASE + r[i].start * PAGE_SIZE, BASE + r[i].end * PAGE_SIZE);
		total += r[i].end - r[i].start;
	}
	assert_int_equal(stats().total_frames, total);
	check_stats_consistent();
	while ((pa = frame_alloc(0)) != INVALID_PADDR) {
		u64 f = (pa - BASE) / PAGE_SIZE;
		bool inside = false;

		for (i = 0; i < 3; i++)
			inside |= f >= r[i].start && f < r[i].end;
		assert_true(inside);
		n++;
	}
	assert_int_equal(n, total);
}

static void test_adjacent_ranges_merge(void **state)
{
	struct frame_stats st;

	(void)state;
	/* Two halves of one 4 MiB block, added separately (second half first), in pieces. */
	frames_add_range(BASE + MAXBLK / 2, BASE + MAXBLK);
	frames_add_range(BASE + PAGE_SIZE, BASE + MAXBLK / 2);
	frames_add_range(BASE, BASE + PAGE_SIZE);
	st = stats();
	assert_int_equal(st.total_frames, 1 << FRAME_MAX_ORDER);
	assert_int_equal(st.free_blocks[FRAME_MAX_ORDER], 1);
	assert_int_equal(frame_alloc(FRAME_MAX_ORDER), BASE);
}

static void test_range_clipped_at_max(void **state)
{
	(void)state;
	frames_init(BASE + 8 * MAXBLK + 3 * PAGE_SIZE + 100, meta);
	frames_add_range(BASE, BASE + 16 * MAXBLK);
	assert_int_equal(shim_printk_count[4], 1);
	/* The partial frame below max is not usable either. */
	assert_int_equal(stats().total_frames, 8 * (1 << FRAME_MAX_ORDER) + 3);
	frames_add_range(BASE + 16 * MAXBLK, BASE + 17 * MAXBLK); /* wholly beyond */
	assert_int_equal(stats().total_frames, 8 * (1 << FRAME_MAX_ORDER) + 3);
	check_stats_consistent();
}

static void test_overlapping_add_refused(void **state)
{
	struct frame_stats st;
	paddr_t pa;
	u64 n = 0;

	(void)state;
	frames_add_range(BASE, BASE + 64 * PAGE_SIZE);
	assert_int_equal(shim_printk_count[3], 0);
	/* Overlaps frames 32..63; frames 64..95 are new. */
	frames_add_range(BASE + 32 * PAGE_SIZE, BASE + 96 * PAGE_SIZE);
	assert_int_equal(shim_printk_count[3], 1);
	/* Exactly the same range again: all refused. */
	frames_add_range(BASE, BASE + 64 * PAGE_SIZE);
	assert_int_equal(shim_printk_count[3], 2);
	st = stats();
	assert_int_equal(st.total_frames, 96);
	assert_int_equal(st.free_frames, 96);
	check_stats_consistent();
	/* Overlap with allocated frames is refused as well. */
	pa = frame_alloc(5);
	assert_int_not_equal(pa, INVALID_PADDR);
	frames_add_range(pa, pa + 32 * PAGE_SIZE);
	assert_int_equal(shim_printk_count[3], 3);
	assert_int_equal(stats().total_frames, 96);
	/* No frame handed out twice. */
	while (frame_alloc(0) != INVALID_PADDR)
		n++;
	assert_int_equal(n, 64);
}

static void test_double_free_panics(void **state)
{
	paddr_t pa, pb;

	(void)state;
	frames_add_range(BASE, BASE + 2 * MAXBLK);
	pa = frame_alloc(0);
	pb = frame_alloc(4);
	frame_free(pa, 0);
	expect_assert_failure(frame_free(pa, 0));
	assert_non_null(strstr(shim_panic_msg, "double free"));
	frame_free(pb, 4);
	expect_assert_failure(frame_free(pb, 4));
	/* The failed frees changed nothing. */
	assert_int_equal(stats().free_frames, 2 << FRAME_MAX_ORDER);
	assert_int_equal(stats().free_blocks[FRAME_MAX_ORDER], 2);
}

static void test_free_inside_free_block_panics(void **state)
{
	paddr_t pa;

	(void)state;
	frames_add_range(BASE, BASE + MAXBLK);
	pa = frame_alloc(3);
	frame_free(pa, 3);
	/* A frame inside a (merged) free block, and a block overlapping one partially. */
	expect_assert_failure(frame_free(pa + 5 * PAGE_SIZE, 0));
	expect_assert_failure(frame_free(pa + 4 * PAGE_SIZE, 2));
	pa = frame_alloc(1);
	expect_assert_failure(frame_free(pa, 2)); /* half allocated, half free */
	frame_free(pa, 1);
	assert_int_equal(stats().free_blocks[FRAME_MAX_ORDER], 1);
}

static void test_misaligned_free_panics(void **state)
{
	paddr_t pa;

	(void)state;
	frames_add_range(BASE, BASE + MAXBLK);
	pa = frame_alloc(2);
	expect_assert_failure(frame_free(pa + PAGE_SIZE, 2));
	assert_non_null(strstr(shim_panic_msg, "misaligned"));
	expect_assert_failure(frame_free(pa + 1, 0));
	expect_assert_failure(frame_free(pa + 2 * PAGE_SIZE, 2));
	frame_free(pa, 2);
	assert_int_equal(stats().free_frames, 1 << FRAME_MAX_ORDER);
}

static void test_free_outside_panics(void **state)
{
	(void)state;
	frames_add_range(BASE + MAXBLK, BASE + 2 * MAXBLK);
	expect_assert_failure(frame_free(BASE + shim_arena_size, 0)); /* at max */
	expect_assert_failure(frame_free(BASE + 100 * MAXBLK, 0));    /* beyond max */
	expect_assert_failure(frame_free(~0ULL & PAGE_MASK, 0));
	expect_assert_failure(frame_free(BASE, 0)); /* below: never added */
	assert_non_null(strstr(shim_panic_msg, "never added"));
	expect_assert_failure(frame_free(BASE + MAXBLK, FRAME_MAX_ORDER + 1));
	expect_assert_failure(frame_free(BASE + MAXBLK, ~0u));
	assert_int_equal(stats().free_frames, 1 << FRAME_MAX_ORDER);
}

static void test_zeroed_page(void **state)
{
	u8 *p;
	size_t i;
	int n = 0;

	(void)state;
	memset(shim_arena(), 0xaa, 16 * PAGE_SIZE);
	frames_add_range(BASE, BASE + 16 * PAGE_SIZE);
	while ((p = frame_alloc_zeroed_page()) != NULL) {
		for (i = 0; i < PAGE_SIZE; i++)
			assert_int_equal(p[i], 0);
		assert_true(((uintptr_t)p & (PAGE_SIZE - 1)) == 0);
		n++;
	}
	assert_int_equal(n, 16);
	assert_int_equal(stats().free_frames, 0);
}

static void test_smallest_block_used_first(void **state)
{
	(void)state;
	frames_add_range(BASE, BASE + MAXBLK);
	frames_add_range(BASE + MAXBLK + 7 * PAGE_SIZE, BASE + MAXBLK + 8 * PAGE_SIZE);
	/* The lone order-0 frame is used before the 4 MiB block is split. */
	assert_int_equal(frame_alloc(0), BASE + MAXBLK + 7 * PAGE_SIZE);
	assert_int_equal(stats().free_blocks[FRAME_MAX_ORDER], 1);
	/* Splitting an order-10 block for order 0 leaves one free block of each order below. */
	assert_int_equal(frame_alloc(0), BASE);
	for (int k = 0; k < FRAME_MAX_ORDER; k++)
		assert_int_equal(stats().free_blocks[k], 1);
	assert_int_equal(stats().free_blocks[FRAME_MAX_ORDER], 0);
}

static void test_corrupted_free_block_detected(void **state)
{
	paddr_t pa;

	(void)state;
	frames_add_range(BASE, BASE + 2 * PAGE_SIZE);
	pa = frame_alloc(0);
	frame_free(pa, 0);
	/* A use-after-free write scribbles over the free block's links. */
	memset(shim_arena() + (pa - BASE), 0x5a, 64);
	expect_assert_failure(frame_alloc(1));
	assert_non_null(strstr(shim_panic_msg, "corrupted"));
}

/* xorshift64*: deterministic across hosts. */
static u64 rng_state;
static u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

struct live_block {
	paddr_t pa;
	unsigned int order;
	u64 tag;
};

static void test_random_stress(void **state)
{
	enum { OPS = 20000, MAXLIVE = 4096 };
	const u64 first = 3, last = NFRAMES - 77; /* odd-shaped range, in frames */
	struct live_block *live = calloc(MAXLIVE, sizeof(*live));
	u32 *owner = calloc(NFRAMES, sizeof(*owner));
	struct frame_stats before, now;
	u64 live_frames = 0, fails = 0;
	unsigned int nlive = 0, op, k;

	(void)state;
	assert_non_null(live);
	assert_non_null(owner);
	rng_state = 0x6b65656c2d6d6d31ULL;
	frames_add_range(BASE + first * PAGE_SIZE + 99, BASE + last * PAGE_SIZE);
	before = stats();
	assert_int_equal(before.total_frames, last - first - 1);

	for (op = 1; op <= OPS; op++) {
		u64 r = rng();

		if (nlive < MAXLIVE && (nlive == 0 || (r & 0xff) < 140)) {
			/* Mostly small orders, sometimes large ones. */
			unsigned int order =
			    (r >> 8) % 4 == 0 ? (r >> 16) % (FRAME_MAX_ORDER + 1) : (r >> 16) % 3;
			paddr_t pa = frame_alloc(order);
			u64 f, i, n = 1ULL << order;
			u64 *words;

			if (pa == INVALID_PADDR) {
				/* Only legitimate if no free block is big enough. */
				now = stats();
				for (k = order; k <= FRAME_MAX_ORDER; k++)
					assert_int_equal(now.free_blocks[k], 0);
				fails++;
				continue;
			}
			assert_true(IS_ALIGNED(pa, PAGE_SIZE << order));
			f = (pa - BASE) >> PAGE_SHIFT;
			assert_true(f > first && f + n <= last);
			for (i = 0; i < n; i++) {
				assert_int_equal(owner[f + i],
						 0); /* no overlap with a live block */
				owner[f + i] = op;
			}
			words = (u64 *)(shim_arena() + (pa - BASE));
			words[0] = r;
			words[(n * PAGE_SIZE) / 8 - 1] = ~r;
			live[nlive++] = (struct live_block){pa, order, r};
			live_frames += n;
		} else {
			unsigned int idx = (r >> 8) % nlive;
			struct live_block b = live[idx];
			u64 f = (b.pa - BASE) >> PAGE_SHIFT, i, n = 1ULL << b.order;
			u64 *words = (u64 *)(shim_arena() + (b.pa - BASE));

			/* The allocator never wrote into a live block. */
			assert_int_equal(words[0], b.tag);
			assert_int_equal(words[(n * PAGE_SIZE) / 8 - 1], ~b.tag);
			for (i = 0; i < n; i++)
				owner[f + i] = 0;
			frame_free(b.pa, b.order);
			live[idx] = live[--nlive];
			live_frames -= n;
		}
		if (op % 256 == 0) {
			check_stats_consistent();
			now = stats();
			assert_int_equal(now.free_frames + live_frames, now.total_frames);
		}
	}
	assert_true(fails < OPS / 2);
	while (nlive) {
		nlive--;
		frame_free(live[nlive].pa, live[nlive].order);
	}
	now = stats();
	assert_stats_equal(&before, &now);
	free(live);
	free(owner);
}

/* Runs of whole largest blocks: contiguous, only over free blocks, all given back. */
static void test_contiguous_runs(void **state)
{
	const u64 blk = 1ULL << FRAME_MAX_ORDER, nblk = NFRAMES / blk;
	struct frame_stats before, now;
	paddr_t a, b, hole;

	(void)state;
	frames_add_range(BASE, BASE + shim_arena_size);
	before = stats();
	assert_int_equal(frame_alloc_run(0), INVALID_PADDR);
	assert_int_equal(frame_alloc_run(NFRAMES + 1), INVALID_PADDR);
	/* 1.5 blocks round up to 2; the whole arena fits once. */
	a = frame_alloc_run(blk + blk / 2);
	assert_int_not_equal(a, INVALID_PADDR);
	assert_true(IS_ALIGNED(a, MAXBLK) && a >= BASE && a + 2 * MAXBLK <= BASE + shim_arena_size);
	assert_int_equal(stats().free_frames, NFRAMES - 2 * blk);
	check_stats_consistent();
	memset(shim_arena() + (a - BASE), 0x5a, 2 * MAXBLK); /* every byte is usable */
	frame_free_run(a, blk + blk / 2);
	now = stats();
	assert_stats_equal(&before, &now);
	a = frame_alloc_run(NFRAMES);
	assert_int_equal(a, BASE);
	assert_int_equal(frame_alloc(0), INVALID_PADDR);
	frame_free_run(a, NFRAMES);
	now = stats();
	assert_stats_equal(&before, &now);

	/* One frame taken in the middle splits the arena: no run spans it. */
	hole = frame_alloc(0);
	assert_int_not_equal(hole, INVALID_PADDR);
	assert_int_equal(frame_alloc_run(NFRAMES), INVALID_PADDR);
	b = frame_alloc_run((nblk - 1) * blk);
	assert_int_not_equal(b, INVALID_PADDR);
	assert_false(hole >= b && hole < b + (nblk - 1) * MAXBLK);
	assert_int_equal(frame_alloc_run(blk), INVALID_PADDR);
	frame_free_run(b, (nblk - 1) * blk);
	frame_free(hole, 0);
	now = stats();
	assert_stats_equal(&before, &now);
	check_stats_consistent();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_meta_bytes),
	    T(test_init_empty),
	    T(test_alloc_free_every_order),
	    T(test_bad_order_returns_invalid),
	    T(test_exhaustion_and_full_merge),
	    T(test_unaligned_range_trimmed),
	    T(test_tiny_and_inverted_ranges_ignored),
	    T(test_disjoint_ranges),
	    T(test_adjacent_ranges_merge),
	    T(test_range_clipped_at_max),
	    T(test_overlapping_add_refused),
	    T(test_double_free_panics),
	    T(test_free_inside_free_block_panics),
	    T(test_misaligned_free_panics),
	    T(test_free_outside_panics),
	    T(test_zeroed_page),
	    T(test_smallest_block_used_first),
	    T(test_corrupted_free_block_detected),
	    T(test_random_stress),
	    T(test_contiguous_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
