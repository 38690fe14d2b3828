/* VT-x capability discovery: decides every VMCS control from the (TRUE) capability MSRs. */
#include <asm/cpu.h>
#include <asm/vmx_internal.h>
#include <keel/errno.h>
#include <keel/printk.h>

struct vmx_config vmx_cfg;

/*
 * Combine what Keel wants (@want), must have (@need) with a capability MSR: bits the CPU forces
 * on (low dword) are set, bits it cannot set (high dword clear) are dropped. -ENODEV if a needed
 * bit is unavailable.
 */
static int adjust_controls(u32 msr, u32 want, u32 need, u32 *out, const char *what)
{
	u64 cap = rdmsr(msr);
	u32 must1 = (u32)cap, may1 = (u32)(cap >> 32);
	u32 v = (want | need | must1) & may1;

	if ((v & need) != need) {
		pr_err("vmx: %s controls lack required bits %#x", what, need & ~v);
		return -ENODEV;
	}
	*out = v;
	return 0;
}

int vmx_probe(void)
{
	struct cpuid_regs r;
	u64 basic, fc, ept;
	bool true_ctls;
	int rc;

	cpuid(1, &r);
	if (!(r.ecx & (1u << 5))) {
		pr_err("vmx: this CPU has no VT-x (CPUID.1:ECX.VMX clear): Keel cannot run guests");
		return -ENODEV;
	}
	fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMXON)) {
		pr_err(
		    "vmx: VT-x is disabled by the firmware (IA32_FEATURE_CONTROL locked without VMXON): enable it in the BIOS setup");
		return -ENODEV;
	}
	basic = rdmsr(MSR_VMX_BASIC);
	vmx_cfg.revision = basic & 0x7fffffff;
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	vmx_cfg.ins_outs_info = basic & VMX_BASIC_IO_INFO;

	rc = adjust_controls(true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED,
			     PIN_VIRTUAL_NMIS | PIN_PREEMPT_TIMER,
			     PIN_EXT_INT_EXITING | PIN_NMI_EXITING, &vmx_cfg.pin, "pin-based");
	rc = rc
		 ?: adjust_controls(true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED, 0,
				    PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING |
					PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY |
					PROC_MWAIT_EXITING | PROC_MONITOR_EXITING |
					PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING |
					PROC_RDPMC_EXITING | PROC_MOV_DR_EXITING,
				    &vmx_cfg.proc, "processor-based");
	rc = rc
		 ?: adjust_controls(MSR_VMX_PROCBASED2,
				    PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID |
					PROC2_WBINVD_EXITING,
				    PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED,
				    &vmx_cfg.proc2, "secondary");
	rc = rc
		 ?: adjust_controls(true_ctls ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT, 0,
				    EXIT_HOST_64BIT | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
					EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_DEBUG,
				    &vmx_cfg.exit, "VM-exit");
	/* DR7 and DEBUGCTL are per-vCPU guest state in the VMCS: the debug controls are needed. */
	rc = rc
		 ?: adjust_controls(true_ctls ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY, 0,
				    ENTRY_LOAD_PAT | ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG,
				    &vmx_cfg.entry, "VM-entry");
	if (rc) {
		pr_err(
		    "vmx: VT-x lacks EPT, VPID or unrestricted guest support: Keel cannot run guests");
		return rc;
	}
	vmx_apicv_probe((u32)(rdmsr(true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED) >> 32),
			(u32)(rdmsr(true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED) >> 32),
			(u32)(rdmsr(MSR_VMX_PROCBASED2) >> 32));
	/* Guests start outside long mode; the entry control follows EFER.LMA at run time. */
	vmx_cfg.entry &= ~ENTRY_GUEST_64BIT;

	ept = rdmsr(MSR_VMX_EPT_VPID_CAP);
	if (!(ept & (1ULL << 6)) || !(ept & (1ULL << 14)) || !(ept & (1ULL << 20))) {
		pr_err(
		    "vmx: EPT lacks 4-level walks, write-back tables or INVEPT: cannot run guests");
		return -ENODEV;
	}
	vmx_cfg.ept_2m = ept & (1ULL << 16);
	vmx_cfg.ept_1g = ept & (1ULL << 17);
	vmx_cfg.has_invept_single = ept & (1ULL << 25);
	vmx_cfg.has_invvpid_single = ept & (1ULL << 41);
	vmx_cfg.preempt_shift = rdmsr(MSR_VMX_MISC) & 0x1f;
	vmx_cfg.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_cfg.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_cfg.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_cfg.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	pr_info(
	    "vmx: VT-x rev %#x: EPT (2M %s, 1G %s), VPID, unrestricted guest, preemption timer %s",
	    vmx_cfg.revision, vmx_cfg.ept_2m ? "yes" : "no", vmx_cfg.ept_1g ? "yes" : "no",
	    (vmx_cfg.pin & PIN_PREEMPT_TIMER) ? "yes" : "no");
	return 0;
}
