/* Keel's virtual memory layout on x86-64 (shared by C and assembly). */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#define KEEL_PHYS_BASE	 0x200000
#define KEEL_VIRT_OFFSET 0xffffffff80000000
/* Direct map of all physical memory (PML4 slots 256..383, 64 TiB). */
#define DIRECTMAP_BASE 0xffff800000000000
#define DIRECTMAP_SIZE 0x0000400000000000
/* Uncached device mappings made by ioremap() (one PML4 slot, 512 GiB). */
#define IOREMAP_BASE 0xffffc00000000000
#define IOREMAP_SIZE 0x0000008000000000

/* CPU stacks, each with an unmapped guard page below it (one PML4 slot). */
#define STACKS_BASE 0xffffc08000000000
#define STACKS_SIZE 0x0000008000000000

#define BOOT_STACK_SIZE 0x4000
#define CPU_STACK_SIZE	0x4000
#define IST_STACK_SIZE	0x2000

/* Kernel segment selectors (per-CPU GDT). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS	  0x18

#endif
