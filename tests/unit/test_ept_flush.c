/* Unit tests for EPT invalidation: retired-table generations, CPUs caching tables, the limit. */
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
extern const paddr_t shim_arena_base;
extern const u64 shim_arena_size;
extern u64 shim_ept_free_baseline;
extern void (*shim_ept_free_hook)(paddr_t pa, unsigned int order);
u64 shim_ept_frames_free(void);
void shim_ept_frames_reset(void);
void shim_ept_frames_release(void);
void ept_check_invariants(const struct ept *e);
void shim_ept_flush_all(struct ept *e);

#define WB  EPT_MT_WB
#define RWX EPT_RWX
#define L1G EPT_LEVEL_1G

static struct ept ept;

/* Every frame's incarnation: bumped when ept.c frees it, so a cached pointer can tell. */
static u64 *incarnation;

static u64 frame_index(paddr_t pa)
{
	assert_true(pa >= shim_arena_base && pa - shim_arena_base < shim_arena_size);
	return (pa - shim_arena_base) >> 12;
}

static void note_free(paddr_t pa, unsigned int order)
{
	for (u64 i = 0; i < (1ULL << order); i++)
		incarnation[frame_index(pa) + i]++;
}

static int setup(void **state)
{
	(void)state;
	shim_ept_frames_reset();
	incarnation = calloc(shim_arena_size >> 12, sizeof(*incarnation));
	assert_non_null(incarnation);
	shim_ept_free_hook = note_free;
	assert_int_equal(ept_init(&ept), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ept_destroy(&ept);
	assert_int_equal(shim_ept_frames_free(), shim_ept_free_baseline);
	free(incarnation);
	incarnation = NULL;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	shim_ept_frames_release();
	return 0;
}

static int map(u64 gpa, paddr_t hpa, u64 size)
{
	return ept_map(&ept, gpa, hpa, size, RWX, WB, L1G);
}

/* The table holding the level-1 entry of @gpa (its PT), or INVALID_PADDR. */
static paddr_t pt_of(u64 gpa)
{
	paddr_t t = ept.pml4;

	for (unsigned int l = 4; l > 1; l--) {
		u64 ent = ((const u64 *)paddr_to_virt(t))[(gpa >> (12 + 9 * (l - 1))) & 511];

		if (!(ent & EPTE_PERM_MASK) || (ent & EPTE_LARGE))
			return INVALID_PADDR;
		t = ent & EPTE_ADDR_MASK;
	}
	return t;
}

static bool is_retired(paddr_t pa)
{
	paddr_t r = ept.retired;

	for (u64 n = 0; n < ept.retired_pages; n++) {
		if (r == pa)
			return true;
		r = ((const u64 *)paddr_to_virt(r))[0];
	}
	return false;
}

/*
 * The race the old single flush_pending flag lost: changer A changes and starts flushing, B
 * retires a table meanwhile (a CPU may have cached it after A's INVEPT), A finishes. B's table
 * must survive A's completion and go only once B's own generation is reached.
 */
static void test_second_change_not_freed_by_first_flush(void **state)
{
	paddr_t pt_a, pt_b;
	u64 gen_a, gen_b, behind;

	(void)state;
	assert_int_equal(map(0, GiB(4), PAGE_SIZE), 0); /* keeps the PD and PDPT in the tree */
	assert_int_equal(map(MiB(2), GiB(4), PAGE_SIZE), 0);
	assert_int_equal(map(MiB(4), GiB(4), PAGE_SIZE), 0);
	pt_a = pt_of(MiB(2));
	pt_b = pt_of(MiB(4));
	assert_true(pt_a != INVALID_PADDR && pt_b != INVALID_PADDR && pt_a != pt_b);
	/* CPU 1 runs the guest and is current. */
	assert_int_equal(ept_cpu_enter(&ept, 1), 0);

	assert_int_equal(ept_unmap(&ept, MiB(2), PAGE_SIZE), 0); /* A: retires pt_a */
	gen_a = ept_flush_begin(&ept);
	assert_int_equal(ept_flush_reached(&ept, gen_a, 4, &behind), gen_a - 1);
	assert_int_equal(behind, 1ULL << 1);		 /* CPU 1 must be kicked */
	ept_cpu_exit(&ept, 1);				 /* it leaves guest mode ... */
	assert_int_equal(ept_cpu_enter(&ept, 1), gen_a); /* ... and flushes on the way back */
	ept_cpu_flushed(&ept, 1, gen_a);

	assert_int_equal(ept_unmap(&ept, MiB(4), PAGE_SIZE), 0); /* B: retires pt_b */
	assert_true(ept.flush_pending);
	/* A completes: its generation is reached, B's is not even published. */
	assert_int_equal(ept_flush_reached(&ept, gen_a, 4, &behind), gen_a);
	ept_flush_done(&ept, gen_a);
	assert_false(is_retired(pt_a));
	assert_true(is_retired(pt_b));
	assert_int_equal(ept.retired_pages, 1);

	gen_b = ept_flush_begin(&ept);
	assert_int_equal(gen_b, gen_a + 1);
	assert_int_equal(ept_flush_reached(&ept, gen_b, 4, &behind), gen_a);
	ept_flush_done(&ept, gen_a);
	assert_true(is_retired(pt_b)); /* CPU 1 may still walk through it */
	ept_cpu_exit(&ept, 1);
	assert_int_equal(ept_flush_reached(&ept, gen_b, 4, &behind), gen_b);
	assert_int_equal(behind, 0);
	ept_flush_done(&ept, gen_b);
	assert_int_equal(ept.retired_pages, 0);
	ept_check_invariants(&ept);
}

/* A CPU stuck in guest mode keeps every later generation's tables retired, and no more. */
static void test_slow_cpu_holds_back_only_what_it_may_cache(void **state)
{
	u64 gen, behind, first;

	(void)state;
	assert_int_equal(map(0, GiB(4), PAGE_SIZE), 0); /* keeps the PD and PDPT in the tree */
	assert_int_equal(ept_cpu_enter(&ept, 0), 0);	/* CPU 0 enters and never leaves */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(map(MiB(2) * (u64)(i + 1), GiB(4), PAGE_SIZE), 0);
		assert_int_equal(ept_unmap(&ept, MiB(2) * (u64)(i + 1), PAGE_SIZE), 0);
		gen = ept_flush_begin(&ept);
		if (i == 0)
			first = gen;
		/* The wait gave up: what was reached is freed, which is nothing. */
		assert_int_equal(ept_flush_reached(&ept, gen, 2, &behind), 0);
		assert_int_equal(behind, 1);
		ept_flush_done(&ept, 0);
		ept_check_invariants(&ept);
	}
	assert_int_equal(ept.retired_pages, 4);
	/* It flushes up to the first generation only: that one's table goes. */
	ept_cpu_flushed(&ept, 0, first);
	assert_int_equal(ept_flush_reached(&ept, gen, 2, &behind), first);
	ept_flush_done(&ept, first);
	assert_int_equal(ept.retired_pages, 3);
	/* Once it is out of the guest, everything does. */
	ept_cpu_exit(&ept, 0);
	assert_int_equal(ept_flush_reached(&ept, gen, 2, &behind), gen);
	ept_flush_done(&ept, gen);
	assert_int_equal(ept.retired_pages, 0);
	/* Nothing changed since: no new generation, CPU 0 is current after flushing for it. */
	assert_int_equal(ept_flush_begin(&ept), gen);
	assert_int_equal(ept_cpu_enter(&ept, 0), gen);
	ept_cpu_flushed(&ept, 0, gen);
	ept_cpu_exit(&ept, 0);
	assert_int_equal(ept_cpu_enter(&ept, 0), 0);
	ept_cpu_exit(&ept, 0);
}

/* The limit counts live and retired tables; -ENOMEM leaves the map as it was. */
static void test_table_limit(void **state)
{
	u64 tables;

	(void)state;
	assert_int_equal(map(0, GiB(4), PAGE_SIZE), 0); /* root, PDPT, PD, PT */
	tables = ept.table_pages;
	assert_int_equal(tables, 4);
	ept.table_limit = 5;
	assert_int_equal(map(MiB(2), GiB(4), PAGE_SIZE), 0); /* a 5th: at the limit */
	assert_int_equal(map(MiB(4), GiB(4), PAGE_SIZE), -ENOMEM);
	assert_int_equal(ept_lookup(&ept, MiB(4), NULL, NULL, NULL), -ENOENT);
	assert_int_equal(ept.alloc_failures, 0); /* the limit, not Keel out of memory */
	/* A retired table still counts until its flush. */
	assert_int_equal(ept_unmap(&ept, MiB(2), PAGE_SIZE), 0);
	assert_int_equal(ept.retired_pages, 1);
	assert_int_equal(map(MiB(4), GiB(4), PAGE_SIZE), -ENOMEM);
	shim_ept_flush_all(&ept);
	assert_int_equal(map(MiB(4), GiB(4), PAGE_SIZE), 0);
	/* Within existing tables nothing is needed. */
	assert_int_equal(map(MiB(4) + PAGE_SIZE, GiB(5), PAGE_SIZE), 0);
	ept_check_invariants(&ept);
}

/* ---- simulation: CPUs caching walks, changers flushing, in random interleavings ---- */

#define NCPU	  3
#define NCHANGERS 2
#define SPAN	  MiB(16)
#define CACHE_MAX 48

struct sim_cpu {
	bool in_guest, kicked;
	unsigned int slow; /* steps left during which it does nothing */
	unsigned int n;
	struct {
		paddr_t pa;
		u64 inc;
	} cache[CACHE_MAX]; /* paging-structure cache: tables it walked through */
};

struct sim_changer {
	bool flushing;
	u64 gen;	    /* new protocol: the generation it waits for */
	unsigned int polls; /* new protocol: polls left before it gives up */
	unsigned int next;  /* old protocol: next CPU to INVEPT */
};

static struct sim_cpu cpus[NCPU];
static struct sim_changer changers[NCHANGERS];
static bool old_protocol;
static u64 stale_uses, uses, timeouts;
static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void cpu_cache(struct sim_cpu *c, paddr_t pa)
{
	for (unsigned int i = 0; i < c->n; i++)
		if (c->cache[i].pa == pa && c->cache[i].inc == incarnation[frame_index(pa)])
			return;
	if (c->n == CACHE_MAX)
		c->cache[rnd() % CACHE_MAX] = c->cache[--c->n]; /* evict one */
	c->cache[c->n].pa = pa;
	c->cache[c->n].inc = incarnation[frame_index(pa)];
	c->n++;
}

/* Walk the live tables for a random address, caching every table on the way. */
static void cpu_walk(struct sim_cpu *c)
{
	u64 gpa = rnd() % SPAN;
	paddr_t t = ept.pml4;

	for (unsigned int l = 4; l >= 1; l--) {
		u64 ent = ((const u64 *)paddr_to_virt(t))[(gpa >> (12 + 9 * (l - 1))) & 511];

		cpu_cache(c, t);
		if (l == 1 || !(ent & EPTE_PERM_MASK) || (ent & EPTE_LARGE))
			return;
		t = ent & EPTE_ADDR_MASK;
	}
}

/* Use a cached table: it must still be the frame it was (not freed since). */
static void cpu_use(struct sim_cpu *c)
{
	unsigned int i;

	if (!c->n)
		return;
	i = rnd() % c->n;
	uses++;
	if (c->cache[i].inc != incarnation[frame_index(c->cache[i].pa)]) {
		stale_uses++;
		if (!old_protocol)
			fail_msg("a CPU used table %#llx after it was freed",
				 (unsigned long long)c->cache[i].pa);
	}
}

static void cpu_step(unsigned int id)
{
	struct sim_cpu *c = &cpus[id];

	if (c->slow) {
		c->slow--;
		return;
	}
	if (!c->in_guest) {
		u64 gen = old_protocol ? 0 : ept_cpu_enter(&ept, id);

		if (gen) {
			c->n = 0; /* INVEPT */
			ept_cpu_flushed(&ept, id, gen);
		}
		c->in_guest = true;
		if (old_protocol)
			__atomic_store_n(&ept.cpu[id].in_guest, 1, __ATOMIC_SEQ_CST);
		if (rnd() % 64 == 0)
			c->slow = 50 + rnd() % 400; /* stuck in guest mode for a while */
		return;
	}
	if (c->kicked || rnd() % 8 == 0) {
		c->kicked = false;
		c->in_guest = false;
		ept_cpu_exit(&ept, id);
		return;
	}
	if (rnd() & 1)
		cpu_walk(c);
	else
		cpu_use(c);
}

static void changer_op(void)
{
	u64 region = (rnd() % (SPAN / MiB(2))) * MiB(2);
	u64 page = region + (rnd() % 512) * PAGE_SIZE;

	switch (rnd() % 4) {
	case 0: /* a large leaf over whatever was there: retires its PT */
		map(region, GiB(4) + region, MiB(2));
		break;
	case 1:
	case 2: /* a page: splits a large leaf or adds a PT */
		map(page, GiB(8) + page, PAGE_SIZE);
		break;
	default: /* a hole, or the whole region: PTs and PDs empty out */
		ept_unmap(&ept, rnd() & 1 ? page : region, rnd() & 1 ? PAGE_SIZE : MiB(2));
		break;
	}
}

static void changer_step(struct sim_changer *ch)
{
	u64 behind, reached;

	if (!ch->flushing) {
		changer_op();
		ch->flushing = true;
		ch->next = 0;
		if (!old_protocol) {
			ch->gen = ept_flush_begin(&ept);
			ch->polls = 20 + rnd() % 40;
		}
		return;
	}
	if (old_protocol) {
		/* The old code: INVEPT on each CPU in turn, then free everything retired. */
		if (!ept.flush_pending) {
			ch->flushing = false;
			return;
		}
		if (ch->next < NCPU) {
			cpus[ch->next++].n = 0;
			return;
		}
		ept_flush_done(&ept, ~0ULL);
		ept.flush_pending = false;
		ch->flushing = false;
		return;
	}
	reached = ept_flush_reached(&ept, ch->gen, NCPU, &behind);
	for (unsigned int c = 0; c < NCPU; c++)
		if (behind & (1ULL << c))
			cpus[c].kicked = true;
	if (reached < ch->gen && ch->polls--)
		return;
	if (reached < ch->gen)
		timeouts++;
	ept_flush_done(&ept, reached);
	ch->flushing = false;
}

static void simulate(u64 seed, unsigned int steps)
{
	rng_state = seed;
	memset(cpus, 0, sizeof(cpus));
	memset(changers, 0, sizeof(changers));
	stale_uses = uses = timeouts = 0;
	for (unsigned int s = 0; s < steps; s++) {
		unsigned int who = rnd() % (NCPU * 3 + NCHANGERS);

		if (who < NCPU * 3)
			cpu_step(who % NCPU);
		else
			changer_step(&changers[who - NCPU * 3]);
		if (s % 512 == 0)
			ept_check_invariants(&ept);
	}
	/* Everyone leaves the guest; one more flush then frees every retired table. */
	for (unsigned int c = 0; c < NCPU; c++)
		ept_cpu_exit(&ept, c);
	if (!old_protocol) {
		u64 behind, gen = ept_flush_begin(&ept);

		assert_int_equal(ept_flush_reached(&ept, gen, NCPU, &behind), gen);
		ept_flush_done(&ept, gen);
		assert_int_equal(ept.retired_pages, 0);
	}
	ept_check_invariants(&ept);
}

/* Two unserialized changers and three CPUs (one sometimes stuck): no table is used once freed. */
static void test_random_interleavings_never_free_cached_tables(void **state)
{
	(void)state;
	old_protocol = false;
	simulate(0x9e3779b97f4a7c15ULL, 60000);
	assert_true(uses > 5000);
	assert_true(timeouts > 0); /* the stuck CPU made some flushes give up */
}

/* The checker above catches the old protocol (one flush_pending flag, free all at the end). */
static void test_old_protocol_is_caught(void **state)
{
	(void)state;
	old_protocol = true;
	simulate(0x9e3779b97f4a7c15ULL, 60000);
	old_protocol = false;
	assert_true(stale_uses > 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_second_change_not_freed_by_first_flush),
	    T(test_slow_cpu_holds_back_only_what_it_may_cache),
	    T(test_table_limit),
	    T(test_random_interleavings_never_free_cached_tables),
	    T(test_old_protocol_is_caught),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
