/* Unit tests for the heap (common/mm/heap.c) on the real frame allocator, and mm_report. */
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
extern char shim_last_msg[512];
extern char shim_panic_msg[512];
u8 *shim_arena(void);
void shim_mm_reset_logs(void);

#define BASE	  shim_arena_base
#define LARGE_MAX ((PAGE_SIZE << FRAME_MAX_ORDER) - 16)

static u8 *meta;
static u64 frames_free_at_start;

static struct heap_stats hstats(void)
{
	struct heap_stats st;

	heap_get_stats(&st);
	return st;
}

static u64 frames_free(void)
{
	struct frame_stats st;

	frames_get_stats(&st);
	return st.free_frames;
}

static void frames_setup(paddr_t start, paddr_t end)
{
	frames_init(BASE + shim_arena_size, meta);
	frames_add_range(start, end);
	frames_free_at_start = frames_free();
}

static int group_setup(void **state)
{
	(void)state;
	meta = malloc(frames_meta_bytes(BASE + shim_arena_size));
	return meta ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(meta);
	meta = NULL;
	return 0;
}

/*
 * The heap has no reset: a test that fails with objects still allocated makes the following
 * setups fail too (loudly), rather than re-initializing frames under the heap's feet.
 */
static int setup(void **state)
{
	(void)state;
	assert_int_equal(hstats().pages_held, 0);
	/* Dirty RAM, as a real machine would have it. */
	memset(shim_arena(), 0xee, shim_arena_size);
	frames_setup(BASE, BASE + shim_arena_size);
	shim_mm_reset_logs();
	assert_int_equal(hstats().pages_held, 0);
	assert_int_equal(hstats().bytes_in_use, 0);
	return 0;
}

/* Every test frees what it allocated; after a shrink the heap holds no frame at all. */
static int teardown(void **state)
{
	(void)state;
	heap_shrink();
	assert_int_equal(hstats().pages_held, 0);
	assert_int_equal(hstats().bytes_in_use, 0);
	assert_int_equal(frames_free(), frames_free_at_start);
	return 0;
}

static void fill(void *p, size_t n, u64 seed)
{
	u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (u8)(seed * 31 + i * 7 + (i >> 8));
}

static void check_fill(const void *p, size_t n, u64 seed)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (u8)(seed * 31 + i * 7 + (i >> 8)))
			fail_msg("object %p (seed %llu) corrupted at byte %zu", p,
				 (unsigned long long)seed, i);
}

static void test_zero_size_and_null(void **state)
{
	struct heap_stats before = hstats();

	(void)state;
	assert_null(kmalloc(0));
	assert_null(kzalloc(0));
	kfree(NULL);
	assert_int_equal(hstats().allocs, before.allocs);
	assert_int_equal(hstats().frees, before.frees);
	assert_int_equal(hstats().pages_held, 0);
}

static const size_t class_probe_sizes[] = {1,	8,   15,  16,	17,   31,   32,	  33,	63,   64,
					   65,	127, 128, 129,	255,  256,  257,  495,	496,  497,
					   511, 512, 513, 1007, 1008, 1009, 1024, 2015, 2016, 2017};

static void test_every_size_class(void **state)
{
	enum { PER = 40 };
	void *p[ARRAY_SIZE(class_probe_sizes)][PER];
	struct heap_stats before = hstats();
	u64 prev = before.bytes_in_use;
	unsigned int i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(class_probe_sizes); i++) {
		for (j = 0; j < PER; j++) {
			p[i][j] = kmalloc(class_probe_sizes[i]);
			assert_non_null(p[i][j]);
			assert_int_equal((uintptr_t)p[i][j] % 16, 0);
			fill(p[i][j], class_probe_sizes[i], i * PER + j);
		}
		/* Accounted rounded up to the class: never below the request, at most ~2x. */
		assert_true(hstats().bytes_in_use - prev >= PER * class_probe_sizes[i]);
		assert_true(hstats().bytes_in_use - prev <= PER * (2 * class_probe_sizes[i] + 64));
		prev = hstats().bytes_in_use;
	}
	assert_int_equal(hstats().allocs - before.allocs, ARRAY_SIZE(class_probe_sizes) * PER);
	for (i = 0; i < ARRAY_SIZE(class_probe_sizes); i++)
		for (j = 0; j < PER; j++) {
			check_fill(p[i][j], class_probe_sizes[i], i * PER + j);
			kfree(p[i][j]);
		}
	assert_int_equal(hstats().bytes_in_use, 0);
	assert_int_equal(hstats().frees - before.frees, ARRAY_SIZE(class_probe_sizes) * PER);
	/* One spare page at most per class is kept. */
	assert_true(hstats().pages_held <= 8);
}

static void test_large_allocs(void **state)
{
	static const struct {
		size_t size;
		u64 pages;
	} c[] = {{2017, 1},
		 {PAGE_SIZE - 16, 1},
		 {PAGE_SIZE - 15, 2},
		 {PAGE_SIZE, 2},
		 {10000, 4},
		 {MiB(1), 512},
		 {LARGE_MAX, 1 << FRAME_MAX_ORDER}};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		u8 *p = kmalloc(c[i].size);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_int_equal(hstats().pages_held, c[i].pages);
		assert_int_equal(frames_free(), frames_free_at_start - c[i].pages);
		fill(p, c[i].size, i);
		check_fill(p, c[i].size, i);
		kfree(p);
		assert_int_equal(hstats().pages_held, 0);
		assert_int_equal(frames_free(), frames_free_at_start);
	}
}

static void test_huge_and_overflowing_sizes(void **state)
{
	(void)state;
	assert_null(kmalloc(LARGE_MAX + 1));
	assert_null(kmalloc(PAGE_SIZE << FRAME_MAX_ORDER));
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kmalloc(SIZE_MAX - 15)); /* size + header would wrap */
	assert_null(kzalloc(SIZE_MAX / 2));
	assert_int_equal(hstats().pages_held, 0);
	assert_int_equal(frames_free(), frames_free_at_start);
}

static void test_kzalloc_zeroes(void **state)
{
	static const size_t sizes[] = {16, 100, 496, 2016, 3000, 50000};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = kmalloc(sizes[i]), *q;
		size_t j;

		assert_non_null(p);
		memset(p, 0xff, sizes[i]);
		kfree(p);
		q = kzalloc(sizes[i]);
		assert_non_null(q); /* RAM was dirtied in setup, and p was filled with 0xff */
		for (j = 0; j < sizes[i]; j++)
			assert_int_equal(q[j], 0);
		kfree(q);
	}
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

static size_t random_size(u64 r)
{
	switch (r % 8) {
	case 0:
		return 1 + (r >> 8) % 16;
	case 1:
	case 2:
		return 1 + (r >> 8) % 128;
	case 3:
	case 4:
		return 1 + (r >> 8) % 600;
	case 5:
		return 1 + (r >> 8) % 2100;
	case 6:
		return 1 + (r >> 8) % 8000;
	default:
		return 1 + (r >> 8) % 40000;
	}
}

struct obj {
	u8 *p;
	size_t size;
	u64 seed;
};

static void test_content_integrity(void **state)
{
	enum { OPS = 12000, MAXLIVE = 1500 };
	struct obj *live = calloc(MAXLIVE, sizeof(*live));
	struct heap_stats before = hstats();
	unsigned int nlive = 0, op, i;

	(void)state;
	assert_non_null(live);
	rng_state = 0x68656170746573ULL;
	for (op = 0; op < OPS; op++) {
		u64 r = rng();

		if (nlive < MAXLIVE && (nlive == 0 || (r & 0xff) < 150)) {
			size_t size = random_size(r >> 8);
			u8 *p = (r >> 62) ? kmalloc(size) : kzalloc(size);

			assert_non_null(p);
			if (!(r >> 62))
				for (i = 0; i < size; i++)
					assert_int_equal(p[i], 0);
			fill(p, size, op);
			live[nlive++] = (struct obj){p, size, op};
		} else {
			unsigned int idx = (r >> 8) % nlive;

			check_fill(live[idx].p, live[idx].size, live[idx].seed);
			kfree(live[idx].p);
			live[idx] = live[--nlive];
		}
	}
	for (i = 0; i < nlive; i++)
		check_fill(live[i].p, live[i].size, live[i].seed);
	while (nlive) {
		nlive--;
		kfree(live[nlive].p);
	}
	assert_int_equal(hstats().bytes_in_use, 0);
	assert_int_equal(hstats().allocs - before.allocs, hstats().frees - before.frees);
	free(live);
}

static int cmp_obj(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void test_objects_never_overlap(void **state)
{
	enum { N = 2500 };
	struct obj *o = calloc(N, sizeof(*o));
	unsigned int i;

	(void)state;
	assert_non_null(o);
	rng_state = 42;
	for (i = 0; i < N; i++) {
		o[i].size = random_size(rng());
		o[i].p = kmalloc(o[i].size);
		assert_non_null(o[i].p);
		/* Inside the arena, i.e. memory the frame allocator handed out. */
		assert_true(o[i].p >= shim_arena() &&
			    o[i].p + o[i].size <= shim_arena() + shim_arena_size);
	}
	qsort(o, N, sizeof(*o), cmp_obj);
	for (i = 1; i < N; i++)
		assert_true(o[i - 1].p + o[i - 1].size <= o[i].p);
	for (i = 0; i < N; i++)
		kfree(o[i].p);
	free(o);
}

static void test_pages_returned(void **state)
{
	enum { N = 1000 };
	void **p = calloc(N, sizeof(*p));
	unsigned int i;

	(void)state;
	assert_non_null(p);
	for (i = 0; i < N; i++)
		p[i] = kmalloc(64);
	/* 63 objects of 64 bytes fit beside the page header. */
	assert_int_equal(hstats().pages_held, (N + 62) / 63);
	assert_int_equal(frames_free(), frames_free_at_start - (N + 62) / 63);
	assert_int_equal(hstats().bytes_in_use, N * 64);
	for (i = 0; i < N; i++)
		kfree(p[(i * 17) % N]); /* 17 is coprime to 1000 */
	/* Only the one spare page stays. */
	assert_int_equal(hstats().pages_held, 1);
	assert_int_equal(frames_free(), frames_free_at_start - 1);
	heap_shrink();
	assert_int_equal(hstats().pages_held, 0);
	assert_int_equal(frames_free(), frames_free_at_start);
	free(p);
}

static void test_spare_page_reused(void **state)
{
	void *a, *b;

	(void)state;
	a = kmalloc(100);
	kfree(a);
	assert_int_equal(hstats().pages_held, 1);
	b = kmalloc(120); /* same class: comes from the spare page */
	assert_ptr_equal(b, a);
	assert_int_equal(hstats().pages_held, 1);
	kfree(b);
}

static void test_full_page_reused(void **state)
{
	enum { PER_PAGE = 63 }; /* 64-byte objects beside the page header */
	void *p[PER_PAGE], *again;
	unsigned int i;

	(void)state;
	for (i = 0; i < PER_PAGE; i++)
		p[i] = kmalloc(64);
	assert_int_equal(hstats().pages_held, 1);
	/* A slot freed in a full page is handed out again before a new page is taken. */
	kfree(p[17]);
	again = kmalloc(50);
	assert_ptr_equal(again, p[17]);
	assert_int_equal(hstats().pages_held, 1);
	p[17] = again;
	for (i = 0; i < PER_PAGE; i++)
		kfree(p[i]);
}

static void test_bad_kfree_foreign_page(void **state)
{
	u8 *page = frame_alloc_zeroed_page();
	u64 frees = hstats().frees;

	(void)state;
	assert_non_null(page);
	expect_assert_failure(kfree(page + 64));
	assert_non_null(strstr(shim_panic_msg, "heap: bad kfree"));
	memset(page, 0x5a, PAGE_SIZE);
	expect_assert_failure(kfree(page + 128));
	frame_free(virt_to_paddr(page), 0);
	assert_int_equal(hstats().frees, frees);
}

static void test_bad_kfree_interior_pointer(void **state)
{
	u8 *s = kmalloc(64), *m = kmalloc(128), *l = kmalloc(5000);
	u8 *mpage = (u8 *)((uintptr_t)m & ~(uintptr_t)(PAGE_SIZE - 1));
	struct heap_stats before = hstats();

	(void)state;
	expect_assert_failure(kfree(s + 1));
	assert_non_null(strstr(shim_panic_msg, "heap: bad kfree"));
	expect_assert_failure(kfree(s + 16));
	expect_assert_failure(kfree(s - 64)); /* the page header */
	expect_assert_failure(kfree(l + 16));
	expect_assert_failure(kfree(l - 16));
	/* 31 objects of 128 bytes fit beside the header: a 32nd slot does not exist. */
	expect_assert_failure(kfree(mpage + 64 + 31 * 128));
	assert_non_null(strstr(shim_panic_msg, "not the start"));
	/* Nothing was changed by the refused frees. */
	assert_int_equal(hstats().frees, before.frees);
	assert_int_equal(hstats().bytes_in_use, before.bytes_in_use);
	kfree(s);
	kfree(m);
	kfree(l);
}

static void test_double_free_detected(void **state)
{
	u8 *a = kmalloc(32), *b = kmalloc(32), *l = kmalloc(9000);

	(void)state;
	kfree(a);
	expect_assert_failure(kfree(a));
	assert_non_null(strstr(shim_panic_msg, "double free"));
	kfree(l);
	expect_assert_failure(kfree(l));
	assert_non_null(strstr(shim_panic_msg, "heap: bad kfree"));
	kfree(b);
	expect_assert_failure(kfree(b)); /* b's page is now the spare: still detected */
	assert_int_equal(hstats().bytes_in_use, 0);
}

static void test_out_of_memory(void **state)
{
	enum { FRAMES = 8 };
	void **p = calloc(FRAMES * 252 + 1, sizeof(*p));
	unsigned int n = 0;

	(void)state;
	assert_non_null(p);
	frames_setup(BASE + MiB(8), BASE + MiB(8) + FRAMES * PAGE_SIZE);
	assert_null(kmalloc(FRAMES * PAGE_SIZE)); /* needs more frames than exist */
	assert_null(kmalloc(MiB(1)));
	while ((p[n] = kmalloc(16)) != NULL)
		n++;
	assert_int_equal(n, FRAMES * 252);
	assert_int_equal(frames_free(), 0);
	assert_null(kmalloc(3000));
	while (n--)
		kfree(p[n]);
	free(p);
}

static void test_mm_report(void **state)
{
	void *l = kmalloc(MiB(1));

	(void)state;
	mm_report();
	assert_string_equal(
	    shim_last_msg,
	    "mm: frames total 64 MiB, free 62 MiB; heap 2048 KiB in use in 512 pages");
	kfree(l);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_zero_size_and_null),
	    T(test_every_size_class),
	    T(test_large_allocs),
	    T(test_huge_and_overflowing_sizes),
	    T(test_kzalloc_zeroes),
	    T(test_content_integrity),
	    T(test_objects_never_overlap),
	    T(test_pages_returned),
	    T(test_spare_page_reused),
	    T(test_full_page_reused),
	    T(test_bad_kfree_foreign_page),
	    T(test_bad_kfree_interior_pointer),
	    T(test_double_free_detected),
	    T(test_out_of_memory),
	    T(test_mm_report),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
