/* A domain's memory (common/mm/domain_mem.c): its RAM extents and guest-physical copies. */
#ifndef KEEL_DOMAIN_MEM_H
#define KEEL_DOMAIN_MEM_H

#include <keel/spinlock.h>
#include <keel/types.h>
#include <public/start_info.h>

struct domain;

/* A block of guest RAM: 2^order frames at @hpa mapped at @gpa. */
struct mem_extent {
	u64 gpa;
	paddr_t hpa;
	unsigned int order;
	bool set_aside; /* dom0's 1:1 RAM: never Keel's pool, not freed with the domain */
};

/* Guest pages Keel may hold: 3 areas per vCPU, FIFO control blocks and 128 event-array pages. */
#define DOMAIN_MEM_MAX_HELD 288

/* What a domain owns of Keel's memory (a sub-structure of struct domain). */
struct domain_mem {
	u64 bytes; /* RAM size, as its memory map says */
	unsigned int nr_extents, max_extents;
	struct mem_extent *extents; /* its RAM: naturally aligned buddy blocks, large EPT pages */
	u64 pages;		    /* frames owned (RAM + Keel pages given to it) */
	u64 ram_pages;		    /* RAM frames populated now (the guest's current reservation) */
	u64 max_ram_pages;	    /* RAM frames it may populate: its configured memory */
	u64 shared_pages; /* frames of shared regions it maps: not its own, in none of the above */
	/* Its memory map when not the standard PVH layout of @bytes (dom0's, from the host). */
	struct pvh_memmap_entry *map;
	unsigned int nr_map;
	bool identity;	 /* RAM mapped 1:1 (dom0, for DMA without an IOMMU): never ballooned */
	spinlock_t lock; /* the extent array: changers hold physmap_lock too; readers this */
	/* RAM frames Keel writes on its own (vcpu_info, runstate, FIFO pages): never ballooned. */
	unsigned int nr_held;
	paddr_t held[DOMAIN_MEM_MAX_HELD];
};

/* An extent taken out of the physical map whose flush no CPU confirmed: freed only at release. */
#define MEM_EXTENT_QUARANTINED (~0ULL)
/* Largest extent order a guest may ask to populate or release at once (2 MiB). */
#define MEM_GUEST_MAX_ORDER 9

/* Give @d @bytes of RAM from GPA 0 (scrubbed frames, large blocks where possible). */
int domain_populate_ram(struct domain *d, u64 bytes);
/*
 * Give @d RAM where @map (@nr_map entries, copied: its memory map from now on) says RAM, from
 * Keel's pool: the standard layout with holes (pvh_guest_memmap_holes()). 0 or -errno.
 */
int domain_populate_map(struct domain *d, const struct pvh_memmap_entry *map, unsigned int nr_map);
/*
 * Back [@gpa, @gpa + @bytes) outside the RAM of the memory map with fresh zeroed frames of @d
 * (its ACPI tables): freed with its RAM. 0, -EINVAL for an unaligned range, -ENOMEM.
 */
int domain_populate_extra(struct domain *d, u64 gpa, u64 bytes);
/*
 * Give @d the host RAM ranges [@ram[i].start, @ram[i].end) at the same guest-physical addresses
 * (scrubbed; the frames come from outside Keel's pool) and @map as its memory map (copied).
 */
struct mem_region;
int domain_populate_identity(struct domain *d, const struct mem_region *ram, unsigned int nr_ram,
			     const struct pvh_memmap_entry *map, unsigned int nr_map);
/* @d's memory map (its own or the standard layout) in @out: the entry count or -errno. */
int domain_memmap(const struct domain *d, struct pvh_memmap_entry *out, unsigned int max);
/*
 * Mark [@gpa, @gpa + @size) reserved in @d's memory map (a shared region: common/domain_shm.c),
 * which becomes @d's own copy of its standard layout when it was that. 0, -EINVAL (overlaps an
 * entry, or the map is full), -ENOMEM.
 */
int domain_memmap_reserve(struct domain *d, u64 gpa, u64 size);
/* The largest memory map domain_memmap() can produce. */
#define DOMAIN_MEMMAP_MAX 160
/* Whether [gpa, gpa + len) is all RAM in @d's memory map. */
bool domain_range_is_ram(const struct domain *d, u64 gpa, u64 len);

/* Scrub and free every RAM frame of @d (its EPT is gone: no CPU can reach them any more). */
void domain_mem_release(struct domain *d);

/*
 * The host frame of @d's own RAM at @gpa, with the physical map confirming it maps exactly that
 * frame there (not shared_info, a grant frame or a foreign page laid over it): 0 or -EFAULT.
 */
int domain_ram_lookup(struct domain *d, u64 gpa, bool write, paddr_t *hpa);

/*
 * Ballooning (common/mm/domain_balloon.c), with d->abi.physmap_lock held: give RAM back at @gpa
 * (2^@order frames, aligned, all RAM of @d, none of them in use by @in_use) or populate it again
 * (within the RAM layout, nothing mapped there, within max_ram_pages). 0 or -errno.
 */
int domain_ram_release(struct domain *d, u64 gpa, unsigned int order,
		       bool (*in_use)(struct domain *d, paddr_t hpa, u64 size));
int domain_ram_populate(struct domain *d, u64 gpa, unsigned int order);

/* For common/mm: back [gpa, end) with new scrubbed frames, counted as RAM. */
int domain_populate_range(struct domain *d, u64 gpa, u64 end);
/*
 * Copy to/from guest-physical memory of @d, through its physical map (the same translation the
 * guest's own accesses take): 0, or -EFAULT where a page is not (writable) memory of @d.
 */
int domain_copy_to_gpa(struct domain *d, u64 gpa, const void *src, size_t len);
int domain_copy_from_gpa(struct domain *d, void *dst, u64 gpa, size_t len);
int domain_zero_gpa(struct domain *d, u64 gpa, size_t len);

/*
 * The page at @gfn when it is one of @d's own RAM frames (writable), for areas Keel keeps
 * writing after the call that named them (vcpu_info, runstate and time areas, FIFO event arrays
 * and control blocks): its Keel address in @va, or -EINVAL when @gfn holds no such frame (a hole,
 * a page mapped from elsewhere), -ENOSPC when too many are held. The frame is held: ballooning
 * it out is refused (-EBUSY), so it stays @d's until the domain ends.
 */
int domain_own_page(struct domain *d, u64 gfn, void **va);
/* Does Keel hold a frame of [hpa, hpa + size)? (m->lock held) */
bool domain_mem_holds(const struct domain_mem *m, paddr_t hpa, u64 size);

#endif
