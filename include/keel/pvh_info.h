/* Build a PVH guest's start-of-day block (hvm_start_info, memmap, modules, strings) and memmap. */
#ifndef KEEL_PVH_INFO_H
#define KEEL_PVH_INFO_H

#include <keel/types.h>
#include <public/start_info.h>

/*
 * Guest-physical layout: RAM [0, min(mem, PVH_LOWMEM_TOP)), the rest of RAM from 4 GiB up. The
 * hole [PVH_LOWMEM_TOP, 4 GiB) holds MMIO (LAPIC, IOAPIC), the guest ACPI tables (marked ACPI
 * data) and the special pages (marked reserved).
 */
#define PVH_LOWMEM_TOP	      0xC0000000ULL /* 3 GiB */
#define PVH_HIGHMEM_BASE      0x100000000ULL
#define PVH_SPECIAL_PAGES_GPA 0xFEFF8000ULL /* 8 pages: xenstore = page 4, console = page 7 */
#define PVH_SPECIAL_PAGES     8
#define PVH_MEMMAP_MAX	      4 /* entries pvh_guest_memmap can produce */
#define PVH_MAX_MODULES	      16

struct pvh_module_desc {
	u64 paddr; /* guest-physical */
	u64 size;
	const char *cmdline; /* NULL or "" = none */
};

struct pvh_start_params {
	u64 mem_bytes; /* guest RAM, multiple of 4 KiB, >= 1 MiB */
	/* The memory map when not the standard layout of @mem_bytes (dom0's), else NULL. */
	const struct pvh_memmap_entry *map;
	unsigned int nr_map; /* <= PVH_START_MEMMAP_MAX */
	const char *cmdline; /* guest kernel command line; NULL or "" = none */
	const struct pvh_module_desc *modules;
	unsigned int nr_modules; /* <= PVH_MAX_MODULES; module 0 is the initrd */
	u32 flags;		 /* PVH_SIF_* */
	u64 rsdp_paddr;		 /* 0 = none */
};

/*
 * Fill @out (room for @max entries) with the guest memory map for @mem_bytes of RAM, sorted by
 * address. Returns the number of entries, -EINVAL for a bad size, -ENOSPC if @max is too small.
 */
int pvh_guest_memmap(u64 mem_bytes, struct pvh_memmap_entry *out, unsigned int max);

/*
 * The same map with @holes (@nr_holes of at most PVH_MAX_HOLES page-aligned ranges inside the low
 * RAM, not overlapping; their types are ignored) cut out of the RAM and marked reserved: a
 * domain's device pages in its legacy window. Entries, -EINVAL, or -ENOSPC for @max too small.
 */
#define PVH_MAX_HOLES 8
int pvh_guest_memmap_holes(u64 mem_bytes, const struct pvh_memmap_entry *holes,
			   unsigned int nr_holes, struct pvh_memmap_entry *out, unsigned int max);

/* Whether [gpa, gpa + len) is all guest RAM for a guest of @mem_bytes. */
bool pvh_range_is_ram(u64 mem_bytes, u64 gpa, u64 len);
/* Whether [gpa, gpa + len) lies inside one RAM entry of @map (@n entries). */
bool pvh_map_range_is_ram(const struct pvh_memmap_entry *map, unsigned int n, u64 gpa, u64 len);
/* Most entries a memory map given in pvh_start_params.map may have. */
#define PVH_START_MEMMAP_MAX 160

/*
 * Lay out, in @buf (@buflen bytes, any alignment), the block that will be copied to guest-physical
 * @gpa (8-byte aligned, in low RAM): struct pvh_start_info at offset 0, then the memmap, the
 * module list and the strings, every *_paddr pointing at its GPA. Modules must lie in guest RAM.
 * Returns the bytes used, -EINVAL for bad parameters, -ENOSPC if @buflen is too small.
 */
int pvh_build_start_info(const struct pvh_start_params *p, u64 gpa, void *buf, size_t buflen);

#endif
