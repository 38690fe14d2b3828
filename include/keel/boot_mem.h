/* Boot-time memory bookkeeping: which RAM from the loader's map is free to hand to the allocator. */
#ifndef KEEL_BOOT_MEM_H
#define KEEL_BOOT_MEM_H

#include <keel/bootinfo.h>

struct mem_region {
	paddr_t start;
	paddr_t end; /* exclusive */
};

#define BOOT_MAX_RESERVED 64

struct boot_mem {
	const struct boot_info *bi;
	unsigned int nr_reserved;
	struct mem_region reserved[BOOT_MAX_RESERVED];
};

void boot_mem_init(struct boot_mem *bm, const struct boot_info *bi);
/* Keep [start, end) out of the allocator (Keel's image, modules, the loader's data, ...). */
int boot_mem_reserve(struct boot_mem *bm, paddr_t start, paddr_t end);
/* The end of the highest RAM range. */
paddr_t boot_mem_max_ram(const struct boot_mem *bm);
/*
 * Call @add for every piece of RAM inside [lo, hi) that is neither reserved nor covered by a
 * non-RAM range of the map (firmware maps can overlap: reserved wins). Returns the bytes passed.
 */
u64 boot_mem_for_each_free(const struct boot_mem *bm, paddr_t lo, paddr_t hi,
			   void (*add)(paddr_t start, paddr_t end, void *ctx), void *ctx);
/* Find @size free bytes aligned to @align inside [lo, hi); INVALID_PADDR if there are none. */
paddr_t boot_mem_find_free(const struct boot_mem *bm, u64 size, u64 align, paddr_t lo, paddr_t hi);

/* True when one RAM entry of the map covers all of [start, end) and no other type overlaps it. */
bool boot_mem_is_ram(const struct boot_mem *bm, paddr_t start, paddr_t end);

#endif
