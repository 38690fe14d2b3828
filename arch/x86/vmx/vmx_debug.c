/* Debug state under VT-x: DR0-DR3 handed over lazily (MOV-DR exits), DR7/DEBUGCTL in the VMCS. */
#include <asm/debugreg.h>
#include <asm/traps.h>
#include <asm/vmx_internal.h>
#include <keel/vcpu.h>

/*
 * DR7 and IA32_DEBUGCTL are guest state in the VMCS ("load/save debug controls"); a VM exit
 * leaves the host DR7 = 0x400 and DEBUGCTL = 0. DR6 is switched with every vCPU. DR0-DR3 are
 * the guest's only once it touches a debug register: until then MOV-DR exits, its DR0-DR3 are
 * zero and the CPU's are zeroed for it. The first MOV-DR that passes the architectural checks
 * loads its values, turns MOV-DR exiting off and runs again natively; from then on DR0-DR3
 * switch with the vCPU, until its next reset.
 */
void vmx_debug_reset(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.vendor;

	x->dr_owned = false;
	vmwrite(VMCS_PROC_CTLS, vmread(VMCS_PROC_CTLS) | PROC_MOV_DR_EXITING);
	vmwrite(VMCS_GUEST_DR7, DR7_RESET);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
}

void vmx_debug_load(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.vendor;

	hvm_dr_load(v, x->dr_owned);
}

void vmx_debug_save(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.vendor;

	hvm_dr_save(v, x->dr_owned);
}

/* MOV to/from DRn while the vCPU does not own its debug registers (qualification: n in 2:0). */
enum vcpu_leave vmx_exit_dr_access(struct vcpu *v, u64 qual)
{
	struct vmx_vcpu *x = v->arch.vendor;
	int exc = hvm_mov_dr_check(v, qual & 7);

	/* The exit comes before the #GP (CPL > 0) and #UD (DR4/DR5, CR4.DE) the CPU would raise. */
	if (exc) {
		vmx_inject_exception(v, (u8)exc, exc == X86_EXC_GP, 0);
		return VCPU_STAY;
	}
	hvm_dr_save(v, false); /* DR6 as the guest has it now */
	x->dr_owned = true;
	hvm_dr_load(v, true);
	vmwrite(VMCS_PROC_CTLS, vmread(VMCS_PROC_CTLS) & ~(u64)PROC_MOV_DR_EXITING);
	return VCPU_STAY; /* RIP unchanged: the MOV runs again, now without exiting */
}

u64 vmx_get_debugctl(struct vcpu *v)
{
	return vmread(VMCS_GUEST_DEBUGCTL);
}

void vmx_set_debugctl(struct vcpu *v, u64 val)
{
	vmwrite(VMCS_GUEST_DEBUGCTL, val);
}
