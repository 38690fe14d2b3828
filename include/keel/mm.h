/* Physical memory: the frame allocator (buddy), the heap on top of it, and their accounting. */
#ifndef KEEL_MM_H
#define KEEL_MM_H

#include <keel/types.h>

#define PAGE_SHIFT  12
#define PAGE_SIZE   (1UL << PAGE_SHIFT)
#define PAGE_MASK   (~(PAGE_SIZE - 1))
#define PFN_DOWN(a) ((a) >> PAGE_SHIFT)
#define PFN_UP(a)   (((a) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/* Largest buddy block: 2^FRAME_MAX_ORDER frames (4 MiB at order 10). */
#define FRAME_MAX_ORDER 10

/*
 * Translation between host-physical addresses and Keel's direct map. Provided by the arch
 * (arch/x86/mm) in the hypervisor and by the test harness in host unit tests.
 */
void *paddr_to_virt(paddr_t pa);
paddr_t virt_to_paddr(const void *va);

/*
 * Frame allocator (common/mm/frame_alloc.c). frames_init() is given the highest physical
 * address that may ever be added and storage for its per-frame metadata (one byte per frame,
 * frames_meta_bytes() of it). Then free RAM is handed over range by range.
 */
size_t frames_meta_bytes(paddr_t max_paddr);
void frames_init(paddr_t max_paddr, u8 *meta);
void frames_add_range(paddr_t start, paddr_t end); /* [start, end), trimmed to whole frames */

/* Allocate 2^order contiguous, naturally aligned frames. INVALID_PADDR when none is free. */
paddr_t frame_alloc(unsigned int order);
void frame_free(paddr_t pa, unsigned int order);
/*
 * Allocate @nr_frames physically contiguous frames for a large short-lived buffer (a decompressed
 * kernel): whole free 2^FRAME_MAX_ORDER blocks side by side, so @nr_frames is rounded up to one.
 * INVALID_PADDR when no such run is free. frame_free_run() gives it back (same @nr_frames).
 */
paddr_t frame_alloc_run(u64 nr_frames);
void frame_free_run(paddr_t pa, u64 nr_frames);
/* Allocate one zeroed frame and return its direct-map pointer, or NULL. */
void *frame_alloc_zeroed_page(void);

struct frame_stats {
	u64 total_frames; /* every frame ever added */
	u64 free_frames;
	u64 free_blocks[FRAME_MAX_ORDER + 1];
};
void frames_get_stats(struct frame_stats *st);

/* Heap (common/mm/heap.c): small objects from size-class pages, large ones from frames. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

struct heap_stats {
	u64 bytes_in_use; /* bytes held by live objects: size class, or whole frame block if large */
	u64 pages_held;	  /* frames the heap holds from the frame allocator */
	u64 allocs;
	u64 frees;
};
void heap_get_stats(struct heap_stats *st);
/* Give the heap's cached empty pages (one per size class at most) back to the frame allocator. */
void heap_shrink(void);

/* Log one line: frames total/free and heap usage (common/mm/mm_report.c). */
void mm_report(void);
/* @frames more are held by shared regions (common/domain_shm.c): mm_report shows them once. */
void mm_note_shared(u64 frames);

#endif
