/* Host-test support for EPT: frame_alloc failure injection, RAM reset, raw-table checks. */
#include <asm/ept.h>
#include <keel/mm.h>
#include <keel/spinlock.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* From shim_mm.c. */
extern const paddr_t shim_arena_base;
extern const u64 shim_arena_size;
u8 *shim_arena(void);
void shim_mm_reset_logs(void);

/*
 * The suite links with -Wl,--wrap=frame_alloc: every frame_alloc() call from ept.c lands here.
 * shim_ept_allocs_left < 0 never fails; otherwise that many more calls succeed, then all fail.
 */
long shim_ept_allocs_left = -1;
unsigned long shim_ept_alloc_calls;

paddr_t __real_frame_alloc(unsigned int order);
paddr_t __wrap_frame_alloc(unsigned int order);

paddr_t __wrap_frame_alloc(unsigned int order)
{
	shim_ept_alloc_calls++;
	if (shim_ept_allocs_left == 0)
		return INVALID_PADDR;
	if (shim_ept_allocs_left > 0)
		shim_ept_allocs_left--;
	return __real_frame_alloc(order);
}

/* And with -Wl,--wrap=frame_free: every frame_free() from ept.c is shown to this hook first. */
void (*shim_ept_free_hook)(paddr_t pa, unsigned int order);

void __real_frame_free(paddr_t pa, unsigned int order);
void __wrap_frame_free(paddr_t pa, unsigned int order);

void __wrap_frame_free(paddr_t pa, unsigned int order)
{
	if (shim_ept_free_hook)
		shim_ept_free_hook(pa, order);
	__real_frame_free(pa, order);
}

static u8 *frame_meta;
u64 shim_ept_free_baseline;

u64 shim_ept_frames_free(void)
{
	struct frame_stats st;

	frames_get_stats(&st);
	return st.free_frames;
}

/* Fresh "RAM" (dirty, as a real machine's) handed to the real frame allocator. */
void shim_ept_frames_reset(void)
{
	if (!frame_meta)
		frame_meta = malloc(frames_meta_bytes(shim_arena_base + shim_arena_size));
	assert_non_null(frame_meta);
	memset(shim_arena(), 0xa5, shim_arena_size);
	frames_init(shim_arena_base + shim_arena_size, frame_meta);
	frames_add_range(shim_arena_base, shim_arena_base + shim_arena_size);
	shim_mm_reset_logs();
	shim_ept_allocs_left = -1;
	shim_ept_alloc_calls = 0;
	shim_ept_free_hook = NULL;
	shim_ept_free_baseline = shim_ept_frames_free();
}

void shim_ept_frames_release(void)
{
	free(frame_meta);
	frame_meta = NULL;
}

static u64 walk_tables, walk_pages;

/* An independent walk over the raw tables, checking the format ept.c promises. */
static void check_table(paddr_t pa, unsigned int level, bool root)
{
	const u64 *t = paddr_to_virt(pa);
	unsigned int present = 0;
	u64 size = 1ULL << (12 + 9 * (level - 1));

	walk_tables++;
	for (unsigned int i = 0; i < 512; i++) {
		u64 ent = t[i];
		unsigned int mt = ept_entry_mtype(ent);

		if (!(ent & EPTE_PERM_MASK)) {
			assert_int_equal(ent, 0);
			continue;
		}
		present++;
		if (level == 1 || (level <= 3 && (ent & EPTE_LARGE))) {
			assert_true(level <= 3);
			assert_true(((ent & EPTE_ADDR_MASK) & (size - 1)) == 0);
			assert_true(ent & EPTE_R);
			assert_true(mt == 0 || mt == 1 || mt == 4 || mt == 5 || mt == 6);
			assert_int_equal(ent & ~(EPTE_ADDR_MASK | 0xffULL), 0);
			assert_int_equal(!!(ent & EPTE_LARGE),
					 level > 1); /* ignored in a PTE: clear */
			walk_pages += size >> 12;
		} else {
			assert_int_equal(ent & ~EPTE_ADDR_MASK, EPTE_TABLE_ACCESS);
			check_table(ent & EPTE_ADDR_MASK, level - 1, false);
		}
	}
	if (!root)
		assert_true(present > 0); /* empty tables are given back */
}

/* Tree format, counters against the tree, frames held against the allocator, lock released. */
void ept_check_invariants(const struct ept *e)
{
	walk_tables = 0;
	walk_pages = 0;
	assert_false(spin_is_locked(&e->lock));
	check_table(e->pml4, 4, true);
	assert_int_equal(walk_tables, e->table_pages);
	assert_int_equal(walk_pages, e->mapped_pages_4k);
	assert_int_equal(shim_ept_frames_free() + e->table_pages + e->retired_pages,
			 shim_ept_free_baseline);
}

/* Every CPU has flushed everything: free all the retired tables. */
void shim_ept_flush_all(struct ept *e)
{
	ept_flush_done(e, ept_flush_begin(e));
}

static void count_leaf(u64 gpa, paddr_t hpa, u64 size, u64 entry, void *ctx)
{
	u64 *c = ctx;

	(void)gpa, (void)hpa, (void)entry;
	c[0] += size == c[1];
}

/* How many leaves of @size (4 KiB, 2 MiB or 1 GiB) @e holds. */
u64 shim_ept_count_leaves(const struct ept *e, u64 size)
{
	u64 c[2] = {0, size};

	ept_for_each_leaf(e, count_leaf, c);
	return c[0];
}

/*
 * Reference model of a window of guest-physical space: per 4 KiB page, the 4 KiB leaf entry
 * expected there (0 when unmapped). model_prev keeps the state before the last model_apply(),
 * so a check can accept a partly applied operation.
 */
static u64 model_base, model_pages, *model_cur, *model_prev, *model_act;
static u64 model_op_first, model_op_pages;
static u64 model_act_large;

void model_release(void)
{
	free(model_cur);
	free(model_prev);
	free(model_act);
	model_cur = model_prev = model_act = NULL;
	model_pages = 0;
}

void model_reset(u64 base, u64 size)
{
	model_release();
	model_base = base;
	model_pages = size >> 12;
	model_cur = calloc(model_pages, sizeof(u64));
	model_prev = calloc(model_pages, sizeof(u64));
	model_act = calloc(model_pages, sizeof(u64));
	assert_true(model_cur && model_prev && model_act);
	model_op_pages = 0;
}

static u64 model_index(u64 gpa, u64 size)
{
	assert_true(gpa >= model_base && size <= (model_pages << 12) &&
		    gpa - model_base <= (model_pages << 12) - size);
	return (gpa - model_base) >> 12;
}

/* @kind: 'm' map, 'u' unmap, 'p' protect (perms only). */
void model_apply(char kind, u64 gpa, u64 size, paddr_t hpa, unsigned int perms, unsigned int mt)
{
	u64 first = model_index(gpa, size), n = size >> 12;
	u64 bits = perms | ((u64)(mt & 7) << EPTE_MT_SHIFT) | (mt & EPT_IPAT ? EPTE_IPAT : 0);

	memcpy(model_prev, model_cur, model_pages * sizeof(u64));
	model_op_first = first;
	model_op_pages = n;
	for (u64 i = 0; i < n; i++) {
		u64 *p = &model_cur[first + i];

		if (kind == 'm')
			*p = (hpa + (i << 12)) | bits;
		else if (kind == 'u')
			*p = 0;
		else if (*p)
			*p = (*p & ~EPTE_PERM_MASK) | perms;
	}
}

bool model_mapped(u64 gpa, u64 size)
{
	u64 first = model_index(gpa, size);

	for (u64 i = 0; i < size >> 12; i++)
		if (!model_cur[first + i])
			return false;
	return true;
}

/* The 4 KiB entry the model expects for @gpa's page. */
u64 model_entry(u64 gpa)
{
	return model_cur[model_index(gpa & ~0xfffULL, 0x1000)];
}

static void model_leaf(u64 gpa, paddr_t hpa, u64 size, u64 entry, void *ctx)
{
	u64 first = model_index(gpa, size);

	(void)ctx;
	model_act_large += size > 0x1000;
	for (u64 i = 0; i < size >> 12; i++)
		model_act[first + i] = (hpa + (i << 12)) | (entry & 0xfff & ~EPTE_LARGE);
}

/*
 * Every leaf of @e lies in the window and agrees with the model page by page. With @partial,
 * pages of the last operation's range may instead hold the state before it, as long as the
 * pages that did change come first. Returns the number of large leaves seen.
 */
u64 model_check(const struct ept *e, bool partial)
{
	u64 mapped = 0;
	bool seen_old = false;

	memset(model_act, 0, model_pages * sizeof(u64));
	model_act_large = 0;
	ept_for_each_leaf(e, model_leaf, NULL);
	for (u64 i = 0; i < model_pages; i++) {
		bool in_op = partial && i >= model_op_first && i - model_op_first < model_op_pages;

		mapped += model_act[i] != 0;
		if (model_act[i] == model_cur[i] &&
		    !(in_op && seen_old && model_cur[i] != model_prev[i]))
			continue;
		if (in_op && model_act[i] == model_prev[i]) {
			seen_old = true;
			continue;
		}
		fail_msg("ept: gpa 0x%llx holds 0x%llx, model 0x%llx (before op 0x%llx)%s",
			 (unsigned long long)(model_base + (i << 12)),
			 (unsigned long long)model_act[i], (unsigned long long)model_cur[i],
			 (unsigned long long)model_prev[i],
			 in_op ? " after a page left unchanged" : "");
	}
	assert_int_equal(mapped, e->mapped_pages_4k);
	return model_act_large;
}
