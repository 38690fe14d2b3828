/* Keel's own page tables: the direct map, the W^X image mapping and uncached device mappings. */
#ifndef ASM_PAGING_H
#define ASM_PAGING_H

#include <keel/bootinfo.h>
#include <keel/types.h>

#define PTE_P	      (1ULL << 0)
#define PTE_RW	      (1ULL << 1)
#define PTE_US	      (1ULL << 2)
#define PTE_PWT	      (1ULL << 3)
#define PTE_PCD	      (1ULL << 4)
#define PTE_A	      (1ULL << 5)
#define PTE_D	      (1ULL << 6)
#define PTE_PS	      (1ULL << 7)
#define PTE_G	      (1ULL << 8)
#define PTE_NX	      (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Build the final page tables covering [0, max_paddr) and switch to them (boot CPU). */
void paging_init(paddr_t max_paddr);
/* Physical address of the final PML4 (loaded by every CPU). */
extern paddr_t keel_cr3;
/* Map a fresh stack of @size bytes with an unmapped guard page below it; returns its top. */
void *stack_map(size_t size);
/* The leaf entry mapping @va in Keel's tables (for checks), or 0 when unmapped. */
u64 paging_lookup(u64 va, unsigned int *level);

#endif
