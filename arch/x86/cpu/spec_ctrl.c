/* Speculation hygiene between domains: the CPU's bugs from its capability bits, and the barriers. */
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/spec_ctrl.h>
#include <keel/printk.h>

struct spec_policy spec_policy;
u8 spec_entry_work;

/* The domain (vmx p2m serial) each CPU last ran a vCPU of; 0: none yet. */
static u64 last_domain[MAX_CPUS];

void spec_ctrl_decide(const struct spec_caps *caps, struct spec_policy *p)
{
	u64 ac = (caps->cpuid7_edx & CPUID7_EDX_ARCH_CAPS) ? caps->arch_caps : 0;
	bool tsx = caps->cpuid7_ebx & (CPUID7_EBX_HLE | CPUID7_EBX_RTM);

	*p = (struct spec_policy){0};
	p->l1tf_affected = !(ac & ARCH_CAP_RDCL_NO);
	p->mds_affected = !(ac & ARCH_CAP_MDS_NO);
	p->taa_affected = tsx && !(ac & ARCH_CAP_TAA_NO);
	p->ibpb_on_switch = caps->cpuid7_edx & CPUID7_EDX_IBRS_IBPB;
	p->l1d_flush = p->l1tf_affected && !(ac & ARCH_CAP_SKIP_L1DFL) &&
		       (caps->cpuid7_edx & CPUID7_EDX_L1D_FLUSH);
	/* An L1D flush command also overwrites the buffers VERW clears: one of the two is enough. */
	p->verw = (p->mds_affected || p->taa_affected) &&
		  (caps->cpuid7_edx & CPUID7_EDX_MD_CLEAR) && !p->l1d_flush;
	p->guest_has_arch_caps = caps->cpuid7_edx & CPUID7_EDX_ARCH_CAPS;
	p->guest_arch_caps = ac & ARCH_CAP_GUEST_BITS;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static const char *l1d_what(const struct spec_caps *caps, const struct spec_policy *p)
{
	if (p->l1d_flush)
		return "L1D flush before VM entry";
	if (!p->l1tf_affected)
		return "no L1D flush (not L1TF-affected)";
	if ((caps->cpuid7_edx & CPUID7_EDX_ARCH_CAPS) && (caps->arch_caps & ARCH_CAP_SKIP_L1DFL))
		return "no L1D flush (SKIP_L1DFL_VMENTRY)";
	return "no L1D flush (L1TF-affected, no L1D_FLUSH: vulnerable)";
}

static const char *verw_what(const struct spec_caps *caps, const struct spec_policy *p)
{
	if (p->verw)
		return "VERW before VM entry";
	if (!p->mds_affected && !p->taa_affected)
		return "no VERW (not MDS/TAA-affected)";
	if (p->l1d_flush)
		return "no VERW (the L1D flush clears the buffers)";
	return "no VERW (MDS/TAA-affected, no MD_CLEAR: vulnerable)";
}

void spec_ctrl_report(const struct spec_caps *caps, const struct spec_policy *p)
{
	char ac[24] = "no";

	if (caps->cpuid7_edx & CPUID7_EDX_ARCH_CAPS)
		snprintf(ac, sizeof(ac), "0x%llx", caps->arch_caps);
	pr_info("spec: CPU: IBPB %s, STIBP %s, L1D_FLUSH %s, MD_CLEAR %s, ARCH_CAPABILITIES %s; "
		"Keel: %s, %s, %s, guest GPRs cleared after VM exit",
		yes_no(caps->cpuid7_edx & CPUID7_EDX_IBRS_IBPB),
		yes_no(caps->cpuid7_edx & CPUID7_EDX_STIBP),
		yes_no(caps->cpuid7_edx & CPUID7_EDX_L1D_FLUSH),
		yes_no(caps->cpuid7_edx & CPUID7_EDX_MD_CLEAR), ac,
		p->ibpb_on_switch ? "IBPB on domain switch"
				  : "no IBPB on domain switch (not offered: vulnerable)",
		l1d_what(caps, p), verw_what(caps, p));
}

void spec_ctrl_init(void)
{
	struct spec_caps caps = {0};
	struct cpuid_regs r;

	cpuid(0, &r);
	if (r.eax >= 7) {
		cpuid_count(7, 0, &r);
		caps.cpuid7_ebx = r.ebx;
		caps.cpuid7_edx = r.edx;
	}
	if (caps.cpuid7_edx & CPUID7_EDX_ARCH_CAPS)
		caps.arch_caps = rdmsr(MSR_ARCH_CAPABILITIES);
	spec_ctrl_decide(&caps, &spec_policy);
	spec_entry_work = (spec_policy.l1d_flush ? SPEC_ENTRY_L1D_FLUSH : 0) |
			  (spec_policy.verw ? SPEC_ENTRY_VERW : 0);
	spec_ctrl_report(&caps, &spec_policy);
}

bool spec_ctrl_enter_domain(unsigned int cpu, u64 serial)
{
	bool other = last_domain[cpu] && last_domain[cpu] != serial;

	/* Branch predictions trained by the last domain (or Keel for it) must not steer this one. */
	if (other && spec_policy.ibpb_on_switch)
		wrmsr(MSR_PRED_CMD, PRED_CMD_IBPB);
	last_domain[cpu] = serial;
	return other;
}
