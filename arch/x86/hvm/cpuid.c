/* The CPUID a guest sees: its domain's policy over host values (what Keel does not virtualize
 * removed), plus the Xen leaves. */
#include <asm/cpuid_bits.h>
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <asm/vlapic.h>
#include <asm/xstate.h>
#include <keel/domain.h>
#include <keel/vcpu.h>
#include <public/version.h>

/*
 * CPUID.1:ECX bits hidden: VMX, SMX, MONITOR, PDCM, x2APIC, TSC-deadline, XSAVE, OSXSAVE, PCID.
 * XSAVE and OSXSAVE come back from the extended-state policy below.
 */
#define LEAF1_ECX_HIDE                                                                           \
	((1u << 3) | (1u << 5) | (1u << 6) | (1u << 15) | (1u << 17) | (1u << 21) | (1u << 24) | \
	 (1u << 26) | (1u << 27))
#define LEAF1_ECX_HYPERVISOR (1u << 31)
/*
 * CPUID.1:EDX bits hidden: MCE and MCA (no machine-check MSRs: msr.c), ACPI thermal, TM, PBE
 * (no power management inside a guest). MTRR is always offered: msr_mtrr.c emulates them.
 */
#define LEAF1_EDX_HIDE ((1u << 7) | (1u << 14) | (1u << 22) | (1u << 29) | (1u << 31))
#define LEAF1_EDX_MTRR (1u << 12)
/*
 * CPUID.7.0:EBX hidden: TSC_ADJUST (IA32_TSC_ADJUST is not emulated), SGX, HLE, RTM, PQM, PQE,
 * INVPCID is kept; MPX; Intel PT.
 */
#define LEAF7_EBX_HIDE                                                                           \
	((1u << 1) | (1u << 2) | (1u << 4) | (1u << 11) | (1u << 12) | (1u << 14) | (1u << 15) | \
	 (1u << 25))
/*
 * CPUID.7.0:EDX kept from the host: MD_CLEAR (VERW is not intercepted) and ARCH_CAPABILITIES
 * (read-only, msr.c). The SPEC_CTRL/PRED_CMD/FLUSH_CMD families are not offered.
 */
#define LEAF7_EDX_KEEP ((1u << 10) | (1u << 29))
/* CPUID.80000008H:EBX hidden: AMD's IBPB, IBRS, STIBP, SSBD families (same reason). */
#define LEAF_EXT8_EBX_HIDE                                                             \
	((1u << 12) | (1u << 14) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 18) | \
	 (1u << 24) | (1u << 25) | (1u << 26))
/*
 * CPUID.7.0:ECX hidden: PKU and OSPKE (emulated accesses do not check protection keys), WAITPKG,
 * LA57 (no 5-level walks for guests yet), SGX-LC.
 */
#define LEAF7_ECX_HIDE ((1u << 3) | (1u << 4) | (1u << 5) | (1u << 16) | (1u << 30))

/* Features that exist only with the XSAVE components Keel switches for the guest. */
#define LEAF1_ECX_NEED_AVX ((1u << 12) | (1u << 28) | (1u << 29)) /* FMA, AVX, F16C */
#define LEAF7_EBX_NEED_AVX (1u << 5)				  /* AVX2 */
/* AVX512 F, DQ, IFMA, PF, ER, CD, BW, VL */
#define LEAF7_EBX_NEED_AVX512                                                          \
	((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | \
	 (1u << 30) | (1u << 31))
#define LEAF7_ECX_NEED_AVX (1u << 9 | 1u << 10) /* VAES, VPCLMULQDQ (VEX-encoded) */
/* AVX512 VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ */
#define LEAF7_ECX_NEED_AVX512 ((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14))

#define XEN_LEAF4_VCPU_ID	(1u << 3)
#define XEN_LEAF4_DOMID		(1u << 4)
#define XEN_LEAF4_UPCALL_VECTOR (1u << 6) /* HVMOP_set_evtchn_upcall_vector */

static bool xen_leaf(struct vcpu *v, u32 leaf, struct cpuid_regs *r)
{
	if (leaf < XEN_CPUID_BASE || leaf > XEN_CPUID_BASE + 0xff00)
		return false;
	*r = (struct cpuid_regs){0, 0, 0, 0};
	switch (leaf - XEN_CPUID_BASE) {
	case 0:
		r->eax = XEN_CPUID_BASE + 4;
		r->ebx = 0x566e6558; /* "XenV" */
		r->ecx = 0x65584d4d; /* "MMXe" */
		r->edx = 0x4d4d566e; /* "nVMM" */
		break;
	case 1:
		r->eax = KEEL_XEN_ABI_VERSION;
		break;
	case 2:
		r->eax = 1; /* one hypercall page */
		r->ebx = HYPERCALL_PAGE_MSR;
		break;
	case 4:
		r->eax = XEN_LEAF4_VCPU_ID | XEN_LEAF4_DOMID;
		if (hvm_eoi_exitless(hvm_ops, v))
			r->eax |= XEN_LEAF4_UPCALL_VECTOR; /* see struct hvm_vendor_ops */
		r->ebx = v->id;
		r->ecx = v->domain->id;
		break;
	default:
		break; /* leaves 3 and above 4, and other bases: all zero */
	}
	return true;
}

/*
 * Leaf 1 and 7.0 bits of the extended state: offered components, the guest's own CR4.OS* bits.
 * Out of line, so that the other leaves' path (the CPUID exit benchmark) stays as short.
 */
static __attribute__((noinline)) void xstate_features(struct vcpu *v, u32 leaf,
						      struct cpuid_regs *r)
{
	u64 comp = xstate_domain_components(v->domain);
	u64 cr4 = hvm_ops->get_cr(v, 4);

	if (leaf == 1) {
		if (comp) {
			r->ecx |= LEAF1_ECX_XSAVE;
			if (cr4 & CR4_OSXSAVE)
				r->ecx |= LEAF1_ECX_OSXSAVE;
		}
		if (!(comp & XSTATE_AVX))
			r->ecx &= ~LEAF1_ECX_NEED_AVX;
		return;
	}
	if (!(comp & XSTATE_AVX)) {
		r->ebx &= ~LEAF7_EBX_NEED_AVX;
		r->ecx &= ~LEAF7_ECX_NEED_AVX;
	}
	if (!(comp & XSTATE_AVX512)) {
		r->ebx &= ~LEAF7_EBX_NEED_AVX512;
		r->ecx &= ~LEAF7_ECX_NEED_AVX512;
	}
	r->ecx &= ~(LEAF7_ECX_PKU | LEAF7_ECX_OSPKE);
	if (comp & XSTATE_PKRU) {
		r->ecx |= LEAF7_ECX_PKU;
		if (cr4 & CR4_PKE)
			r->ecx |= LEAF7_ECX_OSPKE;
	}
}

void hvm_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	const struct cpuid_policy *pol = &v->domain->arch.cpuid;
	struct cpuid_regs max;

	if (xen_leaf(v, leaf, r))
		return;
	cpuid(leaf & 0x80000000u, &max);
	if (!(leaf & 0x80000000u) && pol->max_basic_leaf && max.eax > pol->max_basic_leaf)
		max.eax = pol->max_basic_leaf;
	if (leaf == 0) {
		cpuid(0, r);
		r->eax = max.eax;
		return;
	}
	if (leaf > max.eax || (leaf >= 0x40000000u && leaf < 0x80000000u)) {
		*r = (struct cpuid_regs){0, 0, 0, 0};
		return;
	}
	cpuid_count(leaf, subleaf, r);
	switch (leaf) {
	case 1:
		r->ecx = (r->ecx & ~(LEAF1_ECX_HIDE | pol->leaf1_ecx_hide)) | LEAF1_ECX_HYPERVISOR;
		r->edx = (r->edx & ~(LEAF1_EDX_HIDE | pol->leaf1_edx_hide)) | LEAF1_EDX_MTRR;
		/* Initial APIC id = 2 * vCPU id (as the guest's MADT will say). */
		r->ebx = (r->ebx & 0x00ffffffu) | ((v->id * 2) << 24);
		xstate_features(v, 1, r);
		break;
	case 5:	   /* MONITOR/MWAIT */
	case 6:	   /* thermal and power: no APERF/MPERF, no HWP */
	case 0xa:  /* performance monitoring */
	case 0xf:  /* resource monitoring */
	case 0x10: /* resource allocation */
	case 0x12: /* SGX */
	case 0x14: /* processor trace */
		*r = (struct cpuid_regs){0, 0, 0, 0};
		break;
	case 7:
		if (subleaf == 0) {
			r->ebx &= ~(LEAF7_EBX_HIDE | pol->leaf7_ebx_hide);
			r->ecx &= ~(LEAF7_ECX_HIDE | pol->leaf7_ecx_hide);
			r->edx &= LEAF7_EDX_KEEP;
			xstate_features(v, 7, r);
		} else {
			*r = (struct cpuid_regs){0, 0, 0, 0};
		}
		break;
	case 0xd: /* XSAVE: the domain's components, sizes for the guest's XCR0 */
		xstate_cpuid_leaf(v, subleaf, r);
		break;
	case 0x80000001:
		r->ecx &= ~(1u << 2); /* SVM */
		break;
	case 0x80000008:
		r->ebx &= ~LEAF_EXT8_EBX_HIDE;
		break;
	default:
		break;
	}
	vlapic_cpuid(v, leaf, subleaf, r); /* x2APIC, TSC deadline, topology, timer clock */
}
