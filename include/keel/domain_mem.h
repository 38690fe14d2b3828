/* A domain's memory (common/mm/domain_mem.c): its RAM extents and guest-physical copies. */
#ifndef KEEL_DOMAIN_MEM_H
#define KEEL_DOMAIN_MEM_H

#include <keel/types.h>

struct domain;

/* A block of guest RAM: 2^order frames at @hpa mapped at @gpa. */
struct mem_extent {
	u64 gpa;
	paddr_t hpa;
	unsigned int order;
};

/* What a domain owns of Keel's memory (a sub-structure of struct domain). */
struct domain_mem {
	u64 bytes; /* RAM size, as its memory map says */
	unsigned int nr_extents, max_extents;
	struct mem_extent *extents; /* its RAM: naturally aligned buddy blocks, large EPT pages */
	u64 pages;		    /* frames owned (RAM + Keel pages given to it) */
};

/* Give @d @bytes of RAM from GPA 0 (scrubbed frames, large blocks where possible). */
int domain_populate_ram(struct domain *d, u64 bytes);
/* Scrub and free every RAM frame of @d (its EPT is gone: no CPU can reach them any more). */
void domain_mem_release(struct domain *d);

/*
 * Copy to/from guest-physical memory of @d, through its physical map (the same translation the
 * guest's own accesses take): 0, or -EFAULT where a page is not (writable) memory of @d.
 */
int domain_copy_to_gpa(struct domain *d, u64 gpa, const void *src, size_t len);
int domain_copy_from_gpa(struct domain *d, void *dst, u64 gpa, size_t len);
int domain_zero_gpa(struct domain *d, u64 gpa, size_t len);

#endif
