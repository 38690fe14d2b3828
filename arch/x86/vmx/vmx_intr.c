/* VT-x event injection before each entry: NMIs, the event-channel callback vector, vLAPIC IRR. */
#include <asm/vlapic.h>
#include <asm/vmx_internal.h>
#include <asm/x86_defs.h>
#include <keel/vcpu.h>

#define INTERRUPTIBILITY_NMI (1u << 3) /* blocking by NMI */

/* Take HLT out of the way of an injected event. */
static void wake_from_hlt(void)
{
	if (vmread(VMCS_GUEST_ACTIVITY) == ACTIVITY_HLT)
		vmwrite(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
}

/* An NMI IPI: inject it unless NMIs are blocked; then ask for the NMI window. */
static bool inject_nmi(struct vcpu *v, u32 intr, u32 *proc)
{
	struct vlapic *l = v->arch.vlapic;
	bool vnmi = vmx_cfg.pin & PIN_VIRTUAL_NMIS;

	if (!l || !READ_ONCE(l->nmi_pending))
		return false;
	if (intr & (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOVSS | INTERRUPTIBILITY_STI)) {
		if (vnmi)
			*proc |= PROC_NMI_WINDOW;
		return true; /* nothing else goes in front of it */
	}
	if (vlapic_take_nmi(v)) {
		vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | X86_EXC_NMI);
		wake_from_hlt();
	}
	return true;
}

/*
 * Nothing to deliver and no APIC-virtualization switch due: no upcall pending for a vector, no
 * IRR bit, no NMI. Flags and eight IRR words only, no priority logic: the path of every exit
 * that raises nothing (most of them).
 */
static bool nothing_pending(const struct vcpu *v)
{
	const struct vlapic *l = v->arch.vlapic;
	bool upcall = v->vcpu_info && READ_ONCE(v->vcpu_info->upcall_pending);
	u32 irr = 0;

	if (upcall && (v->upcall_vector || (l && READ_ONCE(l->upcall_vector))))
		return false;
	if (!l)
		return true;
	for (unsigned int i = 0; i < 8; i++)
		irr |= READ_ONCE(l->irr[i]);
	return !irr && !READ_ONCE(l->nmi_pending) && vmx_apicv_settled(v);
}

void vmx_inject_events(struct vcpu *v)
{
	if (nothing_pending(v)) {
		u32 proc = (u32)vmread(VMCS_PROC_CTLS);

		if (proc & (PROC_INTR_WINDOW | PROC_NMI_WINDOW))
			vmwrite(VMCS_PROC_CTLS, proc & ~(PROC_INTR_WINDOW | PROC_NMI_WINDOW));
		return;
	}
	struct vlapic *l = v->arch.vlapic;
	bool upcall = v->upcall_vector && vcpu_upcall_pending(v);
	int vec = -1;
	u32 intr, proc, want;

	if (l) {
		struct vmx_vcpu *x = v->arch.vendor;

		vlapic_sync_upcall(v); /* the per-vCPU upcall vector, through the IRR */
		vmx_apicv_update(v);   /* with APICv: IRR into the page, RVI; the CPU delivers */
		if (!x->apicv_on)
			vec = vlapic_pending_vector(l);
	}
	/* Read after the APICv switch above, which may have changed the controls. */
	proc = (u32)vmread(VMCS_PROC_CTLS);
	want = proc & ~(PROC_INTR_WINDOW | PROC_NMI_WINDOW);
	if (!upcall && vec < 0 && !(l && READ_ONCE(l->nmi_pending))) {
		/* Nothing deliverable now (IRR bits below the PPR, or left to APICv). */
		if (want != proc)
			vmwrite(VMCS_PROC_CTLS, want);
		return;
	}
	intr = (u32)vmread(VMCS_GUEST_INTERRUPTIBILITY);
	/*
	 * An event already being (re)delivered, or an NMI, goes first; an interrupt then waits for
	 * the window, as it does while IF is clear or STI/MOV-SS blocking lasts.
	 */
	if (!(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && !inject_nmi(v, intr, &want) &&
	    (upcall || vec >= 0) && (vmread(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	    !(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))) {
		/* The callback vector bypasses the LAPIC (no IRR, ISR or EOI), as in Xen. */
		u8 inject = upcall ? v->upcall_vector : (u8)vec;

		if (!upcall)
			vlapic_ack(l, inject);
		vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT_INTR | inject);
		wake_from_hlt();
		if (upcall && vec >= 0)
			want |= PROC_INTR_WINDOW; /* the LAPIC's turn next */
	} else if (upcall || vec >= 0) {
		want |= PROC_INTR_WINDOW;
	}
	if (l && READ_ONCE(l->nmi_pending) && (vmx_cfg.pin & PIN_VIRTUAL_NMIS) &&
	    (vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && !(want & PROC_NMI_WINDOW))
		want |= PROC_NMI_WINDOW; /* an NMI behind another event: right after it */
	if (want != proc)
		vmwrite(VMCS_PROC_CTLS, want);
}
