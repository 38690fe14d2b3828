/* Keel's page tables: direct map of physical memory, the image mapped W^X with NX, ioremap. */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/string.h>

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[], __symtab_start[], __image_end[];

paddr_t keel_cr3;
static u64 *pml4;
static bool paging_live;
static spinlock_t ioremap_lock = SPINLOCK_INIT;
static u64 ioremap_next = IOREMAP_BASE;

void *paddr_to_virt(paddr_t pa)
{
	return (void *)(DIRECTMAP_BASE + pa);
}

paddr_t virt_to_paddr(const void *va)
{
	u64 v = (u64)va;

	if (v >= KEEL_VIRT_OFFSET)
		return v - KEEL_VIRT_OFFSET;
	BUG_ON(v < DIRECTMAP_BASE || v >= DIRECTMAP_BASE + DIRECTMAP_SIZE);
	return v - DIRECTMAP_BASE;
}

static u64 *table_alloc(void)
{
	u64 *t = frame_alloc_zeroed_page();

	if (!t)
		panic("paging: out of memory for page tables");
	return t;
}

/* Walk to the table at @level (3 = PDPT, 2 = PD, 1 = PT) for @va, creating tables on the way. */
static u64 *walk_create(u64 va, int level)
{
	u64 *t = pml4;

	for (int l = 4; l > level; l--) {
		unsigned int idx = (va >> (12 + 9 * (l - 1))) & 511;

		if (!(t[idx] & PTE_P))
			t[idx] = virt_to_paddr(table_alloc()) | PTE_P | PTE_RW;
		BUG_ON(t[idx] & PTE_PS);
		t = paddr_to_virt(t[idx] & PTE_ADDR_MASK);
	}
	return t;
}

static void map_one(u64 va, paddr_t pa, int level, u64 flags)
{
	u64 *t = walk_create(va, level);
	unsigned int idx = (va >> (12 + 9 * (level - 1))) & 511;

	t[idx] = pa | flags | PTE_P | (level > 1 ? PTE_PS : 0);
	if (paging_live)
		invlpg((void *)va);
}

static void map_range_4k(u64 va, paddr_t pa, u64 len, u64 flags)
{
	for (u64 off = 0; off < len; off += PAGE_SIZE)
		map_one(va + off, pa + off, 1, flags);
}

static void map_image_section(const char *start, const char *end, u64 flags)
{
	u64 va = ALIGN_DOWN((u64)start, PAGE_SIZE);

	map_range_4k(va, va - KEEL_VIRT_OFFSET, ALIGN_UP((u64)end, PAGE_SIZE) - va, flags | PTE_G);
}

static void map_direct(paddr_t max_paddr, bool gbpages)
{
	u64 flags = PTE_RW | PTE_NX | PTE_G;
	paddr_t pa = 0;

	while (pa < max_paddr) {
		if (gbpages && IS_ALIGNED(pa, GiB(1)) &&
		    pa + GiB(1) <= ALIGN_UP(max_paddr, GiB(1))) {
			map_one(DIRECTMAP_BASE + pa, pa, 3, flags);
			pa += GiB(1);
		} else {
			map_one(DIRECTMAP_BASE + pa, pa, 2, flags);
			pa += MiB(2);
		}
	}
}

void paging_init(paddr_t max_paddr)
{
	struct cpuid_regs r;
	bool gbpages;

	cpuid(0x80000001, &r);
	gbpages = r.edx & (1u << 26);
	if (max_paddr < GiB(4))
		max_paddr = GiB(4);
	BUG_ON(max_paddr > DIRECTMAP_SIZE);

	pml4 = table_alloc();
	map_direct(max_paddr, gbpages);
	map_image_section(__text_start, __text_end, 0);
	map_image_section(__rodata_start, __rodata_end, PTE_NX);
	map_image_section(__data_start, __bss_end, PTE_RW | PTE_NX);
	map_image_section(__symtab_start, __image_end, PTE_NX);
	keel_cr3 = virt_to_paddr(pml4);
	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(keel_cr3);
	paging_live = true;
	pr_info("paging: direct map of %llu MiB (%s pages), image W^X with NX", max_paddr >> 20,
		gbpages ? "1G" : "2M");
}

void *ioremap(paddr_t pa, size_t len)
{
	u64 off = pa & (PAGE_SIZE - 1);
	u64 size = ALIGN_UP(len + off, PAGE_SIZE);
	unsigned long flags = spin_lock_irqsave(&ioremap_lock);
	u64 va = ioremap_next;

	if (va + size > IOREMAP_BASE + IOREMAP_SIZE)
		panic("ioremap: window exhausted mapping %llx+%zx", pa, len);
	ioremap_next += size;
	map_range_4k(va, pa - off, size, PTE_RW | PTE_NX | PTE_PCD | PTE_PWT | PTE_G);
	spin_unlock_irqrestore(&ioremap_lock, flags);
	return (void *)(va + off);
}

static spinlock_t stacks_lock = SPINLOCK_INIT;
static u64 stacks_next = STACKS_BASE;

void *stack_map(size_t size)
{
	unsigned int order = 0;
	unsigned long flags;
	paddr_t pa;
	u64 va;

	while ((PAGE_SIZE << order) < size)
		order++;
	pa = frame_alloc(order);
	if (pa == INVALID_PADDR)
		panic("paging: out of memory for a %zu-byte stack", size);
	flags = spin_lock_irqsave(&stacks_lock);
	va = stacks_next + PAGE_SIZE; /* the page below stays unmapped: an overflow faults */
	stacks_next = va + (PAGE_SIZE << order);
	if (stacks_next > STACKS_BASE + STACKS_SIZE)
		panic("paging: stack window exhausted");
	map_range_4k(va, pa, PAGE_SIZE << order, PTE_RW | PTE_NX | PTE_G);
	spin_unlock_irqrestore(&stacks_lock, flags);
	return (void *)(va + size);
}

u64 paging_lookup(u64 va, unsigned int *level)
{
	const u64 *t = pml4;

	for (unsigned int l = 4; l >= 1; l--) {
		u64 e = t[(va >> (12 + 9 * (l - 1))) & 511];

		if (!(e & PTE_P))
			return 0;
		if (l == 1 || (e & PTE_PS)) {
			*level = l;
			return e;
		}
		t = paddr_to_virt(e & PTE_ADDR_MASK);
	}
	return 0;
}
