/* EPT under stress: random sequences against a reference model, allocation failures, teardown. */
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
extern u64 shim_ept_free_baseline;
u64 shim_ept_frames_free(void);
void shim_ept_frames_reset(void);
void shim_ept_frames_release(void);
void ept_check_invariants(const struct ept *e);
void shim_ept_flush_all(struct ept *e);
void model_reset(u64 base, u64 size);
void model_release(void);
void model_apply(char kind, u64 gpa, u64 size, paddr_t hpa, unsigned int perms, unsigned int mt);
bool model_mapped(u64 gpa, u64 size);
u64 model_entry(u64 gpa);
u64 model_check(const struct ept *e, bool partial);

#define WB  EPT_MT_WB
#define RW  (EPT_R | EPT_W)
#define RX  (EPT_R | EPT_X)
#define RWX EPT_RWX
#define L1G EPT_LEVEL_1G

static struct ept ept;

static int map(u64 gpa, paddr_t hpa, u64 size, unsigned int perms, unsigned int mt,
	       unsigned int max_level)
{
	int ret = ept_map(&ept, gpa, hpa, size, perms, mt, max_level);

	ept_check_invariants(&ept);
	return ret;
}

static void assert_unmapped(u64 gpa)
{
	assert_int_equal(ept_lookup(&ept, gpa, NULL, NULL, NULL), -ENOENT);
}

static int setup(void **state)
{
	(void)state;
	shim_ept_frames_reset();
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
	model_release();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	shim_ept_frames_release();
	return 0;
}

static void test_destroy_frees_every_table(void **state)
{
	u64 g = 0x7000;

	(void)state;
	for (int i = 0; i < 64; i++, g = (g * 6364136223846793005ULL + 1442695040888963407ULL))
		assert_int_equal(map(g & 0xfffffffff000ULL, GiB(4), 0x1000, RW, WB, L1G), 0);
	assert_int_equal(map(GiB(1), GiB(4), GiB(1), RW, WB, L1G), 0);
	assert_int_equal(ept_unmap(&ept, GiB(1) + 0x5000, 0x1000), 0);
	assert_int_equal(map(MiB(2) + 0x1000, GiB(4), 0x1000, RW, WB, L1G), 0);
	assert_int_equal(map(MiB(2), GiB(4), MiB(2), RW, WB, L1G), 0); /* retires a PT */
	assert_true(ept.table_pages > 64);
	assert_true(ept.retired_pages > 0); /* destroy before any flush */
	ept_destroy(&ept);
	assert_int_equal(ept.pml4, INVALID_PADDR);
	assert_int_equal(shim_ept_frames_free(), shim_ept_free_baseline);
	ept_destroy(&ept);
	assert_int_equal(ept_init(&ept), 0);
	assert_int_equal(map(0, 0, MiB(8), RW, WB, EPT_LEVEL_4K), 0);
}

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random map/unmap/protect over 64 MiB straddling 1 GiB, checked against the model each step. */
static void test_random_against_model(void **state)
{
	const u64 base = GiB(1) - MiB(32), pages = MiB(64) >> 12;
	static const unsigned int perm_set[] = {EPT_R, RW, RX, RWX};
	static const unsigned int mt_set[] = {WB, EPT_MT_UC, WB | EPT_IPAT, EPT_MT_WT};
	u64 large_seen = 0, protects_ok = 0, protects_refused = 0;

	(void)state;
	model_reset(base, pages << 12);
	for (int op = 0; op < 3000; op++) {
		bool big = rnd() & 1;
		u64 first = big ? (rnd() % (pages / 512)) * 512 : rnd() % pages;
		u64 n = big ? (1 + rnd() % 4) * 512 : 1 + (rnd() % 4 ? rnd() % 16 : rnd() % 2048);
		u64 gpa = base + (first << 12), size = MIN(n, pages - first) << 12;
		paddr_t hpa = GiB(4) + (rnd() % 2048) * (big && rnd() % 4 ? MiB(2) : PAGE_SIZE);
		unsigned int perms = perm_set[rnd() % 4], mt = mt_set[rnd() % 4];
		u64 probe = base + (rnd() % (pages << 12));
		paddr_t h;
		unsigned int p;
		int kind = rnd() % 10;

		if (kind < 5) {
			assert_int_equal(ept_map(&ept, gpa, hpa, size, perms, mt, 1 + rnd() % 3),
					 0);
			model_apply('m', gpa, size, hpa, perms, mt);
		} else if (kind < 8) {
			assert_int_equal(ept_unmap(&ept, gpa, size), 0);
			model_apply('u', gpa, size, 0, 0, 0);
		} else if (model_mapped(gpa, size)) {
			assert_int_equal(ept_protect(&ept, gpa, size, perms), 0);
			model_apply('p', gpa, size, 0, perms, 0);
			protects_ok++;
		} else {
			assert_int_equal(ept_protect(&ept, gpa, size, perms), -ENOENT);
			protects_refused++;
		}
		if (rnd() & 1)
			shim_ept_flush_all(&ept);
		ept_check_invariants(&ept);
		large_seen += model_check(&ept, false);
		if (model_entry(probe)) {
			assert_int_equal(ept_lookup(&ept, probe, &h, &p, NULL), 0);
			assert_int_equal(h,
					 (model_entry(probe) & EPTE_ADDR_MASK) | (probe & 0xfff));
			assert_int_equal(p, model_entry(probe) & 7);
		} else {
			assert_unmapped(probe);
		}
	}
	assert_true(large_seen > 0);
	assert_true(protects_ok > 0 && protects_refused > 0);
}

struct fail_op {
	char kind;
	u64 gpa, size;
	paddr_t hpa;
	unsigned int perms, mt, level;
};

static int fail_op_run(const struct fail_op *o)
{
	if (o->kind == 'm')
		return ept_map(&ept, o->gpa, o->hpa, o->size, o->perms, o->mt, o->level);
	if (o->kind == 'u')
		return ept_unmap(&ept, o->gpa, o->size);
	return ept_protect(&ept, o->gpa, o->size, o->perms);
}

/*
 * Let the N-th table allocation fail, for every N the sequence below needs (9): each failure
 * leaves consistent tables (old or new per page, changed pages first), a retry completes the
 * operation, and destroy returns every frame.
 */
static void test_alloc_failure_injection(void **state)
{
	const u64 base = GiB(511), top = GiB(512);
	static const struct fail_op ops[] = {
	    {'m', GiB(511) + MiB(2) - 0x1000, MiB(6) + 0x2000, GiB(542) + MiB(2) - 0x1000, RW, WB,
	     3},
	    {'u', GiB(511) + MiB(512), 0x1000, 0, 0, 0, 0},
	    {'m', GiB(512) - MiB(2) - 0x2000, MiB(4) + 0x4000, GiB(576) - MiB(2) - 0x2000, RX,
	     EPT_MT_WT | EPT_IPAT, 2},
	    {'p', GiB(511) + MiB(3), MiB(6), 0, EPT_R, 0, 0},
	};
	unsigned int failures = 0;

	(void)state;
	for (long n = 0;; n++) {
		bool failed = false;

		ept_destroy(&ept);
		assert_int_equal(shim_ept_frames_free(), shim_ept_free_baseline);
		assert_int_equal(ept_init(&ept), 0);
		model_reset(base, top + GiB(1) - base);
		assert_int_equal(map(base, GiB(8), GiB(1), RWX, WB, L1G), 0);
		model_apply('m', base, GiB(1), GiB(8), RWX, WB);
		shim_ept_allocs_left = n;
		for (size_t i = 0; i < ARRAY_SIZE(ops) && !failed; i++) {
			const struct fail_op *o = &ops[i];
			int ret = fail_op_run(o);

			model_apply(o->kind, o->gpa, o->size, o->hpa, o->perms, o->mt);
			ept_check_invariants(&ept);
			if (ret == -ENOMEM) {
				assert_true(ept.alloc_failures > 0); /* for the owner to report */
				model_check(&ept, true);
				failed = true;
				shim_ept_allocs_left = -1;
				assert_int_equal(fail_op_run(o), 0);
				ept_check_invariants(&ept);
			} else {
				assert_int_equal(ret, 0);
			}
			model_check(&ept, false);
		}
		shim_ept_allocs_left = -1;
		if (!failed) {
			assert_int_equal(n, 9);
			break;
		}
		failures++;
	}
	assert_int_equal(failures, 9);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_destroy_frees_every_table),
	    T(test_random_against_model),
	    T(test_alloc_failure_injection),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
