/* Boot-time memory bookkeeping: free RAM = the loader's RAM ranges minus every reserved range. */
#include <keel/boot_mem.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>

void boot_mem_init(struct boot_mem *bm, const struct boot_info *bi)
{
	memset(bm, 0, sizeof(*bm));
	bm->bi = bi;
}

int boot_mem_reserve(struct boot_mem *bm, paddr_t start, paddr_t end)
{
	if (end <= start)
		return 0;
	if (bm->nr_reserved >= BOOT_MAX_RESERVED) {
		pr_err("boot_mem: too many reserved ranges, cannot reserve %llx-%llx", start, end);
		return -ENOSPC;
	}
	bm->reserved[bm->nr_reserved].start = start;
	bm->reserved[bm->nr_reserved].end = end;
	bm->nr_reserved++;
	return 0;
}

paddr_t boot_mem_max_ram(const struct boot_mem *bm)
{
	paddr_t max = 0;

	for (unsigned int i = 0; i < bm->bi->nr_memmap; i++) {
		const struct boot_mem_range *r = &bm->bi->memmap[i];

		if (r->type == MEM_RAM && r->start + r->size > max)
			max = r->start + r->size;
	}
	return max;
}

/*
 * The i-th range that RAM entry @cur must not overlap: reserved ranges first, then non-RAM map
 * entries, then the RAM entries before @cur (already passed on: overlapping RAM counts once).
 */
static bool blocker(const struct boot_mem *bm, unsigned int cur, unsigned int i,
		    struct mem_region *out)
{
	const struct boot_info *bi = bm->bi;

	if (i < bm->nr_reserved) {
		*out = bm->reserved[i];
		return true;
	}
	i -= bm->nr_reserved;
	if (i < bi->nr_memmap) {
		const struct boot_mem_range *r = &bi->memmap[i];

		out->start = r->start;
		out->end = r->type == MEM_RAM ? r->start : r->start + r->size;
		return true;
	}
	i -= bi->nr_memmap;
	if (i < cur) {
		const struct boot_mem_range *r = &bi->memmap[i];

		out->start = r->start;
		out->end = r->type == MEM_RAM ? r->start + r->size : r->start;
		return true;
	}
	return false;
}

struct emit_ctx {
	const struct boot_mem *bm;
	void (*add)(paddr_t, paddr_t, void *);
	void *ctx;
	u64 total;
	unsigned int cur; /* the RAM entry being passed on */
};

/* Emit [start, end) minus blockers i, i+1, ...: split around the first one that overlaps. */
static void emit(struct emit_ctx *e, paddr_t start, paddr_t end, unsigned int i)
{
	struct mem_region b;

	for (; start < end && blocker(e->bm, e->cur, i, &b); i++) {
		if (b.end <= start || b.start >= end || b.start == b.end)
			continue;
		if (b.start > start)
			emit(e, start, b.start, i + 1);
		start = b.end;
	}
	if (start < end) {
		e->add(start, end, e->ctx);
		e->total += end - start;
	}
}

u64 boot_mem_for_each_free(const struct boot_mem *bm, paddr_t lo, paddr_t hi,
			   void (*add)(paddr_t start, paddr_t end, void *ctx), void *ctx)
{
	struct emit_ctx e = {bm, add, ctx, 0, 0};

	for (unsigned int i = 0; i < bm->bi->nr_memmap; i++) {
		const struct boot_mem_range *r = &bm->bi->memmap[i];
		paddr_t s = MAX(r->start, lo), end = MIN(r->start + r->size, hi);

		e.cur = i;
		if (r->type == MEM_RAM && s < end)
			emit(&e, s, end, 0);
	}
	return e.total;
}

struct find_ctx {
	u64 size, align;
	paddr_t found;
};

static void find_cb(paddr_t start, paddr_t end, void *ctx)
{
	struct find_ctx *f = ctx;
	paddr_t s = ALIGN_UP(start, f->align);

	if (f->found == INVALID_PADDR && s >= start && s < end && end - s >= f->size)
		f->found = s;
}

paddr_t boot_mem_find_free(const struct boot_mem *bm, u64 size, u64 align, paddr_t lo, paddr_t hi)
{
	struct find_ctx f = {size, align ? align : 1, INVALID_PADDR};

	boot_mem_for_each_free(bm, lo, hi, find_cb, &f);
	return f.found;
}

bool boot_mem_is_ram(const struct boot_mem *bm, paddr_t start, paddr_t end)
{
	bool covered = false;

	for (unsigned int i = 0; i < bm->bi->nr_memmap; i++) {
		const struct boot_mem_range *r = &bm->bi->memmap[i];
		paddr_t rend = r->start + r->size;

		if (rend <= start || r->start >= end)
			continue;
		if (r->type != MEM_RAM)
			return false;
		if (r->start <= start && rend >= end)
			covered = true;
	}
	return covered;
}
