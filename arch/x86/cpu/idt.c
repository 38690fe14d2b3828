/* The interrupt descriptor table, shared by every CPU. */
#include <asm/desc.h>
#include <asm/layout.h>

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

extern const u64 trap_vector_table[256];
static struct idt_gate idt[256] __aligned(16);

static void idt_set_gate(unsigned int vec, u64 handler, unsigned int ist)
{
	struct idt_gate *g = &idt[vec];

	g->offset_lo = handler & 0xffff;
	g->selector = SEL_KCODE;
	g->ist = ist;
	g->type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_hi = handler >> 32;
	g->reserved = 0;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		idt_set_gate(v, trap_vector_table[v], 0);
	idt_set_gate(2, trap_vector_table[2], IST_NMI);
	idt_set_gate(8, trap_vector_table[8], IST_DF);
	idt_set_gate(18, trap_vector_table[18], IST_MC);
}

struct desc_ptr idt_descriptor;

void idt_load(void)
{
	idt_descriptor.limit = sizeof(idt) - 1;
	idt_descriptor.base = (u64)idt;
	__asm__ __volatile__("lidt %0" : : "m"(idt_descriptor));
}
