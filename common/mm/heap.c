/* Kernel heap: kmalloc/kzalloc/kfree from size-class pages, large sizes from whole frame blocks. */
#include <keel/compiler.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>

/*
 * Small objects (up to HEAP_SMALL_MAX bytes) live in single frames, one size class per frame.
 * The frame starts with a struct heap_page (HEAP_HDR_SIZE bytes), so kfree() finds it by
 * masking the pointer; the objects follow, 16-byte aligned. The classes are chosen so that
 * objects fill the PAGE_SIZE - HEAP_HDR_SIZE bytes well (496 = 4032 / 8, 1008 = / 4, 2016 = / 2).
 *
 * Large objects get a block of 2^order frames starting with a struct heap_large
 * (HEAP_LARGE_HDR_SIZE bytes); the caller's pointer is the byte right after it.
 */
#define HEAP_PAGE_MAGIC	    0x4b485047u /* "KHPG" */
#define HEAP_LARGE_MAGIC    0x4b484c47u /* "KHLG" */
#define HEAP_HDR_SIZE	    64
#define HEAP_LARGE_HDR_SIZE 16
#define HEAP_MAP_WORDS	    4
#define HEAP_LARGE_MAX	    ((PAGE_SIZE << FRAME_MAX_ORDER) - HEAP_LARGE_HDR_SIZE)

static const u16 heap_class_size[] = {16, 32, 64, 128, 256, 496, 1008, 2016};
#define HEAP_NR_CLASSES ARRAY_SIZE(heap_class_size)
#define HEAP_SMALL_MAX	2016

struct heap_page {
	u32 magic;
	u16 class_idx;
	u16 in_use;
	struct heap_page *next; /* on its class's partial list */
	struct heap_page *prev;
	u64 used[HEAP_MAP_WORDS]; /* bit per object; bits past the last object stay set */
};

struct heap_large {
	u32 magic;
	u32 order;
	u64 size; /* requested bytes */
};

BUILD_BUG_ON(sizeof(struct heap_page) > HEAP_HDR_SIZE);
BUILD_BUG_ON(sizeof(struct heap_large) != HEAP_LARGE_HDR_SIZE);
BUILD_BUG_ON((PAGE_SIZE - HEAP_HDR_SIZE) / 16 > HEAP_MAP_WORDS * 64UL);
BUILD_BUG_ON(HEAP_HDR_SIZE % 16 != 0);

struct heap_class {
	struct heap_page *partial; /* pages with objects both in use and free */
	struct heap_page *spare;   /* at most one empty page kept for reuse */
};

static spinlock_t heap_lock = SPINLOCK_INIT;
static struct heap_class heap_classes[HEAP_NR_CLASSES];
static struct heap_stats heap_st;

static inline unsigned int heap_class_objects(unsigned int idx)
{
	return (PAGE_SIZE - HEAP_HDR_SIZE) / heap_class_size[idx];
}

static unsigned int heap_class_for(size_t size)
{
	unsigned int i;

	for (i = 0; i < HEAP_NR_CLASSES - 1; i++)
		if (size <= heap_class_size[i])
			break;
	return i;
}

static void heap_list_add(struct heap_page **head, struct heap_page *pg)
{
	pg->prev = NULL;
	pg->next = *head;
	if (pg->next)
		pg->next->prev = pg;
	*head = pg;
}

static void heap_list_del(struct heap_page **head, struct heap_page *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		*head = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
}

/* A fresh, empty page for class @idx, or NULL when the frame allocator is out of frames. */
static struct heap_page *heap_page_new(unsigned int idx)
{
	unsigned int nr = heap_class_objects(idx), i;
	paddr_t pa = frame_alloc(0);
	struct heap_page *pg;

	if (pa == INVALID_PADDR)
		return NULL;
	pg = paddr_to_virt(pa);
	memset(pg, 0, HEAP_HDR_SIZE);
	pg->magic = HEAP_PAGE_MAGIC;
	pg->class_idx = idx;
	for (i = nr; i < HEAP_MAP_WORDS * 64; i++)
		pg->used[i / 64] |= 1ULL << (i % 64);
	heap_st.pages_held++;
	return pg;
}

static void heap_page_release(struct heap_page *pg)
{
	pg->magic = 0;
	heap_st.pages_held--;
	frame_free(virt_to_paddr(pg), 0);
}

/* Claim a free object slot in @pg (which has one) and return its index. */
static unsigned int heap_page_take(struct heap_page *pg)
{
	unsigned int w;

	for (w = 0; w < HEAP_MAP_WORDS; w++) {
		unsigned int bit;

		if (pg->used[w] == ~0ULL)
			continue;
		bit = __builtin_ctzll(~pg->used[w]);
		pg->used[w] |= 1ULL << bit;
		pg->in_use++;
		return w * 64 + bit;
	}
	panic("heap: page %p of class %u on the partial list is full", (void *)pg,
	      heap_class_size[pg->class_idx]);
}

static void *heap_alloc_large(size_t size)
{
	unsigned int order = 0;
	struct heap_large *hdr;
	unsigned long flags;
	paddr_t pa;

	if (size > HEAP_LARGE_MAX)
		return NULL;
	while ((PAGE_SIZE << order) < size + HEAP_LARGE_HDR_SIZE)
		order++;
	pa = frame_alloc(order);
	if (pa == INVALID_PADDR)
		return NULL;
	hdr = paddr_to_virt(pa);
	hdr->magic = HEAP_LARGE_MAGIC;
	hdr->order = order;
	hdr->size = size;

	flags = spin_lock_irqsave(&heap_lock);
	heap_st.bytes_in_use += PAGE_SIZE << order;
	heap_st.pages_held += 1ULL << order;
	heap_st.allocs++;
	spin_unlock_irqrestore(&heap_lock, flags);
	return hdr + 1;
}

void *kmalloc(size_t size)
{
	struct heap_class *hc;
	struct heap_page *pg;
	unsigned int idx, obj;
	unsigned long flags;

	if (size == 0)
		return NULL;
	if (size > HEAP_SMALL_MAX)
		return heap_alloc_large(size);

	idx = heap_class_for(size);
	hc = &heap_classes[idx];
	flags = spin_lock_irqsave(&heap_lock);
	pg = hc->partial;
	if (!pg) {
		if (hc->spare) {
			pg = hc->spare;
			hc->spare = NULL;
		} else {
			pg = heap_page_new(idx);
			if (!pg) {
				spin_unlock_irqrestore(&heap_lock, flags);
				return NULL;
			}
		}
		heap_list_add(&hc->partial, pg);
	}
	obj = heap_page_take(pg);
	if (pg->in_use == heap_class_objects(idx))
		heap_list_del(&hc->partial, pg);
	heap_st.bytes_in_use += heap_class_size[idx];
	heap_st.allocs++;
	spin_unlock_irqrestore(&heap_lock, flags);
	return (u8 *)pg + HEAP_HDR_SIZE + (size_t)obj * heap_class_size[idx];
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

static void heap_free_large(struct heap_large *hdr, const void *p, unsigned long flags)
{
	unsigned int order = hdr->order;

	if (p != hdr + 1 || order > FRAME_MAX_ORDER) {
		spin_unlock_irqrestore(&heap_lock, flags);
		panic("heap: bad kfree %p (not the start of a large object)", p);
	}
	hdr->magic = 0;
	heap_st.bytes_in_use -= PAGE_SIZE << order;
	heap_st.pages_held -= 1ULL << order;
	heap_st.frees++;
	spin_unlock_irqrestore(&heap_lock, flags);
	frame_free(virt_to_paddr(hdr), order);
}

void kfree(void *p)
{
	struct heap_page *pg;
	struct heap_class *hc;
	unsigned int nr, size, obj;
	unsigned long flags;
	uintptr_t off;
	bool was_full;

	if (!p)
		return;
	pg = (struct heap_page *)((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1));

	flags = spin_lock_irqsave(&heap_lock);
	if (pg->magic == HEAP_LARGE_MAGIC) {
		heap_free_large((struct heap_large *)pg, p, flags);
		return;
	}
	if (pg->magic != HEAP_PAGE_MAGIC || pg->class_idx >= HEAP_NR_CLASSES) {
		spin_unlock_irqrestore(&heap_lock, flags);
		panic("heap: bad kfree %p (not in a heap page)", p);
	}
	size = heap_class_size[pg->class_idx];
	nr = heap_class_objects(pg->class_idx);
	off = (uintptr_t)p - (uintptr_t)pg;
	obj = (off - HEAP_HDR_SIZE) / size;
	if (off < HEAP_HDR_SIZE || (off - HEAP_HDR_SIZE) % size || obj >= nr) {
		spin_unlock_irqrestore(&heap_lock, flags);
		panic("heap: bad kfree %p (not the start of a %u-byte object)", p, size);
	}
	if (!(pg->used[obj / 64] & (1ULL << (obj % 64)))) {
		spin_unlock_irqrestore(&heap_lock, flags);
		panic("heap: bad kfree %p (double free of a %u-byte object)", p, size);
	}

	hc = &heap_classes[pg->class_idx];
	was_full = pg->in_use == nr;
	pg->used[obj / 64] &= ~(1ULL << (obj % 64));
	pg->in_use--;
	heap_st.bytes_in_use -= size;
	heap_st.frees++;
	if (pg->in_use == 0) {
		if (!was_full)
			heap_list_del(&hc->partial, pg);
		if (!hc->spare)
			hc->spare = pg;
		else
			heap_page_release(pg);
	} else if (was_full) {
		heap_list_add(&hc->partial, pg);
	}
	spin_unlock_irqrestore(&heap_lock, flags);
}

void heap_shrink(void)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	unsigned int i;

	for (i = 0; i < HEAP_NR_CLASSES; i++) {
		if (heap_classes[i].spare) {
			heap_page_release(heap_classes[i].spare);
			heap_classes[i].spare = NULL;
		}
	}
	spin_unlock_irqrestore(&heap_lock, flags);
}

void heap_get_stats(struct heap_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);

	*st = heap_st;
	spin_unlock_irqrestore(&heap_lock, flags);
}
