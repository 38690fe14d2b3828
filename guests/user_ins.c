/*
 * Test guest user_ins: Keel's emulated INS/OUTS and MMIO act with the guest's own rights: a ring-3
 * process with I/O permission cannot write (or read) its kernel's pages through Keel, CR0.WP and
 * SMAP hold, and segment bases and address sizes are honoured.
 */
#include "console.h"
#include "fmt.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

const char guest_name[] = "user_ins";

#define PORT_NONE    0x80 /* no device behind it: reads all ones */
#define PORT_CONSOLE 0xe9
#define MMIO_NONE    0xfec00000u /* the unclaimed device window: loads read all ones */
#define MSR_FS_BASE  0xc0000100u
#define CR0_WP	     (1ull << 16)
#define CR0_CD	     (1ull << 30)
#define CR4_SMAP     (1ull << 21)
#define PTE_P	     1ull
#define PTE_W	     2ull
#define PTE_U	     4ull
#define FILL	     0x5a
#define RFLAGS_USER  0x3002ull /* IOPL 3, interrupts off */

/* Our own GDT: the library's selectors first, then user segments and a TSS. */
#define SEL_KCODE64	  0x08
#define SEL_KDATA	  0x10
#define SEL_KCODE32_BASED 0x20 /* 32-bit kernel code with base CODE_BASE */
#define SEL_UCODE32	  0x2b
#define SEL_UDATA	  0x33
#define SEL_UCODE64	  0x3b
#define SEL_UDATA_BASED	  0x43 /* user data whose base each test sets */
#define SEL_TSS		  0x48
#define CODE_BASE	  0x1000u

/* The test window: 4 KiB pages at 1 GiB, in place of the first 2 MiB page there. */
#define WIN 0x40000000ull
enum { PG_UCODE, PG_USTACK, PG_DECOY, PG_UDATA, PG_SUP, PG_RO, PG_UDATA2, PG_SMAP, NPAGES };
#define VA(pg) (WIN + (uint64_t)(pg)*4096)

extern uint64_t pml4[512];
static uint64_t gdt[12] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t kstack[16384] __attribute__((aligned(16)));
static uint64_t win_pt[512] __attribute__((aligned(4096)));
static uint8_t pages[NPAGES][4096] __attribute__((aligned(4096)));
static uint8_t mmio_code[8192] __attribute__((aligned(4096)));

/* Ring-3 snippets, run through an alias of their page that is user-accessible. */
asm(".pushsection .text.user, \"ax\"\n"
    ".p2align 12\n"
    "user_code_start:\n"
    "u64_insb: rep insb\n"
    "	ud2\n"
    "u64_outsb: rep outsb\n"
    "	ud2\n"
    ".code32\n"
    "u32_insb_es: mov %eax, %es\n"
    "	rep insb\n"
    "	ud2\n"
    "u32_insb_es_a16: mov %eax, %es\n"
    "	.byte 0x67, 0xf3, 0x6c\n" /* addr16 rep insb: ES:DI, CX */
    "	ud2\n"
    ".code64\n"
    ".popsection\n");
extern const char user_code_start[], u64_insb[], u64_outsb[], u32_insb_es[], u32_insb_es_a16[];
#define UADDR(sym) (VA(PG_UCODE) + (uint64_t)((sym)-user_code_start))

/* Enter ring 3 with these registers; an exception there comes back to user_return. */
struct user_regs {
	uint64_t rip, cs, rflags, rsp, ss, rax, rcx, rdx, rsi, rdi;
};
void user_run(const struct user_regs *r);
void user_return(void);
uint64_t user_kernel_rsp;
asm(".text\n"
    "user_run:\n"
    "	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
    "	mov %rsp, user_kernel_rsp(%rip)\n"
    "	pushq 32(%rdi)\n	pushq 24(%rdi)\n	pushq 16(%rdi)\n	pushq 8(%rdi)\n	pushq 0(%rdi)\n"
    "	mov 40(%rdi), %rax\n	mov 48(%rdi), %rcx\n	mov 56(%rdi), %rdx\n"
    "	mov 64(%rdi), %rsi\n	mov 72(%rdi), %rdi\n"
    "	iretq\n"
    "user_return:\n"
    "	mov $0x10, %eax\n	mov %eax, %ds\n	mov %eax, %es\n"
    "	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
    "	ret\n");

/* What ended the last ring-3 run. */
static struct {
	uint64_t vector, error, cr2, rip, rcx, rsi, rdi;
} ur;

static int user_trap(struct trap_frame *f)
{
	if ((f->cs & 3) != 3)
		return 0;
	ur.vector = f->vector;
	ur.error = f->error_code;
	ur.cr2 = read_cr2();
	ur.rip = f->rip;
	ur.rcx = f->rcx;
	ur.rsi = f->rsi;
	ur.rdi = f->rdi;
	f->rip = (uint64_t)(uintptr_t)user_return;
	f->cs = SEL_KCODE64;
	f->ss = SEL_KDATA;
	f->rsp = user_kernel_rsp;
	f->rflags = 0x2;
	return 1;
}

static void run_user(uint64_t rip, int compat, uint64_t rax, uint64_t rcx, uint64_t rsi,
		     uint64_t rdi)
{
	struct user_regs r = {rip,	   compat ? SEL_UCODE32 : SEL_UCODE64,
			      RFLAGS_USER, VA(PG_USTACK) + 4096 - 64,
			      SEL_UDATA,   rax,
			      rcx,	   PORT_NONE,
			      rsi,	   rdi};

	ur.vector = ~0ull;
	user_run(&r);
}

static int failures;

static void check(int ok, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	con_printf("user_ins: FAILED: %s\n", why);
	failures++;
}

static int page_is(int pg, unsigned int from, unsigned int to, uint8_t val)
{
	for (unsigned int i = from; i < to; i++)
		if (pages[pg][i] != val)
			return 0;
	return 1;
}

static void fill_pages(void)
{
	for (int pg = PG_DECOY; pg < NPAGES; pg++)
		for (unsigned int i = 0; i < 4096; i++)
			pages[pg][i] = FILL;
}

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (limit & 0xffffull) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

static void set_user_data_base(uint32_t base)
{
	gdt[SEL_UDATA_BASED >> 3] = seg_desc(base, 0xfffff, 0xf2, 0xc);
}

static void setup_gdt_and_tss(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};
	uint64_t t = (uint64_t)(uintptr_t)&tss;

	gdt[1] = seg_desc(0, 0xfffff, 0x9a, 0xa);	  /* 0x08 kernel code, 64-bit */
	gdt[2] = seg_desc(0, 0xfffff, 0x92, 0xc);	  /* 0x10 kernel data */
	gdt[3] = seg_desc(0, 0xfffff, 0x9a, 0xc);	  /* 0x18 kernel code, 32-bit */
	gdt[4] = seg_desc(CODE_BASE, 0xfffff, 0x9a, 0xc); /* 0x20 kernel code, 32-bit, based */
	gdt[5] = seg_desc(0, 0xfffff, 0xfa, 0xc);	  /* 0x28 user code, 32-bit */
	gdt[6] = seg_desc(0, 0xfffff, 0xf2, 0xc);	  /* 0x30 user data */
	gdt[7] = seg_desc(0, 0xfffff, 0xfa, 0xa);	  /* 0x38 user code, 64-bit */
	set_user_data_base(0);				  /* 0x40 */
	gdt[9] = seg_desc((uint32_t)t, sizeof(tss) - 1, 0x89, 0);
	gdt[10] = t >> 32;
	tss.rsp[0] = (uint64_t)(uintptr_t)(kstack + sizeof(kstack));
	tss.iomap_base = sizeof(tss);
	asm volatile("lgdt %0\n\t"
		     "pushq $0x08\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "mov $0x10, %%eax\n\t"
		     "mov %%eax, %%ds\n\t"
		     "mov %%eax, %%es\n\t"
		     "mov %%eax, %%ss\n\t"
		     "mov $0x48, %%eax\n\t"
		     "ltr %%ax"
		     :
		     : "m"(gdtr)
		     : "rax", "memory");
}

/* The window's pages: user code and stack, a decoy, user data, the kernel's page, a read-only one. */
static void setup_pages(void)
{
	uint64_t *pdpt = (uint64_t *)(uintptr_t)(pml4[0] & ~0xfffull);
	uint64_t *pd1 = (uint64_t *)(uintptr_t)(pdpt[1] & ~0xfffull);
	uint64_t cr3;

	win_pt[PG_UCODE] = (uint64_t)(uintptr_t)user_code_start | PTE_P | PTE_U;
	for (int pg = PG_USTACK; pg < NPAGES; pg++)
		win_pt[pg] = (uint64_t)(uintptr_t)pages[pg] | PTE_P | PTE_W | PTE_U;
	win_pt[PG_SUP] = (uint64_t)(uintptr_t)pages[PG_SUP] | PTE_P | PTE_W; /* kernel only */
	win_pt[PG_RO] = (uint64_t)(uintptr_t)pages[PG_RO] | PTE_P;	     /* kernel, read-only */
	pd1[0] = (uint64_t)(uintptr_t)win_pt | PTE_P | PTE_W | PTE_U;
	pdpt[1] |= PTE_U;
	pml4[0] |= PTE_U;
	asm volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(cr3)::"memory");
}

/* Ring 3, 64-bit, IOPL 3: rep insb into its own page works, into the kernel's faults. */
static void test_user_ins(void)
{
	int before = failures;

	fill_pages();
	run_user(UADDR(u64_insb), 0, 0, 8, 0, VA(PG_UDATA));
	check(ur.vector == X86_EXC_UD && page_is(PG_UDATA, 0, 8, 0xff) &&
		  page_is(PG_UDATA, 8, 4096, FILL) && ur.rdi == VA(PG_UDATA) + 8 && ur.rcx == 0,
	      "user rep insb into a user page: vector %lu, rdi %#lx, rcx %lu", ur.vector, ur.rdi,
	      ur.rcx);

	fill_pages();
	run_user(UADDR(u64_insb), 0, 0, 16, 0, VA(PG_SUP) + 0x10);
	check(page_is(PG_SUP, 0, 4096, FILL), "user rep insb overwrote the kernel-only page");
	check(ur.vector == X86_EXC_PF && ur.error == 7 && ur.cr2 == VA(PG_SUP) + 0x10 &&
		  ur.rip == UADDR(u64_insb) && ur.rcx == 16 && ur.rdi == VA(PG_SUP) + 0x10,
	      "user rep insb into the kernel page: vector %lu error %#lx cr2 %#lx rcx %lu "
	      "(expected #PF 0x7 at %#lx, rcx 16)",
	      ur.vector, ur.error, ur.cr2, ur.rcx, VA(PG_SUP) + 0x10);

	/* Running off the end of a user page into the kernel's: stops exactly at the boundary. */
	fill_pages();
	run_user(UADDR(u64_insb), 0, 0, 8, 0, VA(PG_SUP) - 4);
	check(page_is(PG_SUP, 0, 4096, FILL) && page_is(PG_UDATA, 4092, 4096, 0xff) &&
		  ur.vector == X86_EXC_PF && ur.error == 7 && ur.cr2 == VA(PG_SUP) && ur.rcx == 4 &&
		  ur.rdi == VA(PG_SUP),
	      "user rep insb across into the kernel page: vector %lu error %#lx cr2 %#lx rcx %lu",
	      ur.vector, ur.error, ur.cr2, ur.rcx);
	if (failures == before)
		con_printf("user_ins: ring-3 INS into the kernel's page: #PF error %#lx at %#lx\n",
			   ur.error, ur.cr2);
}

/* Ring 3 OUTS from the kernel's page reads it: a #PF (present, user, read). */
static void test_user_outs(void)
{
	fill_pages();
	run_user(UADDR(u64_outsb), 0, 0, 1, VA(PG_SUP), 0);
	check(ur.vector == X86_EXC_PF && ur.error == 5 && ur.cr2 == VA(PG_SUP),
	      "user outsb from the kernel page: vector %lu error %#lx cr2 %#lx", ur.vector,
	      ur.error, ur.cr2);
}

/* Ring 3, 32-bit code: INS writes ES:EDI with ES's base; with addr16, ES:DI and CX. */
static void test_user_segments(void)
{
	uint64_t off = VA(PG_DECOY); /* where a base-blind INS would write */
	int before = failures;

	fill_pages();
	set_user_data_base((uint32_t)(VA(PG_UDATA2) - off));
	run_user(UADDR(u32_insb_es), 1, SEL_UDATA_BASED, 4, 0, off);
	check(ur.vector == X86_EXC_UD && page_is(PG_UDATA2, 0, 4, 0xff) &&
		  page_is(PG_DECOY, 0, 4096, FILL) && (uint32_t)ur.rdi == off + 4,
	      "32-bit user rep insb with an ES base: vector %lu, edi %#lx", ur.vector, ur.rdi);

	fill_pages();
	set_user_data_base((uint32_t)(VA(PG_SUP) - off));
	run_user(UADDR(u32_insb_es), 1, SEL_UDATA_BASED, 4, 0, off);
	check(
	    ur.vector == X86_EXC_PF && ur.error == 7 && ur.cr2 == VA(PG_SUP) &&
		page_is(PG_SUP, 0, 4096, FILL) && page_is(PG_DECOY, 0, 4096, FILL),
	    "32-bit user rep insb with ES based at the kernel page: vector %lu error %#lx cr2 %#lx",
	    ur.vector, ur.error, ur.cr2);

	fill_pages();
	set_user_data_base((uint32_t)VA(PG_UDATA2));
	run_user(UADDR(u32_insb_es_a16), 1, SEL_UDATA_BASED, 0x12340003, 0, 0xabcd0010);
	check(ur.vector == X86_EXC_UD && page_is(PG_UDATA2, 0x10, 0x13, 0xff) &&
		  page_is(PG_UDATA2, 0x13, 4096, FILL) && page_is(PG_UDATA2, 0, 0x10, FILL) &&
		  (uint32_t)ur.rdi == 0xabcd0013 && (uint32_t)ur.rcx == 0x12340000,
	      "16-bit-address user rep insb: vector %lu error %#lx, edi %#lx ecx %#lx", ur.vector,
	      ur.error, ur.rdi, ur.rcx);
	set_user_data_base(0);
	if (failures == before)
		con_printf("user_ins: 32-bit INS honours the ES base and 16-bit addresses\n");
}

static int kernel_insb(uint64_t dst, uint64_t count)
{
	return TRY_INSN(X86_EXC_PF, "rep insb", "+D"(dst), "+c"(count) : "d"(PORT_NONE) : "memory");
}

/* Ring 0 with CR0.WP: a read-only page stays read-only, also when Keel's shadow is stale. */
static void test_kernel_write_protect(void)
{
	uint64_t cr0 = read_cr0();
	int v;

	fill_pages();
	v = kernel_insb(VA(PG_RO) + 8, 4);
	check(v == X86_EXC_PF && trap_try.error_code == 3 && trap_try.cr2 == VA(PG_RO) + 8 &&
		  page_is(PG_RO, 0, 4096, FILL),
	      "kernel rep insb into a read-only page (WP): vector %d error %#lx cr2 %#lx", v,
	      (unsigned long)trap_try.error_code, (unsigned long)trap_try.cr2);
	/*
	 * CR0.WP is the guest's own bit (no exit). Clear it together with a bit Keel owns (CD), so
	 * Keel records WP clear, then set only WP again: the real CR0 has WP, Keel's copy does not.
	 */
	write_cr0((cr0 | CR0_CD) & ~CR0_WP);
	write_cr0(cr0 & ~CR0_WP);
	write_cr0(cr0);
	v = kernel_insb(VA(PG_RO) + 8, 4);
	check(v == X86_EXC_PF && trap_try.error_code == 3 && page_is(PG_RO, 0, 4096, FILL),
	      "kernel rep insb into a read-only page after WP was set without an exit: vector %d, "
	      "page %s",
	      v, page_is(PG_RO, 0, 4096, FILL) ? "untouched" : "overwritten");
	/* Without WP the kernel may write it, through Keel too. */
	write_cr0(cr0 & ~CR0_WP);
	v = kernel_insb(VA(PG_RO) + 8, 4);
	write_cr0(cr0);
	check(v == -1 && page_is(PG_RO, 8, 12, 0xff), "kernel rep insb with WP clear: vector %d",
	      v);
}

/* Ring 0, 64-bit, addr32: EDI and ECX only, and their upper halves are cleared. */
static void test_kernel_addr32(void)
{
	uint64_t dst = 0xffffffff00000000ull | (VA(PG_UDATA) + 0x100);
	uint64_t count = 0xffffffff00000002ull;
	int v;

	fill_pages();
	v = TRY_INSN(X86_EXC_PF, "addr32 rep insb", "+D"(dst), "+c"(count)
		     : "d"(PORT_NONE)
		     : "memory");
	check(v == -1 && page_is(PG_UDATA, 0x100, 0x102, 0xff) &&
		  page_is(PG_UDATA, 0x102, 0x103, FILL) && dst == VA(PG_UDATA) + 0x102 &&
		  count == 0,
	      "addr32 rep insb: vector %d, rdi %#lx rcx %#lx", v, (unsigned long)dst,
	      (unsigned long)count);
}

/* Ring 0, 64-bit: OUTS with an FS override reads through FS's base (the line goes to 0xE9). */
static void test_kernel_outs_fs(void)
{
	static const char msg[] = "user_ins: outs through fs ok\n";
	uint64_t src = 0x100, count = sizeof(msg) - 1;

	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)msg - src);
	asm volatile("rep outsb %%fs:(%%rsi), (%%dx)"
		     : "+S"(src), "+c"(count)
		     : "d"(PORT_CONSOLE)
		     : "memory");
	wrmsr(MSR_FS_BASE, 0);
	check(count == 0 && src == 0x100 + sizeof(msg) - 1, "rep outsb with fs: rsi %#lx rcx %lu",
	      (unsigned long)src, (unsigned long)count);
}

/* Ring 0 with CR4.SMAP: the kernel reaches a user page through Keel only with RFLAGS.AC. */
static void test_kernel_smap(void)
{
	uint64_t cr4 = read_cr4();
	int v1, v2;
	uint64_t err1;

	if (!(cpuid_count(7, 0).ebx & (1u << 20))) {
		con_printf("user_ins: SMAP not offered by this CPU: skipped\n");
		return;
	}
	fill_pages();
	write_cr4(cr4 | CR4_SMAP);
	v1 = kernel_insb(VA(PG_SMAP), 4);
	err1 = trap_try.error_code;
	asm volatile("stac" ::: "memory");
	v2 = kernel_insb(VA(PG_SMAP) + 0x20, 4);
	asm volatile("clac" ::: "memory");
	write_cr4(cr4);
	check(v1 == X86_EXC_PF && err1 == 3 && page_is(PG_SMAP, 0, 0x20, FILL),
	      "kernel rep insb into a user page under SMAP: vector %d error %#lx", v1,
	      (unsigned long)err1);
	check(v2 == -1 && page_is(PG_SMAP, 0x20, 0x24, 0xff),
	      "kernel rep insb into a user page under SMAP with AC: vector %d", v2);
	if (v1 == X86_EXC_PF && v2 == -1)
		con_printf("user_ins: SMAP holds for emulated INS (AC opens it)\n");
}

/* Ring 0, 32-bit code with a CS base: Keel decodes the MMIO instruction at CS.base + EIP. */
static void test_mmio_cs_base(void)
{
	static const uint8_t real[] = {0x8b, 0x03, 0xcb};  /* mov (%ebx), %eax; lret */
	static const uint8_t decoy[] = {0x8a, 0x03, 0xcb}; /* mov (%ebx), %al; lret */
	struct __attribute__((packed)) {
		uint32_t eip;
		uint16_t sel;
	} target = {(uint32_t)(uintptr_t)(mmio_code + 4096) - CODE_BASE, SEL_KCODE32_BASED};
	uint32_t eax = 0x12345600;

	for (unsigned int i = 0; i < sizeof(real); i++) {
		mmio_code[4096 + i] = real[i];
		mmio_code[4096 - CODE_BASE + i] = decoy[i];
	}
	asm volatile("lcall *%1" : "+a"(eax) : "m"(target), "b"(MMIO_NONE) : "memory");
	check(eax == 0xffffffffu, "MMIO load in 32-bit code with a CS base: eax %#x", eax);
}

void guest_main(void)
{
	test_require_hv();
	setup_gdt_and_tss();
	setup_pages();
	trap_hook = user_trap;
	test_kernel_outs_fs();
	test_user_ins();
	test_user_outs();
	test_user_segments();
	test_kernel_write_protect();
	test_kernel_addr32();
	test_kernel_smap();
	test_mmio_cs_base();
	trap_hook = 0;
	if (failures)
		test_fail("%d check(s) failed (see above)", failures);
	test_pass();
}
