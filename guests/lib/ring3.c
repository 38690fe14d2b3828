/* Guest library: CPL 3 for one instruction: user segments, a TSS, a private IDT, the stubs. */
#include "ring3.h"
#include "trap.h"
#include "x86.h"

#include <stddef.h>

#define SEL_KCODE  0x08
#define SEL_KDATA  0x10
#define SEL_UDATA  0x20
#define SEL_UCODE  0x28
#define SEL_TSS	   0x30
#define NR_VECTORS 32

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t ist, type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi, reserved;
};

static uint64_t gdt[8] __attribute__((aligned(16))) = {
    0,
    0x00af9a000000ffffull, /* 0x08: 64-bit kernel code */
    0x00cf92000000ffffull, /* 0x10: kernel data */
    0x00cf9a000000ffffull, /* 0x18: 32-bit kernel code */
    0x00cff2000000ffffull, /* 0x20: user data, DPL 3 */
    0x00affa000000ffffull, /* 0x28: 64-bit user code, DPL 3 */
    0,
    0, /* 0x30: TSS, filled in */
};
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));
static uint8_t kernel_stack[4096] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static int ready;

/* Used by the assembly below: the CPL 0 stack to come back on, and what the fault saw. */
uint64_t ring3_saved_rsp;
struct ring3_result ring3_seen;
extern const char ring3_vectors[];
uint64_t ring3_enter(const void *stub, uint64_t rax, uint64_t rcx, uint64_t rdx, uint64_t rsp);

/* Vector stubs (16 bytes apart) normalise the frame: [vector, error code, RIP, CS, ...]. */
__asm__(".text\n"
	".p2align 4\n"
	".globl ring3_vectors\n"
	"ring3_vectors:\n"
	"vec = 0\n"
	".rept 32\n"
	".org ring3_vectors + vec * 16\n"
	".if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21)\n"
	"pushq $0\n"
	".endif\n"
	"pushq $vec\n"
	"jmp ring3_fault\n"
	"vec = vec + 1\n"
	".endr\n"
	"ring3_fault:\n"
	"movq %rax, ring3_seen+32(%rip)\n"
	"popq %rax\n"
	"movl %eax, ring3_seen+0(%rip)\n"
	"popq %rax\n"
	"movq %rax, ring3_seen+24(%rip)\n"
	"popq %rax\n"
	"movq %rax, ring3_seen+8(%rip)\n"
	"popq %rax\n"
	"movq %rax, ring3_seen+16(%rip)\n"
	"movq ring3_saved_rsp(%rip), %rsp\n"
	"movl $0x10, %eax\n"
	"movl %eax, %ss\n"
	"popq %r15\n"
	"popq %r14\n"
	"popq %r13\n"
	"popq %r12\n"
	"popq %rbp\n"
	"popq %rbx\n"
	"ret\n"
	/* ring3_enter(stub, rax, rcx, rdx, rsp): iretq to CPL 3. */
	".globl ring3_enter\n"
	"ring3_enter:\n"
	"pushq %rbx\n"
	"pushq %rbp\n"
	"pushq %r12\n"
	"pushq %r13\n"
	"pushq %r14\n"
	"pushq %r15\n"
	"movq %rsp, ring3_saved_rsp(%rip)\n"
	"pushq $0x23\n"
	"pushq %r8\n"
	"pushq $0x2\n"
	"pushq $0x2b\n"
	"pushq %rdi\n"
	"movq %rsi, %rax\n"
	"movq %rdx, %r9\n"
	"movq %rcx, %rdx\n"
	"movq %r9, %rcx\n"
	"iretq\n"
	/* The stubs: the instruction under test, then ud2 to come back if it did not fault. */
	".globl ring3_xsetbv, ring3_xsetbv_insn\n"
	"ring3_xsetbv:\n"
	"ring3_xsetbv_insn: xsetbv\n"
	"ud2\n"
	".globl ring3_read_dr0, ring3_read_dr0_insn\n"
	"ring3_read_dr0:\n"
	"ring3_read_dr0_insn: movq %dr0, %rax\n"
	"ud2\n"
	".globl ring3_write_dr7, ring3_write_dr7_insn\n"
	"ring3_write_dr7:\n"
	"ring3_write_dr7_insn: movq %rax, %dr7\n"
	"ud2\n"
	".globl ring3_nop, ring3_nop_insn\n"
	"ring3_nop:\n"
	"ring3_nop_insn: ud2\n");

_Static_assert(offsetof(struct ring3_result, rip) == 8 && offsetof(struct ring3_result, cs) == 16 &&
		   offsetof(struct ring3_result, err) == 24 &&
		   offsetof(struct ring3_result, rax) == 32,
	       "ring3_fault stores at these offsets");

/* Make the first 2 MiB (image, stacks, page tables) reachable from CPL 3. */
static void make_low_memory_user(void)
{
	uint64_t cr3, *pml4, *pdpt, *pd;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(uintptr_t)(cr3 & ~0xfffull);
	pml4[0] |= 4;
	pdpt = (uint64_t *)(uintptr_t)(pml4[0] & 0x000ffffffffff000ull);
	pdpt[0] |= 4;
	pd = (uint64_t *)(uintptr_t)(pdpt[0] & 0x000ffffffffff000ull);
	pd[0] |= 4;
	asm volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}

void ring3_init(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};

	if (ready)
		return;
	tss.rsp[0] = (uint64_t)(uintptr_t)(kernel_stack + sizeof(kernel_stack));
	tss.iomap_base = sizeof(tss);
	gdt[6] = (sizeof(tss) - 1) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((base >> 24) & 0xff) << 56);
	gdt[7] = base >> 32;
	for (int v = 0; v < NR_VECTORS; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(ring3_vectors + v * 16);

		idt[v].offset_lo = (uint16_t)a;
		idt[v].selector = SEL_KCODE;
		idt[v].ist = 0;
		idt[v].type_attr = 0x8e;
		idt[v].offset_mid = (uint16_t)(a >> 16);
		idt[v].offset_hi = (uint32_t)(a >> 32);
		idt[v].reserved = 0;
	}
	/* Same kernel selectors as the boot GDT, so CS/SS/DS need no reload. */
	asm volatile("lgdt %0" ::"m"(gdtr) : "memory");
	asm volatile("ltr %w0" ::"r"(SEL_TSS) : "memory");
	make_low_memory_user();
	ready = 1;
}

struct ring3_result ring3_run(const void *stub, uint64_t rax, uint64_t rcx, uint64_t rdx)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
	uint64_t flags;

	ring3_init();
	asm volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	asm volatile("lidt %0" ::"m"(idtr) : "memory");
	ring3_seen = (struct ring3_result){.vector = -1};
	ring3_enter(stub, rax, rcx, rdx, (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack)));
	trap_load_idt();
	if (flags & (1u << 9))
		irq_enable();
	return ring3_seen;
}
