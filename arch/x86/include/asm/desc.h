/* x86 descriptor tables: GDT, TSS with IST stacks, IDT. */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#include <keel/compiler.h>
#include <keel/types.h>

/* IST slots (1-based in the IDT; index-1 in tss.ist[]). */
#define IST_NMI	  1
#define IST_DF	  2
#define IST_MC	  3
#define IST_COUNT 3

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct gdt_page {
	u64 entries[8];
};

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

extern struct desc_ptr idt_descriptor;

void gdt_init_cpu(struct gdt_page *gdt, struct tss *tss);
void idt_init(void);
void idt_load(void);

#endif
