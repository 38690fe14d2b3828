/* Per-CPU GDT and TSS: kernel code/data segments and the IST stacks for NMI, #DF and #MC. */
#include <asm/desc.h>
#include <asm/layout.h>
#include <keel/string.h>

void gdt_init_cpu(struct gdt_page *gdt, struct tss *tss)
{
	u64 base = (u64)tss;
	u64 limit = sizeof(*tss) - 1;
	struct desc_ptr ptr;

	memset(gdt, 0, sizeof(*gdt));
	gdt->entries[SEL_KCODE >> 3] = 0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
	gdt->entries[SEL_KDATA >> 3] = 0x00cf92000000ffffULL; /* data, DPL 0 */
	/* 16-byte available 64-bit TSS descriptor. */
	gdt->entries[SEL_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
				     (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
				     (((base >> 24) & 0xff) << 56);
	gdt->entries[(SEL_TSS >> 3) + 1] = base >> 32;
	tss->iomap_base = sizeof(*tss); /* no I/O bitmap */

	ptr.limit = sizeof(*gdt) - 1;
	ptr.base = (u64)gdt;
	__asm__ __volatile__("lgdt %0\n\t"
			     "movl %1, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "pushq %2\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "ltr %w3"
			     :
			     : "m"(ptr), "i"(SEL_KDATA), "i"(SEL_KCODE), "r"(SEL_TSS)
			     : "rax", "memory");
}
