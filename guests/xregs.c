/* Test guest xregs: its FPU/SSE/AVX/AVX-512 and debug registers start clean and stay its own. */
#include "bootargs.h"
#include "console.h"
#include "cpuregs.h"
#include "pvclock.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

const char guest_name[] = "xregs";

/*
 * Two (or more) of these run on one CPU with different seed= values. Each checks that its
 * registers start from the reset state, fills every register it can reach with values made
 * from its seed (XMM/YMM/ZMM 0-31, k0-7, MXCSR, FCW, ST0, DR0-3, DR6, DR7, DEBUGCTL), and then
 * for runtime_ms keeps checking that they hold exactly those values while the other domains
 * run in between. A value made from other= is reported as the other domain's.
 * need_xsave, need_avx, need_avx512: FAIL unless the CPUID offers them.
 */

#define NZMM	    32
#define GAP_NS	    500000  /* a pause this long between two clock reads: another vCPU ran */
#define WATCH_NS    3000000 /* how long to watch the clock between two checks */
#define DR6_RESET   0xffff0ff0ull
#define DR7_RESET   0x400ull
#define FCW_RESET   0x037f
#define MXCSR_RESET 0x1f80

struct features {
	int xsave, avx, avx512;
	uint64_t xcr0;	    /* what we enable */
	unsigned int nregs; /* vector registers: 16 or 32 */
	unsigned int width; /* bytes of each: 16, 32 or 64 */
};

static struct features f;
static uint8_t vwant[NZMM][64] __attribute__((aligned(64)));
static uint8_t vgot[NZMM][64] __attribute__((aligned(64)));
static uint16_t kwant[8], kgot[8];
static uint8_t fx[512] __attribute__((aligned(64)));
static uint8_t st0_want[10];
static uint8_t ftw_want;
static uint16_t fcw_want;
static uint32_t mxcsr_want;
static uint64_t dr_want[4], dr6_want, dr7_want, debugctl_want;
static uint32_t seed, other;
static int debugctl_vector; /* what rdmsr IA32_DEBUGCTL raised (-1: none) */

#define R0_7(M)	  M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
#define R8_15(M)  M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
#define R16_23(M) M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23)
#define R24_31(M) M(24) M(25) M(26) M(27) M(28) M(29) M(30) M(31)
#define REP16(M)  R0_7(M) R8_15(M)
#define REP32(M)  REP16(M) R16_23(M) R24_31(M)
#define XST(n)	  "movdqu %%xmm" #n ", " #n "*64(%0)\n\t"
#define XLD(n)	  "movdqu " #n "*64(%0), %%xmm" #n "\n\t"
#define YST(n)	  "vmovdqu %%ymm" #n ", " #n "*64(%0)\n\t"
#define YLD(n)	  "vmovdqu " #n "*64(%0), %%ymm" #n "\n\t"
#define ZST(n)	  "vmovdqu64 %%zmm" #n ", " #n "*64(%0)\n\t"
#define ZLD(n)	  "vmovdqu64 " #n "*64(%0), %%zmm" #n "\n\t"
#define KST(n)	  "kmovw %%k" #n ", " #n "*2(%0)\n\t"
#define KLD(n)	  "kmovw " #n "*2(%0), %%k" #n "\n\t"

static void vregs_store(uint8_t (*buf)[64])
{
	if (f.avx512)
		asm volatile(REP32(ZST)::"r"(buf) : "memory");
	else if (f.avx)
		asm volatile(REP16(YST)::"r"(buf) : "memory");
	else
		asm volatile(REP16(XST)::"r"(buf) : "memory");
}

static void vregs_load(uint8_t (*buf)[64])
{
	if (f.avx512)
		asm volatile(REP32(ZLD)::"r"(buf) : "memory");
	else if (f.avx)
		asm volatile(REP16(YLD)::"r"(buf) : "memory");
	else
		asm volatile(REP16(XLD)::"r"(buf) : "memory");
}

static uint8_t pattern(uint32_t s, unsigned int reg, unsigned int byte)
{
	return (uint8_t)((0x5a ^ (s * 0x9d) ^ (reg * 37) ^ (byte * 11)) | 1); /* never 0 */
}

static uint64_t dr_pattern(uint32_t s, unsigned int n)
{
	return 0x00007f0000000000ull | ((uint64_t)s << 16) | (n << 8) | 0x10;
}

static void detect(void)
{
	struct cpuid_regs r1 = cpuid(1), r7 = cpuid_count(7, 0), rd;

	f.xsave = !!(r1.ecx & CPUID1_ECX_XSAVE);
	f.nregs = 16;
	f.width = 16;
	f.xcr0 = XCR0_X87;
	if (f.xsave) {
		rd = cpuid_count(0xd, 0);
		f.xcr0 = XCR0_X87 | XCR0_SSE;
		if ((r1.ecx & CPUID1_ECX_AVX) && (rd.eax & XCR0_AVX)) {
			f.avx = 1;
			f.width = 32;
			f.xcr0 |= XCR0_AVX;
			if ((r7.ebx & CPUID7_EBX_AVX512F) &&
			    (rd.eax & XCR0_AVX512) == XCR0_AVX512) {
				f.avx512 = 1;
				f.nregs = 32;
				f.width = 64;
				f.xcr0 |= XCR0_AVX512;
			}
		}
	}
	con_printf("xregs: seed %u: XSAVE %s, AVX %s, AVX-512 %s; XCR0 %#lx, %u x %u-byte vector "
		   "registers\n",
		   seed, f.xsave ? "yes" : "no", f.avx ? "yes" : "no", f.avx512 ? "yes" : "no",
		   (unsigned long)f.xcr0, f.nregs, f.width);
	if (bootargs_has(boot_cmdline, "need_xsave") && !f.xsave)
		test_fail("CPUID.1:ECX.XSAVE is clear: XSAVE is not offered");
	if (bootargs_has(boot_cmdline, "need_avx") && !f.avx)
		test_fail("AVX is not offered (CPUID.1:ECX.AVX, CPUID.0xD)");
	if (bootargs_has(boot_cmdline, "need_avx512") && !f.avx512)
		test_fail("AVX-512 is not offered (CPUID.7:EBX.AVX512F, CPUID.0xD)");
}

static void fail_value(const char *what, unsigned int idx, uint64_t got, uint64_t want,
		       uint64_t others, const char *when)
{
	test_fail("%s %s%u is %#lx, expected %#lx%s", when, what, idx, (unsigned long)got,
		  (unsigned long)want, got == others ? " (the other domain's value)" : "");
}

static void check_eq(const char *what, uint64_t got, uint64_t want, const char *when)
{
	if (got != want)
		test_fail("%s %s is %#lx, expected %#lx", when, what, (unsigned long)got,
			  (unsigned long)want);
}

/* Everything must read as after power-on/INIT: nothing of anyone else's. */
static void check_reset_state(void)
{
	uint64_t debugctl = 0;
	int vec;

	fxsave_to(fx);
	check_eq("FCW", *(uint16_t *)&fx[0], FCW_RESET, "at start");
	check_eq("FSW", *(uint16_t *)&fx[2], 0, "at start");
	check_eq("FTW", fx[4], 0, "at start");
	check_eq("MXCSR", *(uint32_t *)&fx[24], MXCSR_RESET, "at start");
	for (unsigned int i = 32; i < 416; i++)
		if (fx[i])
			test_fail("at start %s byte %u of the FXSAVE image is %#x, expected 0",
				  i < 160 ? "x87 register" : "XMM", i, fx[i]);
	for (unsigned int n = 0; n < 4; n++) {
		uint64_t v = n == 0   ? DR_GET(0)
			     : n == 1 ? DR_GET(1)
			     : n == 2 ? DR_GET(2)
				      : DR_GET(3);

		if (v)
			fail_value("DR", n, v, 0, dr_pattern(other, n), "at start");
	}
	check_eq("DR6", DR_GET(6), DR6_RESET, "at start");
	check_eq("DR7", DR_GET(7), DR7_RESET, "at start");
	/* No DEBUGCTL (#GP) fails the test only at the end: the registers are checked first. */
	vec = try_rdmsr(MSR_DEBUGCTL, &debugctl);
	debugctl_vector = vec;
	if (vec < 0)
		check_eq("DEBUGCTL", debugctl, 0, "at start");
	if (!f.xsave)
		return;
	if (cpuid(1).ecx & CPUID1_ECX_OSXSAVE)
		test_fail("CPUID.1:ECX.OSXSAVE is set before the guest set CR4.OSXSAVE");
	write_cr4(read_cr4() | CR4_OSXSAVE);
	if (!(cpuid(1).ecx & CPUID1_ECX_OSXSAVE))
		test_fail("CPUID.1:ECX.OSXSAVE is clear after the guest set CR4.OSXSAVE");
	check_eq("XCR0", xcr_get(0), XCR0_X87, "at start");
	xcr_set(0, f.xcr0);
	check_eq("XCR0", xcr_get(0), f.xcr0, "after XSETBV");
	vregs_store(vgot);
	for (unsigned int r = 0; r < f.nregs; r++)
		for (unsigned int b = 0; b < f.width; b++)
			if (vgot[r][b])
				test_fail(
				    "at start byte %u of vector register %u is %#x, expected 0", b,
				    r, vgot[r][b]);
	if (f.avx512) {
		asm volatile(R0_7(KST)::"r"(kgot) : "memory");
		for (unsigned int k = 0; k < 8; k++)
			if (kgot[k])
				fail_value("k", k, kgot[k], 0, 0xa500 | other | k, "at start");
	}
}

static void fill(void)
{
	uint64_t val = 0x1234567890000000ull | seed;

	for (unsigned int r = 0; r < NZMM; r++)
		for (unsigned int b = 0; b < 64; b++)
			vwant[r][b] = (r < f.nregs && b < f.width) ? pattern(seed, r, b) : 0;
	vregs_load(vwant);
	if (f.avx512) {
		for (unsigned int k = 0; k < 8; k++)
			kwant[k] = (uint16_t)(0xa500 | seed | k);
		asm volatile(R0_7(KLD)::"r"(kwant) : "memory");
	}
	/* MXCSR: all exceptions masked, a rounding mode of our own (plus FZ for odd seeds). */
	mxcsr_want = MXCSR_RESET | ((seed & 3) << 13) | ((seed & 1) << 15);
	if (mxcsr_want == MXCSR_RESET)
		mxcsr_want |= 1u << 13;
	asm volatile("ldmxcsr %0" ::"m"(mxcsr_want));
	fcw_want = (uint16_t)(FCW_RESET | (((seed & 3) | 1) << 10)); /* rounding control */
	asm volatile("fldcw %0" ::"m"(fcw_want));
	asm volatile("fildq %0" ::"m"(val)); /* ST0 = val, one tag in use */
	fxsave_to(fx);
	for (unsigned int i = 0; i < 10; i++)
		st0_want[i] = fx[32 + i];
	ftw_want = fx[4];
	for (unsigned int n = 0; n < 4; n++)
		dr_want[n] = dr_pattern(seed, n);
	DR_SET(0, dr_want[0]);
	DR_SET(1, dr_want[1]);
	DR_SET(2, dr_want[2]);
	DR_SET(3, dr_want[3]);
	DR_SET(6, DR6_RESET | (seed & 0xf)); /* B0-B3: breakpoint conditions "seen" */
	dr6_want = DR_GET(6);
	/* Write breakpoints of some length in all four, none enabled (L/G clear). */
	dr7_want = DR7_RESET | ((seed & 1) ? 0x11110000ull : 0xdddd0000ull);
	DR_SET(7, dr7_want);
	debugctl_want = (seed & 1) ? 2 : 0; /* BTF */
	if (debugctl_vector < 0 && try_wrmsr(MSR_DEBUGCTL, debugctl_want) >= 0)
		test_fail("wrmsr IA32_DEBUGCTL = %#lx raised an exception",
			  (unsigned long)debugctl_want);
}

static void verify(const char *when)
{
	uint64_t dr[4], v = 0;

	vregs_store(vgot);
	for (unsigned int r = 0; r < f.nregs; r++)
		for (unsigned int b = 0; b < f.width; b++)
			if ((b % 8 ||
			     ((uint64_t *)vgot[r])[b / 8] != ((uint64_t *)vwant[r])[b / 8]) &&
			    vgot[r][b] != vwant[r][b])
				test_fail("%s byte %u of vector register %u is %#x, expected %#x%s",
					  when, b, r, vgot[r][b], vwant[r][b],
					  vgot[r][b] == pattern(other, r, b)
					      ? " (the other domain's)"
					      : "");
	if (f.avx512) {
		asm volatile(R0_7(KST)::"r"(kgot) : "memory");
		for (unsigned int k = 0; k < 8; k++)
			if (kgot[k] != kwant[k])
				fail_value("k", k, kgot[k], kwant[k], 0xa500 | other | k, when);
	}
	fxsave_to(fx);
	check_eq("FCW", *(uint16_t *)&fx[0], fcw_want, when);
	check_eq("MXCSR", *(uint32_t *)&fx[24], mxcsr_want, when);
	check_eq("FTW", fx[4], ftw_want, when);
	for (unsigned int i = 0; i < 10; i++)
		if (fx[32 + i] != st0_want[i])
			test_fail("%s byte %u of ST0 is %#x, expected %#x", when, i, fx[32 + i],
				  st0_want[i]);
	dr[0] = DR_GET(0);
	dr[1] = DR_GET(1);
	dr[2] = DR_GET(2);
	dr[3] = DR_GET(3);
	for (unsigned int n = 0; n < 4; n++)
		if (dr[n] != dr_want[n])
			fail_value("DR", n, dr[n], dr_want[n], dr_pattern(other, n), when);
	check_eq("DR6", DR_GET(6), dr6_want, when);
	check_eq("DR7", DR_GET(7), dr7_want, when);
	if (debugctl_vector < 0) {
		if (try_rdmsr(MSR_DEBUGCTL, &v) >= 0)
			test_fail("rdmsr IA32_DEBUGCTL raised an exception");
		check_eq("DEBUGCTL", v, debugctl_want, when);
	}
	if (f.xsave)
		check_eq("XCR0", xcr_get(0), f.xcr0, when);
}

void guest_main(void)
{
	uint64_t runtime_ms = bootargs_get_u64(boot_cmdline, "runtime_ms", 1500);
	uint64_t start, now, last, watch, end, next_report;
	unsigned long checks = 0, slices = 0;
	long rc;

	test_require_hv();
	seed = (uint32_t)bootargs_get_u64(boot_cmdline, "seed", 1) & 0xff;
	other = (uint32_t)bootargs_get_u64(boot_cmdline, "other", 2) & 0xff;
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	/* FXSAVE/SSE on: CR0.EM clear, MP and NE set; CR4.OSFXSR and OSXMMEXCPT. */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	detect();
	check_reset_state();
	con_printf("xregs: seed %u: reset state clean\n", seed);
	fill();
	verify("right after filling:");

	start = time_now_ns();
	end = start + runtime_ms * NS_PER_MS;
	next_report = start + 500 * NS_PER_MS;
	do {
		verify("later:");
		checks++;
		/* Watch the clock for a while: a jump means the CPU ran someone else meanwhile. */
		watch = last = time_now_ns();
		do {
			now = time_now_ns();
			if (now - last >= GAP_NS)
				slices++;
			last = now;
		} while (now - watch < WATCH_NS);
		if (now >= next_report) {
			con_printf("xregs: seed %u: %lu checks, %lu other slices\n", seed, checks,
				   slices);
			next_report += 500 * NS_PER_MS;
		}
	} while (now < end);
	con_printf("XREGS seed=%u checks=%lu slices=%lu\n", seed, checks, slices);
	if (debugctl_vector >= 0)
		test_fail("rdmsr IA32_DEBUGCTL raised vector %d", debugctl_vector);
	if (slices < bootargs_get_u64(boot_cmdline, "min_slices", 0))
		test_fail("only %lu pauses of the vCPU seen: the test did not share its CPU",
			  slices);
	test_pass();
}
