/* dom0's RAM: host ranges it owns 1:1 (guest-physical = host-physical), chosen before Keel's pool. */
#ifndef KEEL_DOM0_MEM_H
#define KEEL_DOM0_MEM_H

#include <keel/boot_mem.h>
#include <keel/types.h>
#include <public/start_info.h>

#define DOM0_MAX_RAM_RANGES 24
/* RAM Keel keeps for itself whatever dom0_mem= asks (its heap, EPT tables, other domains). */
#define DOM0_KEEL_RESERVE (32ULL << 20)
/* The guest memory map of dom0: the host's, with RAM it does not own marked unusable. */
#define DOM0_MEMMAP_MAX (BOOT_MAX_MEMMAP + DOM0_MAX_RAM_RANGES + 2)

struct dom0_mem_plan {
	bool present;	     /* the first kernel module says `dom0` */
	u64 bytes;	     /* RAM given, the sum of @ram */
	unsigned int nr_ram; /* sorted, disjoint, page-aligned */
	struct mem_region ram[DOM0_MAX_RAM_RANGES];
};

/*
 * At boot, before Keel's frame allocator gets any RAM, with Keel's image, the loader's data and
 * @keep (Keel's own low pages) reserved in @bm but the modules not: choose dom0's RAM (the
 * lowest free RAM, below 1 MiB included, up to `dom0_mem=` or its module's mem=), move every
 * module that lies in it to free RAM above, and reserve dom0's RAM and the modules in @bm.
 * Nothing happens without a dom0 module. Panics when dom0 and the modules cannot all fit.
 */
void dom0_mem_plan_boot(struct boot_mem *bm, struct boot_info *bi);

/* The plan made at boot (present == false when there is no dom0). */
const struct dom0_mem_plan *dom0_mem_plan(void);

/* Whether [start, end) lies inside one RAM range of @p. */
bool dom0_mem_owns(const struct dom0_mem_plan *p, paddr_t start, paddr_t end);

/*
 * dom0's memory map in @out (room for @max): the host map @bi with its RAM replaced by @p's
 * ranges (RAM dom0 does not own becomes unusable, so dom0 puts nothing there), plus [@acpi,
 * @acpi + @acpi_len) as ACPI data carved from the end of its RAM when @acpi_len is not 0.
 * Sorted by address. Returns the number of entries or -ENOSPC.
 */
int dom0_mem_memmap(const struct dom0_mem_plan *p, const struct boot_info *bi, u64 acpi,
		    u64 acpi_len, struct pvh_memmap_entry *out, unsigned int max);

#endif
