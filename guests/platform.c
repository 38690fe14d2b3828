/* Test guest platform: the guest ACPI tables, the MSR answers Linux relies on, wc_*, ACPI poweroff. */
#include "bootargs.h"
#include "console.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

const char guest_name[] = "platform";

#define ACPI_GPA	0xFC000000ull
#define E820_ACPI	3
#define SLEEP_CTL_PORT	0x600
#define SLEEP_S5_EN	((5u << 2) | (1u << 5))
#define MSR_TSC		0x10
#define MSR_FEAT_CTL	0x3a
#define MSR_PLATFORM	0xce
#define MSR_MPERF	0xe7
#define MSR_APERF	0xe8
#define MSR_MTRRCAP	0xfe
#define MSR_MCG_CAP	0x179
#define MSR_MCG_STATUS	0x17a
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_BASE0	0x200
#define MSR_MTRR_FIX64K 0x250
#define MSR_PAT		0x277
#define MSR_MTRR_DEF	0x2ff
#define MSR_SPEC_CTRL	0x48
#define MSR_K7_HWCR	0xc0010015u
#define CPUID1_EDX_MCE	(1u << 7)
#define CPUID1_EDX_MTRR (1u << 12)
#define CPUID1_EDX_MCA	(1u << 14)
#define PAT_LINUX	0x0007010600070106ull /* WB, WC, UC-, UC: what Linux programs */

static uint32_t rd32(uint64_t pa)
{
	return *(volatile uint32_t *)(uintptr_t)pa;
}

static uint64_t rd64(uint64_t pa)
{
	return rd32(pa) | ((uint64_t)rd32(pa + 4) << 32);
}

static int sum_ok(uint64_t pa, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + *(volatile uint8_t *)(uintptr_t)(pa + i));
	return sum == 0;
}

static int sig_is(uint64_t pa, const char *sig)
{
	for (int i = 0; i < 4; i++)
		if (*(volatile uint8_t *)(uintptr_t)(pa + i) != (uint8_t)sig[i])
			return 0;
	return 1;
}

static void check_acpi(unsigned int vcpus)
{
	const struct pvh_memmap_entry *map = (const void *)(uintptr_t)boot_info->memmap_paddr;
	uint64_t xsdt, madt = 0, fadt = 0;
	unsigned int cpus = 0, found = 0;

	if (boot_info->rsdp_paddr != ACPI_GPA)
		test_fail("rsdp_paddr %#lx, expected %#lx", (unsigned long)boot_info->rsdp_paddr,
			  (unsigned long)ACPI_GPA);
	for (uint32_t i = 0; i < boot_info->memmap_entries; i++)
		if (map[i].type == E820_ACPI && map[i].addr <= ACPI_GPA &&
		    map[i].addr + map[i].size >= ACPI_GPA + 4096)
			found = 1;
	if (!found)
		test_fail("the memmap has no ACPI entry over the tables");
	if (!sig_is(ACPI_GPA, "RSD ") || !sum_ok(ACPI_GPA, 20) || !sum_ok(ACPI_GPA, 36))
		test_fail("RSDP signature or checksum wrong");
	xsdt = rd64(ACPI_GPA + 24);
	if (!sig_is(xsdt, "XSDT") || !sum_ok(xsdt, rd32(xsdt + 4)))
		test_fail("XSDT at %#lx bad", (unsigned long)xsdt);
	for (uint32_t off = 36; off + 8 <= rd32(xsdt + 4); off += 8) {
		uint64_t t = rd64(xsdt + off);

		if (!sum_ok(t, rd32(t + 4)))
			test_fail("table at %#lx: bad checksum", (unsigned long)t);
		if (sig_is(t, "APIC"))
			madt = t;
		if (sig_is(t, "FACP"))
			fadt = t;
	}
	if (!madt || !fadt)
		test_fail("no MADT or FADT in the XSDT");
	if (rd32(madt + 36) != 0xFEE00000u)
		test_fail("MADT LAPIC address %#x", rd32(madt + 36));
	for (uint32_t off = 44; off + 2 <= rd32(madt + 4);) {
		volatile uint8_t *e = (volatile uint8_t *)(uintptr_t)(madt + off);

		if (e[1] < 2)
			test_fail("MADT entry of length %u", e[1]);
		if (e[0] == 1)
			test_fail("MADT has an IOAPIC");
		if (e[0] == 0) {
			if (e[2] != cpus || e[3] != 2 * cpus || !(e[4] & 1))
				test_fail("MADT CPU %u: uid %u apic %u flags %#x", cpus, e[2], e[3],
					  e[4]);
			cpus++;
		}
		off += e[1];
	}
	if (cpus != vcpus)
		test_fail("MADT lists %u CPUs, the domain has %u vCPUs", cpus, vcpus);
	if (!(rd32(fadt + 112) & (1u << 20)))
		test_fail("FADT is not hardware-reduced");
	con_printf("platform: ACPI: RSDP at %#lx, %u CPUs in the MADT, checksums good\n",
		   (unsigned long)ACPI_GPA, cpus);
}

static void expect_gp_rd(uint32_t msr)
{
	uint64_t v = 0;

	if (try_rdmsr(msr, &v) != X86_EXC_GP)
		test_fail("rdmsr(%#x) did not #GP (value %#lx)", msr, (unsigned long)v);
}

static void expect_gp_wr(uint32_t msr, uint64_t val)
{
	if (try_wrmsr(msr, val) != X86_EXC_GP)
		test_fail("wrmsr(%#x, %#lx) did not #GP", msr, (unsigned long)val);
}

static uint64_t must_rd(uint32_t msr)
{
	uint64_t v = 0;
	int r = try_rdmsr(msr, &v);

	if (r >= 0)
		test_fail("rdmsr(%#x) raised vector %d", msr, r);
	return v;
}

static void must_wr(uint32_t msr, uint64_t val)
{
	int r = try_wrmsr(msr, val);

	if (r >= 0)
		test_fail("wrmsr(%#x, %#lx) raised vector %d", msr, (unsigned long)val, r);
}

static void check_msrs(void)
{
	struct cpuid_regs c1 = cpuid(1);
	uint64_t v;

	if (!(c1.edx & CPUID1_EDX_MTRR) || (c1.edx & (CPUID1_EDX_MCE | CPUID1_EDX_MCA)))
		test_fail("CPUID.1:EDX %#x: want MTRR, no MCE/MCA", c1.edx);
	v = must_rd(MSR_MTRRCAP);
	if ((v & 0xff) == 0 || !(v & (1u << 8)))
		test_fail("MTRRcap %#lx: no variable or fixed ranges", (unsigned long)v);
	v = must_rd(MSR_MTRR_DEF);
	if (v != ((1u << 11) | 6))
		test_fail("MTRRdefType %#lx, want enabled write-back", (unsigned long)v);
	must_wr(MSR_MTRR_BASE0, 0x6);
	must_wr(MSR_MTRR_BASE0 + 1, 0xff0000000ull | (1u << 11));
	if (must_rd(MSR_MTRR_BASE0 + 1) != (0xff0000000ull | (1u << 11)))
		test_fail("variable MTRR mask not kept");
	expect_gp_wr(MSR_MTRR_BASE0, 0x106);		      /* reserved bit 8 */
	expect_gp_wr(MSR_MTRR_BASE0 + 1, 0x801);	      /* reserved bit 0 */
	expect_gp_wr(MSR_MTRR_FIX64K, 0x0202020202020202ull); /* type 2 */
	must_wr(MSR_MTRR_FIX64K, 0x0606060606060606ull);
	expect_gp_wr(MSR_MTRR_DEF, 0x802);

	if (must_rd(MSR_PAT) != 0x0007040600070406ull)
		test_fail("IA32_PAT %#lx is not the power-on value",
			  (unsigned long)must_rd(MSR_PAT));
	must_wr(MSR_PAT, PAT_LINUX);
	if (must_rd(MSR_PAT) != PAT_LINUX)
		test_fail("IA32_PAT not kept");
	expect_gp_wr(MSR_PAT, 0x0007010600070102ull);

	expect_gp_rd(MSR_MCG_CAP);
	expect_gp_rd(MSR_MCG_STATUS);
	v = must_rd(MSR_MISC_ENABLE);
	if (!(v & 1) || (v & ((1ull << 22) | (1ull << 34))))
		test_fail("MISC_ENABLE %#lx", (unsigned long)v);
	if (must_rd(MSR_FEAT_CTL) != 1)
		test_fail("FEATURE_CONTROL not locked-without-VMX");
	expect_gp_wr(MSR_FEAT_CTL, 5);
	expect_gp_rd(MSR_PLATFORM);
	expect_gp_rd(MSR_APERF);
	expect_gp_rd(MSR_MPERF);
	if (cpuid(0).eax >= 6 && (cpuid(6).ecx & 1))
		test_fail("CPUID.6:ECX[0] (APERF/MPERF) offered");
	v = must_rd(MSR_TSC);
	if (v == 0)
		test_fail("IA32_TSC reads 0");
	expect_gp_wr(MSR_TSC, 0);
	expect_gp_rd(MSR_SPEC_CTRL);
	expect_gp_rd(MSR_K7_HWCR);
	con_printf("platform: MSRs: MTRRs, PAT, MISC_ENABLE, FEATURE_CONTROL as expected; MCE, "
		   "PLATFORM_INFO, APERF/MPERF, SPEC_CTRL, K7 #GP\n");
}

static void check_wallclock(void)
{
	uint64_t time0 = bootargs_get_u64(boot_cmdline, "time0", 0);
	uint64_t skew = bootargs_get_u64(boot_cmdline, "max_skew", 900);
	uint32_t ver, sec, nsec;
	uint64_t now;

	if (!time0)
		test_fail("no time0= on the command line");
	if (shared_info_map())
		test_fail("cannot map shared_info");
	do {
		ver = shinfo->wc_version;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		sec = shinfo->wc_sec;
		nsec = shinfo->wc_nsec;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while ((ver & 1) || ver != shinfo->wc_version);
	if (ver == 0 || nsec >= 1000000000u)
		test_fail("wc_version %u, wc_nsec %u", ver, nsec);
	now = sec + time_now_ns() / 1000000000ull;
	con_printf("platform: wall clock %lu s (%lu s after time0)\n", (unsigned long)now,
		   (unsigned long)(now - time0));
	if (now < time0 || now > time0 + skew)
		test_fail("wall clock %lu not within %lu s after time0 %lu", (unsigned long)now,
			  (unsigned long)skew, (unsigned long)time0);
}

void guest_main(void)
{
	test_require_hv();
	check_acpi((unsigned int)bootargs_get_u64(boot_cmdline, "vcpus", 1));
	check_msrs();
	check_wallclock();
	con_printf("RESULT: PASS %s\n", guest_name);
	/* The FADT's sleep control register with \_S5's SLP_TYP and SLP_EN: Linux's poweroff. */
	outb(SLEEP_CTL_PORT, SLEEP_S5_EN);
	test_fail("the ACPI sleep control register did not power the domain off");
}
