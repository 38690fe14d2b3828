/* Physical frame allocator: buddy system over orders 0..FRAME_MAX_ORDER, 1 meta byte per frame. */
#include <keel/compiler.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>

/*
 * One metadata byte per frame:
 *   FRAME_PRESENT  the frame is RAM that frames_add_range() handed over
 *   FRAME_FREE     the frame lies inside a free block (set on every frame of the block)
 *   FRAME_HEAD     the frame heads a free block; FRAME_ORDER_MASK holds the block's order
 * A zero byte is a frame that was never added. An allocated frame is just FRAME_PRESENT.
 * Marking every free frame (not only heads) makes double and overlapping frees detectable in
 * O(block size), which is what allocating or freeing that block costs anyway.
 */
#define FRAME_PRESENT	 0x80
#define FRAME_FREE	 0x40
#define FRAME_HEAD	 0x20
#define FRAME_ORDER_MASK 0x0f

BUILD_BUG_ON(FRAME_MAX_ORDER > FRAME_ORDER_MASK);

/* Free-list links, kept inside the first frame of each free block (through the direct map). */
struct frame_node {
	struct frame_node *next;
	struct frame_node *prev;
	u64 check; /* FRAME_NODE_MAGIC ^ paddr: catches stray writes into free memory */
};

#define FRAME_NODE_MAGIC 0x6b65656c66726565ULL

static spinlock_t frame_lock = SPINLOCK_INIT;
static u8 *frame_meta;
static u64 frame_count; /* frames covered by frame_meta */
static paddr_t frame_max_paddr;
static struct frame_node *frame_lists[FRAME_MAX_ORDER + 1];
static struct frame_stats frame_st;

static inline u8 frame_head_byte(unsigned int order)
{
	return FRAME_PRESENT | FRAME_FREE | FRAME_HEAD | order;
}

static inline struct frame_node *frame_node_of(u64 pfn)
{
	return paddr_to_virt(pfn << PAGE_SHIFT);
}

static inline u64 frame_node_check(u64 pfn)
{
	return FRAME_NODE_MAGIC ^ (pfn << PAGE_SHIFT);
}

/* Make the block at @pfn (its frames already marked free) a free head of @order. */
static void frame_list_push(u64 pfn, unsigned int order)
{
	struct frame_node *n = frame_node_of(pfn);

	n->prev = NULL;
	n->next = frame_lists[order];
	n->check = frame_node_check(pfn);
	if (n->next)
		n->next->prev = n;
	frame_lists[order] = n;
	frame_meta[pfn] = frame_head_byte(order);
	frame_st.free_blocks[order]++;
}

/* Take the free head at @pfn off its list; its frames stay marked free. */
static void frame_list_unlink(u64 pfn, unsigned int order)
{
	struct frame_node *n = frame_node_of(pfn);

	if (n->check != frame_node_check(pfn))
		panic("frame: free block at 0x%llx corrupted (written after free?)",
		      (unsigned long long)(pfn << PAGE_SHIFT));
	if (n->prev)
		n->prev->next = n->next;
	else
		frame_lists[order] = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->check = 0;
	frame_meta[pfn] = FRAME_PRESENT | FRAME_FREE;
	frame_st.free_blocks[order]--;
}

/* Insert the free block at @pfn, merging it with free buddies as far as they go. */
static void frame_merge_insert(u64 pfn, unsigned int order)
{
	while (order < FRAME_MAX_ORDER) {
		u64 buddy = pfn ^ (1ULL << order);

		if (buddy >= frame_count || frame_meta[buddy] != frame_head_byte(order))
			break;
		frame_list_unlink(buddy, order);
		pfn &= ~(1ULL << order);
		order++;
	}
	frame_list_push(pfn, order);
}

size_t frames_meta_bytes(paddr_t max_paddr)
{
	return (size_t)(PFN_DOWN(max_paddr) + ((max_paddr & (PAGE_SIZE - 1)) != 0));
}

void frames_init(paddr_t max_paddr, u8 *meta)
{
	/* Boot-time, before other CPUs run: (re)initializing the lock is safe here. */
	frame_lock = (spinlock_t)SPINLOCK_INIT;
	memset(frame_lists, 0, sizeof(frame_lists));
	memset(&frame_st, 0, sizeof(frame_st));
	if (!meta && max_paddr) {
		pr_err("frame: no metadata storage for max 0x%llx", (unsigned long long)max_paddr);
		max_paddr = 0;
	}
	frame_meta = meta;
	frame_max_paddr = max_paddr;
	frame_count = frames_meta_bytes(max_paddr);
	if (frame_count)
		memset(meta, 0, frame_count);
}

/* Free the never-added frames [pfn, end) as maximal naturally aligned blocks. */
static void frame_add_run(u64 pfn, u64 end)
{
	while (pfn < end) {
		unsigned int order = 0;
		u64 i, n;

		while (order < FRAME_MAX_ORDER && !(pfn & ((2ULL << order) - 1)) &&
		       pfn + (2ULL << order) <= end)
			order++;
		n = 1ULL << order;
		for (i = 0; i < n; i++)
			frame_meta[pfn + i] = FRAME_PRESENT | FRAME_FREE;
		frame_st.total_frames += n;
		frame_st.free_frames += n;
		frame_merge_insert(pfn, order);
		pfn += n;
	}
}

void frames_add_range(paddr_t start, paddr_t end)
{
	u64 first, last, pfn, overlap = 0;
	unsigned long flags;

	if (start > end) {
		pr_warn("frame: ignoring inverted range [0x%llx, 0x%llx)",
			(unsigned long long)start, (unsigned long long)end);
		return;
	}
	if (end > frame_max_paddr) {
		pr_warn("frame: range [0x%llx, 0x%llx) clipped at max 0x%llx",
			(unsigned long long)start, (unsigned long long)end,
			(unsigned long long)frame_max_paddr);
		end = frame_max_paddr;
	}
	if (start >= end)
		return;
	first = PFN_DOWN(start) + ((start & (PAGE_SIZE - 1)) != 0);
	last = PFN_DOWN(end);
	if (first >= last)
		return;

	flags = spin_lock_irqsave(&frame_lock);
	for (pfn = first; pfn < last;) {
		u64 run;

		if (frame_meta[pfn] & FRAME_PRESENT) {
			overlap++;
			pfn++;
			continue;
		}
		for (run = pfn; pfn < last && !(frame_meta[pfn] & FRAME_PRESENT); pfn++)
			;
		frame_add_run(run, pfn);
	}
	spin_unlock_irqrestore(&frame_lock, flags);

	if (overlap)
		pr_err(
		    "frame: range [0x%llx, 0x%llx) overlaps %llu frames added before; not adding them again",
		    (unsigned long long)start, (unsigned long long)end,
		    (unsigned long long)overlap);
}

paddr_t frame_alloc(unsigned int order)
{
	unsigned long flags;
	unsigned int k;
	u64 pfn, i;

	if (order > FRAME_MAX_ORDER)
		return INVALID_PADDR;

	flags = spin_lock_irqsave(&frame_lock);
	for (k = order; k <= FRAME_MAX_ORDER && !frame_lists[k]; k++)
		;
	if (k > FRAME_MAX_ORDER) {
		spin_unlock_irqrestore(&frame_lock, flags);
		return INVALID_PADDR;
	}
	pfn = PFN_DOWN(virt_to_paddr(frame_lists[k]));
	if (pfn >= frame_count || frame_meta[pfn] != frame_head_byte(k))
		panic("frame: free list %u holds bad block at 0x%llx", k,
		      (unsigned long long)(pfn << PAGE_SHIFT));
	frame_list_unlink(pfn, k);
	/* Split: keep the lower half, free the upper halves. */
	while (k > order) {
		k--;
		frame_list_push(pfn + (1ULL << k), k);
	}
	for (i = 0; i < (1ULL << order); i++)
		frame_meta[pfn + i] = FRAME_PRESENT;
	frame_st.free_frames -= 1ULL << order;
	spin_unlock_irqrestore(&frame_lock, flags);
	return pfn << PAGE_SHIFT;
}

void frame_free(paddr_t pa, unsigned int order)
{
	unsigned long flags;
	u64 pfn, n, i;

	if (order > FRAME_MAX_ORDER)
		panic("frame: free of 0x%llx with bad order %u", (unsigned long long)pa, order);
	if (!IS_ALIGNED(pa, PAGE_SIZE << order))
		panic("frame: free of misaligned 0x%llx order %u", (unsigned long long)pa, order);
	pfn = PFN_DOWN(pa);
	n = 1ULL << order;

	flags = spin_lock_irqsave(&frame_lock);
	if (pa >= frame_max_paddr || pfn + n > frame_count) {
		spin_unlock_irqrestore(&frame_lock, flags);
		panic("frame: free of 0x%llx order %u beyond max 0x%llx", (unsigned long long)pa,
		      order, (unsigned long long)frame_max_paddr);
	}
	for (i = 0; i < n; i++) {
		u8 m = frame_meta[pfn + i];

		if (!(m & FRAME_PRESENT) || (m & FRAME_FREE)) {
			spin_unlock_irqrestore(&frame_lock, flags);
			panic("frame: %s 0x%llx order %u (frame 0x%llx %s)",
			      (m & FRAME_FREE) ? "double free of" : "free of",
			      (unsigned long long)pa, order,
			      (unsigned long long)((pfn + i) << PAGE_SHIFT),
			      (m & FRAME_FREE) ? "is already free" : "was never added");
		}
	}
	for (i = 0; i < n; i++)
		frame_meta[pfn + i] = FRAME_PRESENT | FRAME_FREE;
	frame_st.free_frames += n;
	frame_merge_insert(pfn, order);
	spin_unlock_irqrestore(&frame_lock, flags);
}

#define FRAME_MAX_BLOCK (1ULL << FRAME_MAX_ORDER)

paddr_t frame_alloc_run(u64 nr_frames)
{
	u64 blocks = (nr_frames + FRAME_MAX_BLOCK - 1) >> FRAME_MAX_ORDER, run = 0, first = 0;
	unsigned long flags;

	if (nr_frames == 0 || nr_frames > frame_count)
		return INVALID_PADDR;
	flags = spin_lock_irqsave(&frame_lock);
	/* Largest blocks are naturally aligned: look only at their possible heads. */
	for (u64 pfn = 0; pfn + FRAME_MAX_BLOCK <= frame_count && run < blocks;
	     pfn += FRAME_MAX_BLOCK) {
		if (frame_meta[pfn] != frame_head_byte(FRAME_MAX_ORDER)) {
			run = 0;
			continue;
		}
		if (run++ == 0)
			first = pfn;
	}
	if (run < blocks) {
		spin_unlock_irqrestore(&frame_lock, flags);
		return INVALID_PADDR;
	}
	for (u64 b = 0; b < blocks; b++) {
		u64 pfn = first + (b << FRAME_MAX_ORDER);

		frame_list_unlink(pfn, FRAME_MAX_ORDER);
		memset(frame_meta + pfn, FRAME_PRESENT, FRAME_MAX_BLOCK);
	}
	frame_st.free_frames -= blocks << FRAME_MAX_ORDER;
	spin_unlock_irqrestore(&frame_lock, flags);
	return first << PAGE_SHIFT;
}

void frame_free_run(paddr_t pa, u64 nr_frames)
{
	u64 blocks = (nr_frames + FRAME_MAX_BLOCK - 1) >> FRAME_MAX_ORDER;

	if (!IS_ALIGNED(pa, PAGE_SIZE << FRAME_MAX_ORDER))
		panic("frame: run free of misaligned 0x%llx", (unsigned long long)pa);
	for (u64 b = 0; b < blocks; b++)
		frame_free(pa + (b << (FRAME_MAX_ORDER + PAGE_SHIFT)), FRAME_MAX_ORDER);
}

void *frame_alloc_zeroed_page(void)
{
	paddr_t pa = frame_alloc(0);
	void *va;

	if (pa == INVALID_PADDR)
		return NULL;
	va = paddr_to_virt(pa);
	memset(va, 0, PAGE_SIZE);
	return va;
}

void frames_get_stats(struct frame_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&frame_lock);

	*st = frame_st;
	spin_unlock_irqrestore(&frame_lock, flags);
}
