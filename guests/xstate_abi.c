/* Test guest xstate_abi: XSETBV, CR4 and MOV-DR fault as the architecture says; CPUID 0xD adds up. */
#include "console.h"
#include "cpuregs.h"
#include "ring3.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

const char guest_name[] = "xstate_abi";

/* The XSAVE components a guest may ever be offered (x87, SSE, AVX, AVX-512, PKRU). */
#define XCR0_KNOWN	    (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | (1ull << 9))
#define CPUID7_EBX_AVX2	    (1u << 5)
#define CPUID7_EBX_FSGSBASE (1u << 0)
#define CPUID7_ECX_UMIP	    (1u << 2)
#define CPUID7_ECX_PKU	    (1u << 3)
#define CPUIDD1_XSAVES	    (1u << 3)
#define DR6_RESET	    0xffff0ff0ull
#define DR7_RESET	    0x400ull
#define XSAVE_CANARY	    0xa5

static uint8_t xsave_buf[8192 + 64] __attribute__((aligned(64)));

static const char *vec_name(int v)
{
	switch (v) {
	case -1:
		return "no exception";
	case X86_EXC_UD:
		return "#UD";
	case X86_EXC_GP:
		return "#GP";
	case X86_EXC_PF:
		return "#PF";
	default:
		return "another exception";
	}
}

static void expect(int got, int want, const char *what)
{
	if (got != want)
		test_fail("%s: %s (%d), expected %s", what, vec_name(got), got, vec_name(want));
}

static int try_xsetbv(uint32_t index, uint64_t v, int vector)
{
	return TRY_INSN(vector, "xsetbv",
			: "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			: "memory");
}

static int try_cr4(uint64_t v)
{
	return TRY_INSN(X86_EXC_GP, "mov %0, %%cr4", : "r"(v) : "memory");
}

/* A CPL 3 run of @stub must fault with @want exactly at @insn, in ring 3. */
static void expect_ring3(const char *stub, const char *insn, uint64_t rax, uint64_t rcx, int want,
			 const char *what)
{
	struct ring3_result r = ring3_run(stub, rax, rcx, 0);

	if ((r.cs & 3) != 3)
		test_fail("%s: the exception came from CS %#lx, not from ring 3", what,
			  (unsigned long)r.cs);
	if (r.vector == X86_EXC_UD && r.rip == (uint64_t)(uintptr_t)insn + 3)
		test_fail("%s: no exception at CPL 3 (ran on to the ud2)", what);
	expect(r.vector, want, what);
	if (r.rip != (uint64_t)(uintptr_t)insn)
		test_fail("%s: faulted at %#lx, not at the instruction %#lx", what,
			  (unsigned long)r.rip, (unsigned long)(uintptr_t)insn);
}

/* MOV-DR: first while Keel still intercepts it, then natively once the guest owns its DRs. */
static void check_mov_dr(void)
{
	uint64_t v = 0;
	struct ring3_result r;

	r = ring3_run(ring3_nop, 0, 0, 0);
	if (r.vector != X86_EXC_UD || (r.cs & 3) != 3 ||
	    r.rip != (uint64_t)(uintptr_t)ring3_nop_insn)
		test_fail("cannot run at CPL 3: %s at %#lx, CS %#lx", vec_name(r.vector),
			  (unsigned long)r.rip, (unsigned long)r.cs);
	for (int pass = 0; pass < 2; pass++) {
		const char *how = pass ? " (native)" : " (first access)";

		write_cr4(read_cr4() | CR4_DE);
		expect(TRY_INSN(X86_EXC_UD, "mov %%dr4, %0", "=r"(v)), X86_EXC_UD,
		       pass ? "mov from DR4 with CR4.DE (native)" : "mov from DR4 with CR4.DE");
		expect(TRY_INSN(X86_EXC_UD, "mov %0, %%dr5",
				: "r"(DR7_RESET)),
		       X86_EXC_UD,
		       pass ? "mov to DR5 with CR4.DE (native)" : "mov to DR5 with CR4.DE");
		expect_ring3(ring3_read_dr0, ring3_read_dr0_insn, 0, 0, X86_EXC_GP,
			     pass ? "mov from DR0 at CPL 3 (native)" : "mov from DR0 at CPL 3");
		expect_ring3(ring3_write_dr7, ring3_write_dr7_insn, DR7_RESET, 0, X86_EXC_GP,
			     pass ? "mov to DR7 at CPL 3 (native)" : "mov to DR7 at CPL 3");
		write_cr4(read_cr4() & ~CR4_DE);
		/* Without CR4.DE, DR4 and DR5 are DR6 and DR7. */
		asm volatile("mov %%dr4, %0" : "=r"(v));
		if (v != DR6_RESET)
			test_fail("DR4 (= DR6) reads %#lx, expected %#lx%s", (unsigned long)v,
				  (unsigned long)DR6_RESET, how);
		asm volatile("mov %%dr5, %0" : "=r"(v));
		if (v != DR7_RESET)
			test_fail("DR5 (= DR7) reads %#lx, expected %#lx%s", (unsigned long)v,
				  (unsigned long)DR7_RESET, how);
	}
	con_printf(
	    "xstate_abi: MOV-DR: #UD for DR4/DR5 with CR4.DE, #GP at CPL 3, aliases right\n");
}

/* Standard-format size for @xcr0 from the sub-leaves, as leaf 0xD.0 EBX must say. */
static uint32_t std_size(uint64_t xcr0)
{
	uint32_t size = 576;

	for (unsigned int i = 2; i < 63; i++) {
		struct cpuid_regs r;

		if (!(xcr0 & (1ull << i)))
			continue;
		r = cpuid_count(0xd, i);
		if (r.ebx + r.eax > size)
			size = r.ebx + r.eax;
	}
	return size;
}

static void check_leaf_d(uint64_t offered)
{
	struct cpuid_regs r = cpuid_count(0xd, 0), r1 = cpuid(1), r7 = cpuid_count(7, 0);

	if (r.edx || (r.eax & ~XCR0_KNOWN))
		test_fail("CPUID.0xD.0 offers components %#x:%08x Keel does not switch", r.edx,
			  r.eax);
	if ((r.eax & (XCR0_X87 | XCR0_SSE)) != (XCR0_X87 | XCR0_SSE))
		test_fail("CPUID.0xD.0 EAX %#x lacks x87 or SSE", r.eax);
	if (!!(r1.ecx & CPUID1_ECX_AVX) != !!(offered & XCR0_AVX))
		test_fail("CPUID.1 AVX %d but the AVX component %s offered",
			  !!(r1.ecx & CPUID1_ECX_AVX), (offered & XCR0_AVX) ? "is" : "is not");
	if ((r7.ebx & CPUID7_EBX_AVX2) && !(offered & XCR0_AVX))
		test_fail("AVX2 offered without the AVX component");
	if (!!(r7.ebx & CPUID7_EBX_AVX512F) != ((offered & XCR0_AVX512) == XCR0_AVX512))
		test_fail("AVX512F %d with AVX-512 components %#lx",
			  !!(r7.ebx & CPUID7_EBX_AVX512F), (unsigned long)(offered & XCR0_AVX512));
	if (r.ebx != std_size(xcr_get(0)))
		test_fail("CPUID.0xD.0 EBX %u for XCR0 %#lx, expected %u", r.ebx,
			  (unsigned long)xcr_get(0), std_size(xcr_get(0)));
	if (r.ecx != std_size(offered))
		test_fail("CPUID.0xD.0 ECX %u, expected %u", r.ecx, std_size(offered));
	r = cpuid_count(0xd, 1);
	if ((r.eax & CPUIDD1_XSAVES) || r.ecx || r.edx)
		test_fail("CPUID.0xD.1 %#x/%#x/%#x offers XSAVES or supervisor components", r.eax,
			  r.ecx, r.edx);
	for (unsigned int i = 2; i < 64; i++) {
		r = cpuid_count(0xd, i);
		if (!(offered & (1ull << i)) || i == 63) {
			if (r.eax | r.ebx | r.ecx | r.edx)
				test_fail(
				    "CPUID.0xD.%u is %#x/%#x/%#x/%#x for a component not offered",
				    i, r.eax, r.ebx, r.ecx, r.edx);
		} else if (!r.eax || r.ebx < 576 || (r.ecx & 1) || r.edx) {
			test_fail("CPUID.0xD.%u = %#x/%#x/%#x/%#x: not a user component", i, r.eax,
				  r.ebx, r.ecx, r.edx);
		}
	}
}

/* XSAVE for @xcr0 fits in the size leaf 0xD.0 EBX gives, and saves only what XCR0 enables. */
static void check_xsave_size(void)
{
	uint32_t size = cpuid_count(0xd, 0).ebx;
	uint64_t xcr0 = xcr_get(0), bv;

	if (size + 64 > sizeof(xsave_buf))
		test_fail("XSAVE size %u larger than expected", size);
	for (unsigned int i = 0; i < sizeof(xsave_buf); i++)
		xsave_buf[i] = i < size ? 0 : XSAVE_CANARY;
	asm volatile("xsave64 (%0)" ::"r"(xsave_buf), "a"(~0u), "d"(~0u) : "memory");
	for (unsigned int i = size; i < sizeof(xsave_buf); i++)
		if (xsave_buf[i] != XSAVE_CANARY)
			test_fail(
			    "XSAVE with XCR0 %#lx wrote byte %u, beyond the %u of CPUID.0xD.0",
			    (unsigned long)xcr0, i, size);
	bv = *(uint64_t *)&xsave_buf[512];
	if (bv & ~xcr0)
		test_fail("XSTATE_BV %#lx has components outside XCR0 %#lx", (unsigned long)bv,
			  (unsigned long)xcr0);
}

static void check_xsetbv(uint64_t offered)
{
	static const uint64_t bad[] = {
	    0,
	    XCR0_SSE,
	    XCR0_AVX | XCR0_SSE,	       /* x87 missing */
	    XCR0_X87 | XCR0_AVX,	       /* AVX without SSE */
	    XCR0_X87 | XCR0_SSE | (1ull << 5), /* AVX-512 partly */
	    XCR0_X87 | XCR0_SSE | XCR0_AVX | (3ull << 5),
	    XCR0_X87 | XCR0_SSE | XCR0_AVX | (5ull << 5),
	    XCR0_X87 | XCR0_SSE | XCR0_AVX512, /* AVX-512 without AVX */
	};
	uint64_t good = XCR0_X87 | XCR0_SSE;
	uint32_t lo, hi;

	expect(try_xsetbv(0, good, X86_EXC_UD), X86_EXC_UD, "XSETBV with CR4.OSXSAVE clear");
	expect(TRY_INSN(X86_EXC_UD, "xgetbv", "=a"(lo), "=d"(hi)
			: "c"(0)),
	       X86_EXC_UD, "XGETBV with CR4.OSXSAVE clear");
	write_cr4(read_cr4() | CR4_OSXSAVE);
	if (!(cpuid(1).ecx & CPUID1_ECX_OSXSAVE))
		test_fail("CPUID.1:ECX.OSXSAVE clear with CR4.OSXSAVE set");
	if (xcr_get(0) != XCR0_X87)
		test_fail("XCR0 starts as %#lx, expected 1", (unsigned long)xcr_get(0));
	check_leaf_d(offered);

	expect(try_xsetbv(1, XCR0_X87, X86_EXC_GP), X86_EXC_GP, "XSETBV with ECX = 1");
	expect(try_xsetbv(0xffffffff, XCR0_X87, X86_EXC_GP), X86_EXC_GP, "XSETBV with ECX = ~0");
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (try_xsetbv(0, bad[i], X86_EXC_GP) != X86_EXC_GP)
			test_fail("XSETBV(%#lx) did not raise #GP", (unsigned long)bad[i]);
	}
	for (unsigned int b = 2; b < 64; b++) {
		if (offered & (1ull << b))
			continue;
		if (try_xsetbv(0, good | (1ull << b), X86_EXC_GP) != X86_EXC_GP)
			test_fail("XSETBV with unoffered component %u did not raise #GP", b);
	}
	if (xcr_get(0) != XCR0_X87)
		test_fail("a refused XSETBV changed XCR0 to %#lx", (unsigned long)xcr_get(0));
	expect_ring3(ring3_xsetbv, ring3_xsetbv_insn, good, 0, X86_EXC_GP, "XSETBV at CPL 3");

	expect(try_xsetbv(0, good, X86_EXC_GP), -1, "XSETBV(x87 | SSE)");
	check_leaf_d(offered);
	check_xsave_size();
	if (offered & XCR0_AVX) {
		good |= XCR0_AVX;
		expect(try_xsetbv(0, good, X86_EXC_GP), -1, "XSETBV(x87 | SSE | AVX)");
		check_leaf_d(offered);
		check_xsave_size();
	}
	if ((offered & XCR0_AVX512) == XCR0_AVX512) {
		good |= XCR0_AVX512;
		expect(try_xsetbv(0, good, X86_EXC_GP), -1, "XSETBV(... | AVX-512)");
		check_leaf_d(offered);
		check_xsave_size();
	}
	if (xcr_get(0) != good)
		test_fail("XCR0 reads %#lx after XSETBV(%#lx)", (unsigned long)xcr_get(0),
			  (unsigned long)good);
	expect(TRY_INSN(X86_EXC_UD, "xsaves64 (%0)",
			: "r"(xsave_buf), "a"(~0u), "d"(~0u)
			: "memory"),
	       X86_EXC_UD, "XSAVES (not offered)");
	con_printf("xstate_abi: XSETBV: components %#lx, XCR0 %#lx, CPUID 0xD consistent\n",
		   (unsigned long)offered, (unsigned long)good);

	write_cr4(read_cr4() & ~CR4_OSXSAVE);
	if (cpuid(1).ecx & CPUID1_ECX_OSXSAVE)
		test_fail("CPUID.1:ECX.OSXSAVE still set after clearing CR4.OSXSAVE");
	expect(try_xsetbv(0, XCR0_X87, X86_EXC_UD), X86_EXC_UD, "XSETBV after clearing OSXSAVE");
	write_cr4(read_cr4() | CR4_OSXSAVE);
}

/* Every CR4 bit the guest's CPUID does not offer raises #GP and leaves CR4 as it was. */
static void check_cr4(void)
{
	struct cpuid_regs r7 = cpuid_count(7, 0);
	uint64_t cr4 = read_cr4();
	static const unsigned int never[] = {12 /* LA57: hidden */,
					     13 /* VMXE */,
					     14 /* SMXE */,
					     17 /* PCIDE: PCID hidden */,
					     19 /* KL */,
					     23 /* CET */,
					     24 /* PKS */,
					     25,
					     26,
					     27,
					     28,
					     29,
					     30,
					     31,
					     32,
					     40,
					     63};

	for (unsigned int i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		if (try_cr4(cr4 | (1ull << never[i])) != X86_EXC_GP)
			test_fail("setting CR4 bit %u did not raise #GP", never[i]);
		if (read_cr4() != cr4)
			test_fail("CR4 changed to %#lx after setting bit %u failed",
				  (unsigned long)read_cr4(), never[i]);
	}
	if (!(r7.ecx & CPUID7_ECX_PKU) && try_cr4(cr4 | (1ull << 22)) != X86_EXC_GP)
		test_fail("CR4.PKE without PKU offered did not raise #GP");
	if (!(r7.ecx & CPUID7_ECX_UMIP) && try_cr4(cr4 | (1ull << 11)) != X86_EXC_GP)
		test_fail("CR4.UMIP without UMIP offered did not raise #GP");
	if (!(r7.ebx & CPUID7_EBX_FSGSBASE) && try_cr4(cr4 | (1ull << 16)) != X86_EXC_GP)
		test_fail("CR4.FSGSBASE without FSGSBASE offered did not raise #GP");
	if (try_cr4(cr4 & ~CR4_PAE) != X86_EXC_GP)
		test_fail("clearing CR4.PAE in long mode did not raise #GP");
	/* Bits the CPUID offers still work, guest-owned (PGE) or checked (FSGSBASE). */
	expect(try_cr4(cr4 ^ CR4_PGE), -1, "toggling CR4.PGE");
	expect(try_cr4(cr4), -1, "restoring CR4");
	if (r7.ebx & CPUID7_EBX_FSGSBASE) {
		expect(try_cr4(cr4 | (1ull << 16)), -1, "setting CR4.FSGSBASE (offered)");
		expect(try_cr4(cr4), -1, "clearing CR4.FSGSBASE");
	}
	if (read_cr4() != cr4)
		test_fail("CR4 is %#lx, expected %#lx", (unsigned long)read_cr4(),
			  (unsigned long)cr4);
	con_printf("xstate_abi: CR4: every bit not offered raises #GP (CR4 %#lx)\n",
		   (unsigned long)cr4);
}

void guest_main(void)
{
	struct cpuid_regs r1;
	uint64_t offered;

	test_require_hv();
	r1 = cpuid(1);
	if (!(r1.ecx & CPUID1_ECX_XSAVE))
		test_fail("CPUID.1:ECX.XSAVE is clear: XSAVE is not offered");
	if (r1.ecx & CPUID1_ECX_OSXSAVE)
		test_fail("CPUID.1:ECX.OSXSAVE set before the guest set CR4.OSXSAVE");
	offered = cpuid_count(0xd, 0).eax;
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	check_mov_dr();
	check_xsetbv(offered);
	check_cr4();
	test_pass();
}
