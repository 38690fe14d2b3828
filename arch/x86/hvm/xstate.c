/* The FPU and extended state: each CPU's set-up, every vCPU's own area, switching it, XSETBV. */
#include <asm/cpu.h>
#include <asm/cpuid_bits.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <asm/xstate.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>

#define XCOMP_BV_COMPACTED (1ULL << 63)

/* Offsets in the legacy region and the XSAVE header (SDM vol. 1, 10.5.1 and 13.4). */
#define AREA_FCW      0
#define AREA_MXCSR    24
#define AREA_XCOMP_BV (FXSAVE_SIZE + 8)

/* Decided once on the boot CPU; every other CPU must offer the same. */
static struct {
	bool ready;
	enum xstate_method method;
	u64 components; /* the host's XCR0: every component Keel switches */
	u32 size;	/* bytes of a vCPU's area */
	unsigned int order;
} host;

static const char *const method_names[] = {
    [XSTATE_FXSAVE] = "FXSAVE/FXRSTOR",
    [XSTATE_XSAVE] = "XSAVE/XRSTOR, standard format",
    [XSTATE_XSAVES] = "XSAVES/XRSTORS, compacted format",
};

/*
 * Does the compacted format put component 2 (AVX) right after the header, as the SDM says?
 * Bochs 2.7 stores it 160 bytes early, over the header, and the next XRSTORS then faults: the
 * boot CPU checks with a known YMM0 before trusting XSAVES (@xsaves) or offering XSAVEC.
 */
static bool compacted_format_ok(u64 comp, bool xsaves)
{
	static u8 probe[XSAVE_AREA_BASE + 256] __attribute__((aligned(64)));
	static const u8 ymm0[32] = {1,	  2,	3,    4,    5,	  6,	7,    8,
				    9,	  10,	11,   12,   13,	  14,	15,   16,
				    0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
				    0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0};
	const u64 mask = XSTATE_X87 | XSTATE_SSE | XSTATE_AVX;
	u64 xcomp;
	bool ok = true;

	if (!(comp & XSTATE_AVX))
		return true; /* nothing beyond the fixed legacy region to place */
	memset(probe, 0, sizeof(probe));
	__asm__ __volatile__("vmovdqu (%0), %%ymm0" : : "r"(ymm0) : "memory");
	if (xsaves)
		__asm__ __volatile__("xsaves64 (%0)"
				     :
				     : "r"(probe), "a"((u32)mask), "d"(0)
				     : "memory");
	else
		__asm__ __volatile__("xsavec64 (%0)"
				     :
				     : "r"(probe), "a"((u32)mask), "d"(0)
				     : "memory");
	__asm__ __volatile__("vzeroall");
	memcpy(&xcomp, probe + AREA_XCOMP_BV, sizeof(xcomp));
	ok = xcomp == (XCOMP_BV_COMPACTED | mask);
	for (unsigned int i = AREA_XCOMP_BV + 8; i < XSAVE_AREA_BASE; i++)
		ok = ok && !probe[i];
	return ok && !memcmp(probe + XSAVE_AREA_BASE, ymm0 + 16, 16);
}

static void choose_method(u64 comp)
{
	struct cpuid_regs r;

	host.components = comp;
	host.method = XSTATE_FXSAVE;
	host.size = FXSAVE_SIZE;
	if (comp) {
		bool compacted_ok = true;

		cpuid_count(0xd, 1, &r);
		if (r.eax & LEAFD1_XSAVES)
			compacted_ok = compacted_format_ok(comp, true);
		else if (r.eax & LEAFD1_XSAVEC)
			compacted_ok = compacted_format_ok(comp, false);
		host.method =
		    (r.eax & LEAFD1_XSAVES) && compacted_ok ? XSTATE_XSAVES : XSTATE_XSAVE;
		if (!compacted_ok) {
			pr_warn(
			    "xstate: this CPU misplaces AVX state in the compacted XSAVE format: "
			    "XSAVES not used, XSAVEC hidden from guests");
			xstate_hide_compacted();
		}
		host.size = xstate_area_size(comp, host.method == XSTATE_XSAVES);
		/* With XCR0 (and IA32_XSS = 0) loaded, the CPU states the size itself: use the larger. */
		if (host.method == XSTATE_XSAVES)
			host.size = MAX(host.size, r.ebx);
		cpuid_count(0xd, 0, &r);
		if (host.method == XSTATE_XSAVE)
			host.size = MAX(host.size, r.ebx);
	}
	host.order = 0;
	while ((PAGE_SIZE << host.order) < host.size)
		host.order++;
	host.ready = true;
	pr_info("xstate: %s, host XCR0 %#llx, %u bytes of state per vCPU",
		method_names[host.method], comp, host.size);
}

void xstate_cpu_init(void)
{
	u64 comp = xstate_host_components();
	struct cpuid_regs r;
	u64 cr4;

	cpuid(1, &r);
	if (!(r.edx & LEAF1_EDX_FXSR))
		panic("xstate: CPU %u has no FXSAVE/FXRSTOR", smp_processor_id());
	/* Every CPU must switch exactly what the boot CPU decided (areas are sized for it). */
	if (host.ready && (xstate_probe_components() & comp) != comp)
		panic("xstate: CPU %u lacks XSAVE components %#llx the boot CPU has",
		      smp_processor_id(), comp & ~xstate_probe_components());
	/* x87 errors as #MF, WAIT honours TS, no emulation, nothing lazy: TS stays clear. */
	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (comp)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	if (comp) {
		xsetbv(0, comp);
		cpuid_count(0xd, 1, &r);
		if (r.eax & LEAFD1_XSAVES)
			wrmsr(MSR_IA32_XSS, 0); /* XSAVES covers user components only */
	}
	if (!host.ready)
		choose_method(comp);
}

enum xstate_method xstate_switch_method(void)
{
	return host.method;
}

u32 xstate_area_bytes(void)
{
	return host.size;
}

int xstate_vcpu_init(struct vcpu *v)
{
	paddr_t pa;

	BUG_ON(!host.ready);
	pa = frame_alloc(host.order);
	if (pa == INVALID_PADDR)
		return -ENOMEM;
	v->arch.xsave_area = paddr_to_virt(pa); /* page-aligned: XSAVE needs 64 bytes */
	xstate_vcpu_reset(v);
	return 0;
}

void xstate_vcpu_destroy(struct vcpu *v)
{
	if (!v->arch.xsave_area)
		return;
	memset(v->arch.xsave_area, 0, PAGE_SIZE << host.order); /* the guest's registers too */
	frame_free(virt_to_paddr(v->arch.xsave_area), host.order);
	v->arch.xsave_area = NULL;
}

void xstate_vcpu_reset(struct vcpu *v)
{
	u8 *a = v->arch.xsave_area;
	u16 fcw = XSTATE_RESET_FCW;
	u32 mxcsr = XSTATE_RESET_MXCSR;
	u64 xcomp = XCOMP_BV_COMPACTED | host.components;

	/*
	 * The legacy region says FCW 0x37F, MXCSR 0x1F80, every tag empty (FTW 0 in this
	 * abridged form) and all registers zero; with XSAVE the header's XSTATE_BV is 0, so
	 * XRSTOR puts every component in its initial state (the same values, YMM/ZMM/k/PKRU 0).
	 * The compacted form names its layout in XCOMP_BV.
	 */
	memset(a, 0, PAGE_SIZE << host.order);
	memcpy(a + AREA_FCW, &fcw, sizeof(fcw));
	memcpy(a + AREA_MXCSR, &mxcsr, sizeof(mxcsr));
	if (host.method == XSTATE_XSAVES)
		memcpy(a + AREA_XCOMP_BV, &xcomp, sizeof(xcomp));
	v->arch.xcr0 = XSTATE_RESET_XCR0;
}

/*
 * XSAVES (and XSAVEOPT) skip components unmodified since the XRSTORS that loaded them from
 * the same address; that is sound because nothing but these two functions writes an area
 * between its vCPU's load and save (a reset happens only while the vCPU is not loaded).
 */
void xstate_load_guest(struct vcpu *v)
{
	void *a = v->arch.xsave_area;
	u32 lo = (u32)host.components, hi = (u32)(host.components >> 32);

	switch (host.method) {
	case XSTATE_XSAVES:
		__asm__ __volatile__("xrstors64 (%0)" : : "r"(a), "a"(lo), "d"(hi) : "memory");
		break;
	case XSTATE_XSAVE:
		__asm__ __volatile__("xrstor64 (%0)" : : "r"(a), "a"(lo), "d"(hi) : "memory");
		break;
	default:
		__asm__ __volatile__("fxrstor64 (%0)" : : "r"(a) : "memory");
		return;
	}
	if (v->arch.xcr0 != host.components)
		xsetbv(0, v->arch.xcr0);
}

void xstate_save_guest(struct vcpu *v)
{
	void *a = v->arch.xsave_area;
	u32 lo = (u32)host.components, hi = (u32)(host.components >> 32);

	if (host.method != XSTATE_FXSAVE && v->arch.xcr0 != host.components)
		xsetbv(0, host.components); /* save every component, not just the guest's */
	switch (host.method) {
	case XSTATE_XSAVES:
		__asm__ __volatile__("xsaves64 (%0)" : : "r"(a), "a"(lo), "d"(hi) : "memory");
		break;
	case XSTATE_XSAVE:
		__asm__ __volatile__("xsave64 (%0)" : : "r"(a), "a"(lo), "d"(hi) : "memory");
		break;
	default:
		__asm__ __volatile__("fxsave64 (%0)" : : "r"(a) : "memory");
		break;
	}
}

int hvm_xsetbv(struct vcpu *v, u32 index, u64 val)
{
	/* Hardware checks CR4.OSXSAVE (#UD) and CPL before the exit, but not every CPU model does. */
	if (!(hvm_ops->get_cr(v, 4) & CR4_OSXSAVE))
		return X86_EXC_UD;
	if (hvm_ops->get_cpl(v) != 0 || index != 0 ||
	    xstate_check_xcr0(xstate_domain_components(v->domain), val))
		return X86_EXC_GP;
	v->arch.xcr0 = val;
	xsetbv(0, val); /* the vCPU is loaded here: the CPU holds the guest's XCR0 */
	return 0;
}
