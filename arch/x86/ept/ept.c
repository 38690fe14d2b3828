/* EPT tables: map, unmap, protect, look up and walk one guest's GPA -> HPA translations. */
#include <asm/ept.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>

/*
 * Levels follow the walk: 4 = PML4 (512 GiB per entry), 3 = PDPT (1 GiB), 2 = PD (2 MiB),
 * 1 = PT (4 KiB). A "level-L entry" sits in a level-L table. Invariants kept by every operation:
 * a non-leaf entry is (table | EPTE_TABLE_ACCESS); a non-present entry is 0; no table below the
 * root is empty; table_pages counts the tree and mapped_pages_4k the leaves.
 */
#define EPT_ENTRIES	512
#define EPT_ROOT_LEVEL	4
#define EPT_ENTRY_TABLE EPTE_TABLE_ACCESS

enum ept_op_kind { EPT_OP_MAP, EPT_OP_UNMAP, EPT_OP_PROTECT };

struct ept_op {
	enum ept_op_kind kind;
	u64 hpa_minus_gpa;	/* map: hpa of gpa g is g + this (mod 2^64) */
	u64 bits;		/* map: leaf bits but address and EPTE_LARGE; protect: EPTE_R/W/X */
	unsigned int max_level; /* map: largest leaf */
};

static inline u64 ept_level_size(unsigned int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * (level - 1));
}

static inline unsigned int ept_index(u64 gpa, unsigned int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & (EPT_ENTRIES - 1);
}

static inline bool ept_present(u64 ent)
{
	return ent & EPTE_PERM_MASK;
}

static inline bool ept_is_leaf(u64 ent, unsigned int level)
{
	return level == 1 || (level <= EPT_LEVEL_1G && (ent & EPTE_LARGE));
}

static inline u64 *ept_table(paddr_t pa)
{
	return paddr_to_virt(pa);
}

static inline u64 ept_level_pages(unsigned int level)
{
	return ept_level_size(level) >> PAGE_SHIFT;
}

/* Cast away const for the lock only: lookups and walks serialize with changes too. */
static inline spinlock_t *ept_lock_of(const struct ept *e)
{
	return (spinlock_t *)&e->lock;
}

static paddr_t ept_table_alloc(struct ept *e)
{
	paddr_t pa;

	if (e->table_limit && e->table_pages + e->retired_pages >= e->table_limit)
		return INVALID_PADDR;
	pa = frame_alloc(0);
	if (pa == INVALID_PADDR) {
		e->alloc_failures++;
		return INVALID_PADDR;
	}
	memset(ept_table(pa), 0, PAGE_SIZE);
	e->table_pages++;
	return pa;
}

/*
 * A retired table keeps two words of bookkeeping, both with R/W/X clear so that a walk through
 * a stale cached pointer still finds nothing present: entry 0 links to the next retired table
 * (page aligned), entry 1 holds the generation whose flush frees it, shifted past bit 11.
 */
#define RETIRED_NEXT 0
#define RETIRED_GEN  1

static u64 ept_retired_gen(paddr_t pa)
{
	return ept_table(pa)[RETIRED_GEN] >> PAGE_SHIFT;
}

/*
 * @pa has been detached from the tree. Zero it and put it at the head of the retired list,
 * tagged with the next generation: the list is in non-increasing generation order.
 */
static void ept_table_retire(struct ept *e, paddr_t pa)
{
	u64 *t = ept_table(pa);

	memset(t, 0, PAGE_SIZE);
	t[RETIRED_NEXT] = e->retired_pages ? e->retired : 0;
	t[RETIRED_GEN] = (e->gen + 1) << PAGE_SHIFT;
	e->retired = pa;
	e->retired_pages++;
	BUG_ON(e->table_pages <= 1);
	e->table_pages--;
	e->flush_pending = true;
}

/* Free the retired tables of generations up to @gen (all of them for ~0). */
static void ept_retired_free(struct ept *e, u64 gen)
{
	paddr_t pa = e->retired, last_kept = INVALID_PADDR;
	u64 kept = 0;

	while (kept < e->retired_pages && ept_retired_gen(pa) > gen) {
		last_kept = pa;
		pa = ept_table(pa)[RETIRED_NEXT];
		kept++;
	}
	for (u64 n = e->retired_pages - kept; n; n--) {
		paddr_t next = ept_table(pa)[RETIRED_NEXT];

		frame_free(pa, 0);
		pa = next;
	}
	e->retired_pages = kept;
	if (!kept)
		e->retired = INVALID_PADDR;
	else
		ept_table(last_kept)[RETIRED_NEXT] = 0;
}

/* Retire the level-@level table at @pa and all tables below it; return the pages it mapped. */
static u64 ept_subtree_retire(struct ept *e, paddr_t pa, unsigned int level)
{
	const u64 *t = ept_table(pa);
	u64 pages = 0;

	for (unsigned int i = 0; i < EPT_ENTRIES; i++) {
		u64 ent = t[i];

		if (!ept_present(ent))
			continue;
		if (ept_is_leaf(ent, level))
			pages += ept_level_pages(level);
		else
			pages += ept_subtree_retire(e, ent & EPTE_ADDR_MASK, level - 1);
	}
	ept_table_retire(e, pa);
	return pages;
}

/* Store @new in the level-@level entry @pe and account for what it replaced and brings. */
static void ept_entry_replace(struct ept *e, u64 *pe, unsigned int level, u64 new)
{
	u64 old = *pe;

	/* One store: a CPU walking the tables sees the old entry or the new one. */
	// cppcheck-suppress redundantPointerOp ; WRITE_ONCE takes the lvalue
	WRITE_ONCE(*pe, new);
	if (ept_present(old)) {
		e->flush_pending = true;
		if (ept_is_leaf(old, level))
			e->mapped_pages_4k -= ept_level_pages(level);
		else
			e->mapped_pages_4k -=
			    ept_subtree_retire(e, old & EPTE_ADDR_MASK, level - 1);
	}
	if (ept_present(new) && ept_is_leaf(new, level))
		e->mapped_pages_4k += ept_level_pages(level);
}

/* Replace the large leaf @pe (level 2 or 3) by a table of 512 leaves with the same meaning. */
static int ept_split(struct ept *e, u64 *pe, unsigned int level)
{
	u64 old = *pe;
	u64 attrs = old & ~(EPTE_ADDR_MASK | EPTE_LARGE);
	u64 step = ept_level_size(level - 1);
	paddr_t pa = ept_table_alloc(e);
	u64 *t;

	if (pa == INVALID_PADDR)
		return -ENOMEM;
	if (level - 1 > 1)
		attrs |= EPTE_LARGE; /* the children are 2 MiB leaves */
	t = ept_table(pa);
	for (unsigned int i = 0; i < EPT_ENTRIES; i++)
		t[i] = ((old & EPTE_ADDR_MASK) + i * step) | attrs;
	e->mapped_pages_4k += ept_level_pages(level);
	ept_entry_replace(e, pe, level, pa | EPT_ENTRY_TABLE);
	return 0;
}

static bool ept_table_empty(paddr_t pa)
{
	const u64 *t = ept_table(pa);

	for (unsigned int i = 0; i < EPT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

static int ept_range_op(struct ept *e, paddr_t table, unsigned int level, u64 start, u64 end,
			const struct ept_op *op);

/* Apply @op to [start, end), which lies inside what the level-@level entry @pe covers. */
static int ept_entry_op(struct ept *e, u64 *pe, unsigned int level, u64 start, u64 end,
			const struct ept_op *op)
{
	u64 size = ept_level_size(level);
	bool whole = IS_ALIGNED(start, size) && end - start == size;
	u64 ent = *pe;
	paddr_t child;
	int ret;

	if (whole && op->kind == EPT_OP_UNMAP) {
		ept_entry_replace(e, pe, level, 0);
		return 0;
	}
	if (whole && op->kind == EPT_OP_MAP && level <= op->max_level &&
	    IS_ALIGNED(start + op->hpa_minus_gpa, size)) {
		ept_entry_replace(e, pe, level,
				  (start + op->hpa_minus_gpa) | op->bits |
				      (level > 1 ? EPTE_LARGE : 0));
		return 0;
	}
	if (!ept_present(ent)) {
		if (op->kind != EPT_OP_MAP)
			return 0;
		BUG_ON(level == 1);
		child = ept_table_alloc(e);
		if (child == INVALID_PADDR)
			return -ENOMEM;
		ept_entry_replace(e, pe, level, child | EPT_ENTRY_TABLE);
	} else if (ept_is_leaf(ent, level)) {
		if (op->kind == EPT_OP_PROTECT) {
			u64 new = (ent & ~EPTE_PERM_MASK) | op->bits;

			if (new == ent)
				return 0;
			if (whole || level == 1) {
				ept_entry_replace(e, pe, level, new);
				return 0;
			}
		}
		BUG_ON(level == 1);
		ret = ept_split(e, pe, level);
		if (ret)
			return ret;
	}
	child = *pe & EPTE_ADDR_MASK;
	ret = ept_range_op(e, child, level - 1, start, end, op);
	if ((op->kind == EPT_OP_UNMAP || ret) && ept_table_empty(child))
		ept_entry_replace(e, pe, level, 0);
	return ret;
}

/* Apply @op to [start, end) inside the level-@level table @table, in ascending order. */
static int ept_range_op(struct ept *e, paddr_t table, unsigned int level, u64 start, u64 end,
			const struct ept_op *op)
{
	u64 *t = ept_table(table);
	u64 size = ept_level_size(level);

	while (start < end) {
		u64 next = MIN(ALIGN_DOWN(start, size) + size, end);
		int ret = ept_entry_op(e, &t[ept_index(start, level)], level, start, next, op);

		if (ret)
			return ret;
		start = next;
	}
	return 0;
}

/* Is every page of [start, end) mapped? */
static bool ept_range_mapped(paddr_t table, unsigned int level, u64 start, u64 end)
{
	const u64 *t = ept_table(table);
	u64 size = ept_level_size(level);

	while (start < end) {
		u64 next = MIN(ALIGN_DOWN(start, size) + size, end);
		u64 ent = t[ept_index(start, level)];

		if (!ept_present(ent))
			return false;
		if (!ept_is_leaf(ent, level) &&
		    !ept_range_mapped(ent & EPTE_ADDR_MASK, level - 1, start, next))
			return false;
		start = next;
	}
	return true;
}

static int ept_range_valid(u64 gpa, u64 size)
{
	if (!size || !IS_ALIGNED(gpa | size, PAGE_SIZE))
		return -EINVAL;
	if (gpa >= EPT_GPA_LIMIT || size > EPT_GPA_LIMIT - gpa)
		return -EINVAL;
	return 0;
}

/* Present, no unknown bits, W needs R (else a misconfiguration), no execute-only. */
static bool ept_perms_valid(unsigned int perms)
{
	return perms && !(perms & ~EPT_RWX) && (perms & EPT_R);
}

static bool ept_mtype_valid(unsigned int mtype)
{
	unsigned int mt = mtype & 7;

	if (mtype & ~(7u | EPT_IPAT))
		return false;
	return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT || mt == EPT_MT_WP ||
	       mt == EPT_MT_WB;
}

static int ept_run(struct ept *e, u64 gpa, u64 size, const struct ept_op *op)
{
	int ret;

	BUG_ON(e->pml4 == INVALID_PADDR);
	spin_lock(&e->lock);
	if (op->kind == EPT_OP_PROTECT &&
	    !ept_range_mapped(e->pml4, EPT_ROOT_LEVEL, gpa, gpa + size))
		ret = -ENOENT;
	else
		ret = ept_range_op(e, e->pml4, EPT_ROOT_LEVEL, gpa, gpa + size, op);
	spin_unlock(&e->lock);
	return ret;
}

int ept_map(struct ept *e, u64 gpa, paddr_t hpa, u64 size, unsigned int perms, unsigned int mtype,
	    unsigned int max_level)
{
	struct ept_op op = {.kind = EPT_OP_MAP};

	if (ept_range_valid(gpa, size) || !ept_perms_valid(perms) || !ept_mtype_valid(mtype))
		return -EINVAL;
	if (!IS_ALIGNED(hpa, PAGE_SIZE) || hpa >= EPT_HPA_LIMIT || size > EPT_HPA_LIMIT - hpa)
		return -EINVAL;
	if (max_level < EPT_LEVEL_4K || max_level > EPT_LEVEL_1G)
		return -EINVAL;
	BUG_ON(e->max_leaf_level < EPT_LEVEL_4K || e->max_leaf_level > EPT_LEVEL_1G);
	op.hpa_minus_gpa = hpa - gpa;
	op.bits =
	    perms | ((u64)(mtype & 7) << EPTE_MT_SHIFT) | ((mtype & EPT_IPAT) ? EPTE_IPAT : 0);
	op.max_level = MIN(max_level, e->max_leaf_level);
	return ept_run(e, gpa, size, &op);
}

int ept_unmap(struct ept *e, u64 gpa, u64 size)
{
	struct ept_op op = {.kind = EPT_OP_UNMAP};

	if (ept_range_valid(gpa, size))
		return -EINVAL;
	return ept_run(e, gpa, size, &op);
}

int ept_protect(struct ept *e, u64 gpa, u64 size, unsigned int perms)
{
	struct ept_op op = {.kind = EPT_OP_PROTECT, .bits = perms};

	if (ept_range_valid(gpa, size) || !ept_perms_valid(perms))
		return -EINVAL;
	return ept_run(e, gpa, size, &op);
}

int ept_lookup(const struct ept *e, u64 gpa, paddr_t *hpa, unsigned int *perms, unsigned int *level)
{
	paddr_t table = e->pml4;
	int ret = -ENOENT;

	if (gpa >= EPT_GPA_LIMIT)
		return -EINVAL;
	BUG_ON(table == INVALID_PADDR);
	spin_lock(ept_lock_of(e));
	for (unsigned int l = EPT_ROOT_LEVEL; l >= 1; l--) {
		u64 ent = ept_table(table)[ept_index(gpa, l)];

		if (!ept_present(ent))
			break;
		if (ept_is_leaf(ent, l)) {
			u64 mask = ept_level_size(l) - 1;

			if (hpa)
				*hpa = (ent & EPTE_ADDR_MASK & ~mask) | (gpa & mask);
			if (perms)
				*perms = ept_entry_perms(ent);
			if (level)
				*level = l;
			ret = 0;
			break;
		}
		table = ent & EPTE_ADDR_MASK;
	}
	spin_unlock(ept_lock_of(e));
	return ret;
}

static void ept_walk_leaves(paddr_t table, unsigned int level, u64 base,
			    void (*fn)(u64 gpa, paddr_t hpa, u64 size, u64 entry, void *ctx),
			    void *ctx)
{
	const u64 *t = ept_table(table);
	u64 size = ept_level_size(level);

	for (unsigned int i = 0; i < EPT_ENTRIES; i++) {
		u64 ent = t[i];
		u64 gpa = base + i * size;

		if (!ept_present(ent))
			continue;
		if (ept_is_leaf(ent, level))
			fn(gpa, ent & EPTE_ADDR_MASK & ~(size - 1), size, ent, ctx);
		else
			ept_walk_leaves(ent & EPTE_ADDR_MASK, level - 1, gpa, fn, ctx);
	}
}

void ept_for_each_leaf(const struct ept *e,
		       void (*fn)(u64 gpa, paddr_t hpa, u64 size, u64 entry, void *ctx), void *ctx)
{
	BUG_ON(e->pml4 == INVALID_PADDR);
	spin_lock(ept_lock_of(e));
	ept_walk_leaves(e->pml4, EPT_ROOT_LEVEL, 0, fn, ctx);
	spin_unlock(ept_lock_of(e));
}

int ept_init(struct ept *e)
{
	paddr_t root;

	*e = (struct ept){.lock = SPINLOCK_INIT,
			  .pml4 = INVALID_PADDR,
			  .retired = INVALID_PADDR,
			  .max_leaf_level = EPT_LEVEL_1G};
	root = ept_table_alloc(e);
	if (root == INVALID_PADDR) {
		pr_warn("ept: out of memory for the root table");
		return -ENOMEM;
	}
	e->pml4 = root;
	return 0;
}

/* Free the level-@level table at @pa and every table below it; return how many were freed. */
static u64 ept_tree_free(paddr_t pa, unsigned int level)
{
	const u64 *t = ept_table(pa);
	u64 freed = 1;

	for (unsigned int i = 0; i < EPT_ENTRIES; i++)
		if (ept_present(t[i]) && !ept_is_leaf(t[i], level))
			freed += ept_tree_free(t[i] & EPTE_ADDR_MASK, level - 1);
	frame_free(pa, 0);
	return freed;
}

void ept_destroy(struct ept *e)
{
	u64 freed;

	if (e->pml4 == INVALID_PADDR)
		return;
	spin_lock(&e->lock);
	freed = ept_tree_free(e->pml4, EPT_ROOT_LEVEL);
	if (freed != e->table_pages)
		panic("ept: destroy freed %llu tables, accounted %llu", freed, e->table_pages);
	ept_retired_free(e, ~0ULL);
	e->pml4 = INVALID_PADDR;
	e->table_pages = 0;
	e->mapped_pages_4k = 0;
	e->flush_pending = false;
	spin_unlock(&e->lock);
}

u64 ept_flush_begin(struct ept *e)
{
	u64 gen;

	spin_lock(&e->lock);
	if (e->flush_pending) {
		__atomic_store_n(&e->gen, e->gen + 1, __ATOMIC_SEQ_CST);
		e->flush_pending = false;
	}
	gen = e->gen;
	spin_unlock(&e->lock);
	/* The new generation is visible before any CPU's in_guest is read (ept_cpu_enter()). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return gen;
}

u64 ept_flush_reached(struct ept *e, u64 gen, unsigned int nr_cpus, u64 *behind)
{
	u64 reached = gen;

	BUILD_BUG_ON(MAX_CPUS > 64); /* *behind is a mask */
	*behind = 0;
	for (unsigned int c = 0; c < MIN(nr_cpus, (unsigned int)MAX_CPUS); c++) {
		u64 flushed;

		if (!__atomic_load_n(&e->cpu[c].in_guest, __ATOMIC_SEQ_CST))
			continue;
		flushed = __atomic_load_n(&e->cpu[c].flushed, __ATOMIC_ACQUIRE);
		if (flushed < gen) {
			*behind |= 1ULL << c;
			reached = MIN(reached, flushed);
		}
	}
	return reached;
}

void ept_flush_done(struct ept *e, u64 gen)
{
	spin_lock(&e->lock);
	ept_retired_free(e, gen);
	spin_unlock(&e->lock);
}

unsigned int ept_cpus_in_guest(const struct ept *e, unsigned int nr_cpus)
{
	unsigned int n = 0;

	for (unsigned int c = 0; c < MIN(nr_cpus, (unsigned int)MAX_CPUS); c++)
		n += __atomic_load_n(&e->cpu[c].in_guest, __ATOMIC_SEQ_CST) != 0;
	return n;
}

u64 ept_eptp(const struct ept *e)
{
	BUG_ON(e->pml4 == INVALID_PADDR);
	return e->pml4 | EPTP_MT_WB | EPTP_WALK_4 | (e->ad_enabled ? EPTP_AD : 0);
}

struct ept_violation_info ept_decode_violation(u64 qual)
{
	return (struct ept_violation_info){
	    .read = qual & EPT_QUAL_READ,
	    .write = qual & EPT_QUAL_WRITE,
	    .exec = qual & EPT_QUAL_FETCH,
	    .gpa_readable = qual & EPT_QUAL_READABLE,
	    .gpa_writable = qual & EPT_QUAL_WRITABLE,
	    .gpa_executable = qual & EPT_QUAL_EXECUTABLE,
	    .gla_valid = qual & EPT_QUAL_GLA_VALID,
	    .gla_translation = (qual & EPT_QUAL_GLA_VALID) && (qual & EPT_QUAL_GLA_TRANSLATE),
	    .nmi_unblocking = qual & EPT_QUAL_NMI_UNBLOCK,
	};
}
