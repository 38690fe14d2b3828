/* Which XSAVE components the CPU has and a domain may enable, their sizes, XCR0 checks, CPUID 0xD. */
#include <asm/cpu.h>
#include <asm/cpuid_bits.h>
#include <asm/hvm.h>
#include <asm/xstate.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

/* CPUID.(0xD,1):EAX: what the guest may see of the XSAVE extensions. */
/* Hidden: XSAVES/XRSTORS (bit 3: not enabled in non-root operation, they #UD), XFD (bit 4). */
#define LEAFD1_OFFERED	  (LEAFD1_XSAVEOPT | LEAFD1_XSAVEC | LEAFD1_XGETBV1)
#define LEAFD_ECX_ALIGN64 (1u << 1) /* sub-leaf n >= 2: aligned to 64 bytes when compacted */

u64 xstate_probe_components(void)
{
	struct cpuid_regs l0, l1, l7, d;
	u64 m;

	cpuid(0, &l0);
	cpuid(1, &l1);
	if (l0.eax < 0xd || !(l1.ecx & LEAF1_ECX_XSAVE))
		return 0;
	cpuid_count(7, 0, &l7); /* leaf 0xD exists, so leaf 7 does */
	cpuid_count(0xd, 0, &d);
	m = (((u64)d.edx << 32) | d.eax) & XSTATE_KEEL;
	if ((m & (XSTATE_X87 | XSTATE_SSE)) != (XSTATE_X87 | XSTATE_SSE))
		return 0;
	/* Each component only with the instructions that use it, AVX-512 all or nothing. */
	if (!(l1.ecx & LEAF1_ECX_AVX))
		m &= ~XSTATE_AVX;
	if (!(m & XSTATE_AVX) || !(l7.ebx & LEAF7_EBX_AVX512F) ||
	    (m & XSTATE_AVX512) != XSTATE_AVX512)
		m &= ~XSTATE_AVX512;
	if (!(l7.ecx & LEAF7_ECX_PKU))
		m &= ~XSTATE_PKRU;
	return m;
}

u64 xstate_host_components(void)
{
	static u64 components;
	static bool known;

	/* Pure CPUID: computed once on the boot CPU, before any AP exists. */
	if (!known) {
		components = xstate_probe_components();
		known = true;
	}
	return components;
}

static bool compacted_hidden;

void xstate_hide_compacted(void)
{
	compacted_hidden = true;
}

u64 xstate_domain_components(const struct domain *d)
{
	const struct cpuid_policy *pol = &d->arch.cpuid;
	u64 m = xstate_host_components();

	/* No XSAVE in CPUID.1, or no leaf 0xD to describe it: nothing beyond x87 and FXSAVE. */
	if ((pol->leaf1_ecx_hide & LEAF1_ECX_XSAVE) ||
	    (pol->max_basic_leaf && pol->max_basic_leaf < 0xd))
		return 0;
	if (pol->leaf1_edx_hide & (LEAF1_EDX_FXSR | LEAF1_EDX_SSE))
		m &= XSTATE_X87;
	if (pol->leaf1_ecx_hide & LEAF1_ECX_AVX)
		m &= ~XSTATE_AVX;
	if (!(m & XSTATE_AVX) || (pol->leaf7_ebx_hide & LEAF7_EBX_AVX512F))
		m &= ~XSTATE_AVX512;
	/*
	 * PKRU is switched with the rest (the host XCR0 has it), but not offered to guests: Keel's
	 * emulated accesses do not check protection keys yet, so PKU stays hidden (cpuid.c).
	 */
	m &= ~XSTATE_PKRU;
	return m;
}

u32 xstate_area_size(u64 mask, bool compacted)
{
	u32 size = XSAVE_AREA_BASE;

	for (unsigned int i = 2; i < 63; i++) {
		struct cpuid_regs r;

		if (!(mask & (1ULL << i)))
			continue;
		cpuid_count(0xd, i, &r);
		if (!compacted) {
			size = MAX(size, r.ebx + r.eax); /* standard: at its fixed offset */
			continue;
		}
		if (r.ecx & LEAFD_ECX_ALIGN64)
			size = ALIGN_UP(size, 64u);
		size += r.eax; /* compacted: right after the previous component present */
	}
	return size;
}

int xstate_check_xcr0(u64 offered, u64 xcr0)
{
	if (!(xcr0 & XSTATE_X87) || (xcr0 & ~offered))
		return -EINVAL;
	if ((xcr0 & XSTATE_AVX) && !(xcr0 & XSTATE_SSE))
		return -EINVAL;
	/* AVX-512 state is enabled all at once, and only on top of AVX. */
	if ((xcr0 & XSTATE_AVX512) &&
	    ((xcr0 & XSTATE_AVX512) != XSTATE_AVX512 || !(xcr0 & XSTATE_AVX)))
		return -EINVAL;
	return 0;
}

void xstate_cpuid_leaf(struct vcpu *v, u32 subleaf, struct cpuid_regs *r)
{
	u64 offered = xstate_domain_components(v->domain);
	u64 xcr0 = v->arch.xcr0 & offered;

	if (!offered || subleaf >= 63) {
		*r = (struct cpuid_regs){0, 0, 0, 0};
		return;
	}
	switch (subleaf) {
	case 0:
		r->eax = (u32)offered;
		r->edx = (u32)(offered >> 32);
		r->ebx = xstate_area_size(xcr0, false); /* for the guest's XCR0, not the host's */
		r->ecx = xstate_area_size(offered, false);
		break;
	case 1:
		r->eax &= LEAFD1_OFFERED;
		if (compacted_hidden)
			r->eax &= ~LEAFD1_XSAVEC;
		r->ebx = (r->eax & LEAFD1_XSAVEC) ? xstate_area_size(xcr0, true) : 0;
		r->ecx = 0; /* no supervisor components: IA32_XSS is not offered */
		r->edx = 0;
		break;
	default:
		if (!(offered & (1ULL << subleaf))) {
			*r = (struct cpuid_regs){0, 0, 0, 0};
			break;
		}
		/* EAX size and EBX offset are the host's; a user component, no XFD. */
		r->ecx &= LEAFD_ECX_ALIGN64;
		r->edx = 0;
		break;
	}
}
