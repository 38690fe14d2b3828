/* dom0's RAM: the host ranges it owns 1:1, chosen at boot, and the memory map it is given. */
#include <keel/cmdline.h>
#include <keel/compiler.h>
#include <keel/dom0_mem.h>
#include <keel/domain_config.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/string.h>

static u64 opt_dom0_mem;
KEEL_PARAM_UINT(dom0_mem, opt_dom0_mem,
		"RAM of dom0, mapped 1:1 from the lowest host RAM (default: its module's mem=)");

static struct dom0_mem_plan plan;

const struct dom0_mem_plan *dom0_mem_plan(void)
{
	return &plan;
}

bool dom0_mem_owns(const struct dom0_mem_plan *p, paddr_t start, paddr_t end)
{
	for (unsigned int i = 0; i < p->nr_ram; i++)
		if (start >= p->ram[i].start && end <= p->ram[i].end && start < end)
			return true;
	return false;
}

struct take_ctx {
	u64 want;
	bool overflow;
};

/* Take free RAM in address order until the plan holds @want bytes. */
static void take_cb(paddr_t start, paddr_t end, void *ctx)
{
	struct take_ctx *t = ctx;
	u64 n;

	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (plan.bytes >= t->want || start >= end)
		return;
	n = MIN(end - start, t->want - plan.bytes);
	if (plan.nr_ram && plan.ram[plan.nr_ram - 1].end == start) {
		plan.ram[plan.nr_ram - 1].end += n;
	} else if (plan.nr_ram < DOM0_MAX_RAM_RANGES) {
		plan.ram[plan.nr_ram++] = (struct mem_region){start, start + n};
	} else {
		t->overflow = true;
		return;
	}
	plan.bytes += n;
}

static void sum_cb(paddr_t start, paddr_t end, void *ctx)
{
	*(u64 *)ctx += ALIGN_DOWN(end, PAGE_SIZE) - MIN(ALIGN_UP(start, PAGE_SIZE), end);
}

static bool overlaps_plan(paddr_t start, paddr_t end)
{
	for (unsigned int i = 0; i < plan.nr_ram; i++)
		if (start < plan.ram[i].end && end > plan.ram[i].start)
			return true;
	return false;
}

/* Move the modules that lie in dom0's RAM above it; reserve every module where it ends up. */
static void place_modules(struct boot_mem *bm, struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		struct boot_module *m = &bi->modules[i];
		paddr_t s = ALIGN_DOWN(m->start, PAGE_SIZE), e = ALIGN_UP(m->end, PAGE_SIZE);

		if (!overlaps_plan(s, e) && boot_mem_reserve(bm, s, e))
			panic("dom0: no room to reserve module %u", i);
	}
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		struct boot_module *m = &bi->modules[i];
		paddr_t s = ALIGN_DOWN(m->start, PAGE_SIZE), e = ALIGN_UP(m->end, PAGE_SIZE);
		u64 size = m->end - m->start;
		paddr_t to;

		if (!overlaps_plan(s, e))
			continue;
		to = boot_mem_find_free(bm, e - s, PAGE_SIZE, MiB(1), GiB(4));
		if (to == INVALID_PADDR || boot_mem_reserve(bm, to, to + (e - s)))
			panic("dom0: no RAM left to move module %u (%llu KiB) out of dom0's RAM; "
			      "lower dom0_mem=",
			      i, size >> 10);
		/* The destination is free RAM: it overlaps neither dom0's RAM nor any module. */
		memcpy(paddr_to_virt(to), paddr_to_virt(m->start), size);
		pr_info("dom0: module %u moved from %#llx to %#llx, out of dom0's RAM", i, m->start,
			to);
		m->start = to;
		m->end = to + size;
	}
}

void dom0_mem_plan_boot(struct boot_mem *bm, struct boot_info *bi)
{
	static struct domain_config cfg;
	char err[160];
	struct take_ctx t = {0, false};
	u64 free_ram = 0;

	memset(&plan, 0, sizeof(plan));
	if (bi->nr_modules && !domcfg_parse(bi->modules[0].cmdline, &cfg, err, sizeof(err)) &&
	    cfg.dom0)
		plan.present = true;
	if (!plan.present) {
		place_modules(bm, bi);
		return;
	}
	boot_mem_for_each_free(bm, 0, GiB(4), sum_cb, &free_ram);
	t.want = ALIGN_UP(opt_dom0_mem ? opt_dom0_mem : cfg.mem_bytes, PAGE_SIZE);
	if (free_ram < DOM0_KEEL_RESERVE + MiB(4))
		panic("dom0: only %llu MiB of RAM below 4 GiB: too little for dom0 and Keel",
		      free_ram >> 20);
	if (t.want > free_ram - DOM0_KEEL_RESERVE) {
		pr_warn("dom0: dom0_mem=%llu MiB does not fit: dom0 gets %llu MiB, Keel keeps %llu",
			t.want >> 20, (free_ram - DOM0_KEEL_RESERVE) >> 20,
			DOM0_KEEL_RESERVE >> 20);
		t.want = free_ram - DOM0_KEEL_RESERVE;
	}
	boot_mem_for_each_free(bm, 0, GiB(4), take_cb, &t);
	if (t.overflow)
		pr_warn("dom0: host RAM is split in more than %u pieces: dom0 gets %llu MiB",
			DOM0_MAX_RAM_RANGES, plan.bytes >> 20);
	for (unsigned int i = 0; i < plan.nr_ram; i++)
		if (boot_mem_reserve(bm, plan.ram[i].start, plan.ram[i].end))
			panic("dom0: no room to reserve its RAM range %u", i);
	place_modules(bm, bi); /* after: a module moved lands outside dom0's RAM */
	pr_info("dom0: %llu MiB of RAM 1:1 in %u range%s, from %#llx to %#llx", plan.bytes >> 20,
		plan.nr_ram, plan.nr_ram == 1 ? "" : "s", plan.ram[0].start,
		plan.ram[plan.nr_ram - 1].end);
}

struct map_out {
	struct pvh_memmap_entry *e;
	unsigned int n, max;
	bool full;
};

static void put(struct map_out *o, u64 start, u64 end, u32 type)
{
	if (start >= end)
		return;
	if (o->n && o->e[o->n - 1].type == type &&
	    o->e[o->n - 1].addr + o->e[o->n - 1].size == start) {
		o->e[o->n - 1].size += end - start;
		return;
	}
	if (o->n == o->max) {
		o->full = true;
		return;
	}
	o->e[o->n++] = (struct pvh_memmap_entry){start, end - start, type, 0};
}

/* A piece of dom0's RAM: RAM, except the ACPI area carved from it. */
static void put_owned(struct map_out *o, u64 s, u64 e, u64 acpi, u64 acpi_end)
{
	u64 as = MAX(s, acpi), ae = MIN(e, acpi_end);

	if (as >= ae) {
		put(o, s, e, PVH_MEMMAP_RAM);
		return;
	}
	put(o, s, as, PVH_MEMMAP_RAM);
	put(o, as, ae, PVH_MEMMAP_ACPI);
	put(o, ae, e, PVH_MEMMAP_RAM);
}

/* A host RAM entry: dom0's pieces are RAM, the rest unusable. */
static void put_host_ram(struct map_out *o, const struct dom0_mem_plan *p, u64 s, u64 e, u64 acpi,
			 u64 acpi_end)
{
	u64 cur = s;

	for (unsigned int i = 0; i < p->nr_ram && cur < e; i++) {
		u64 rs = MAX(p->ram[i].start, cur), re = MIN(p->ram[i].end, e);

		if (rs >= re)
			continue;
		put(o, cur, rs, PVH_MEMMAP_UNUSABLE);
		put_owned(o, rs, re, acpi, acpi_end);
		cur = re;
	}
	put(o, cur, e, PVH_MEMMAP_UNUSABLE);
}

static u32 host_type(u32 t)
{
	return t == MEM_ACPI_RECLAIM ? PVH_MEMMAP_ACPI
	       : t == MEM_ACPI_NVS   ? PVH_MEMMAP_NVS
	       : t == MEM_BAD	     ? PVH_MEMMAP_UNUSABLE
				     : PVH_MEMMAP_RESERVED;
}

int dom0_mem_memmap(const struct dom0_mem_plan *p, const struct boot_info *bi, u64 acpi,
		    u64 acpi_len, struct pvh_memmap_entry *out, unsigned int max)
{
	struct boot_mem_range sorted[BOOT_MAX_MEMMAP];
	struct map_out o = {out, 0, max, false};
	unsigned int n = bi->nr_memmap;

	if (n > BOOT_MAX_MEMMAP)
		n = BOOT_MAX_MEMMAP;
	memcpy(sorted, bi->memmap, n * sizeof(sorted[0]));
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && sorted[j].start < sorted[j - 1].start; j--) {
			struct boot_mem_range t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (unsigned int i = 0; i < n; i++) {
		u64 s = sorted[i].start, e = sorted[i].start + sorted[i].size;

		/* Overlapping firmware entries: what an earlier entry covered is not repeated. */
		if (o.n)
			s = MAX(s, o.e[o.n - 1].addr + o.e[o.n - 1].size);
		if (s >= e)
			continue;
		if (sorted[i].type == MEM_RAM)
			put_host_ram(&o, p, s, e, acpi, acpi + acpi_len);
		else
			put(&o, s, e, host_type(sorted[i].type));
	}
	return o.full ? -ENOSPC : (int)o.n;
}
