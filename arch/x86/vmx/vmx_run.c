/* The VT-x run loop of one vCPU: inject events, enter, count and dispatch exits, leave when told. */
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/spec_ctrl.h>
#include <asm/time.h>
#include <asm/vmx_internal.h>
#include <asm/xstate.h>
#include <keel/domain.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/time.h>
#include <keel/vcpu.h>

u64 vmx_exit_totals[HVM_MAX_EXIT_REASONS];

static void swap_in(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.vendor;

	wrmsr(MSR_STAR, v->arch.star);
	wrmsr(MSR_LSTAR, v->arch.lstar);
	wrmsr(MSR_CSTAR, v->arch.cstar);
	wrmsr(MSR_SFMASK, v->arch.sfmask);
	wrmsr(MSR_KERNEL_GS_BASE, v->arch.kernel_gs_base);
	if (vmx_cfg.proc2 & PROC2_ENABLE_RDTSCP)
		wrmsr(MSR_TSC_AUX, v->arch.msr_tsc_aux); /* what the guest's RDTSCP returns */
	xstate_load_guest(v); /* every component, then the guest's XCR0 */
	vmx_debug_load(v);
	x->loaded = true;
}

static void swap_out(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.vendor;

	v->arch.star = rdmsr(MSR_STAR);
	v->arch.lstar = rdmsr(MSR_LSTAR);
	v->arch.cstar = rdmsr(MSR_CSTAR);
	v->arch.sfmask = rdmsr(MSR_SFMASK);
	v->arch.kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	x->loaded = false;
	vmx_debug_save(v);
	xstate_save_guest(v); /* the host's XCR0 back, then every component */
}

/* An event interrupted by the exit must be delivered again on the next entry. */
static void reinject_interrupted_event(void)
{
	u32 info = (u32)vmread(VMCS_IDT_VECTORING_INFO);
	u32 type;

	if (!(info & INTR_INFO_VALID))
		return;
	type = info & (7u << 8);
	vmwrite(VMCS_ENTRY_INTR_INFO, info & ~(1u << 12));
	if (info & INTR_INFO_ERRCODE)
		vmwrite(VMCS_ENTRY_EXC_ERRCODE, vmread(VMCS_IDT_VECTORING_ERR));
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_SW_EXCEPTION || type == (5u << 8))
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
}

static void set_preemption_timer(u64 deadline_tsc)
{
	u64 now = rdtsc();
	u64 ticks = deadline_tsc > now ? (deadline_tsc - now) >> vmx_cfg.preempt_shift : 0;

	if (vmx_cfg.pin & PIN_PREEMPT_TIMER)
		vmwrite(VMCS_PREEMPT_TIMER, MIN(ticks, 0xffffffffULL));
}

/*
 * The preemption timer is on while a slice runs; a vCPU with no deadline (SCHED_SLICE_NONE, the
 * null policy) runs with it off, until an interrupt, a kick or its own exit.
 */
static void use_preemption_timer(bool on)
{
	if (vmx_cfg.pin & PIN_PREEMPT_TIMER)
		vmwrite(VMCS_PIN_CTLS, on ? vmx_cfg.pin : vmx_cfg.pin & ~PIN_PREEMPT_TIMER);
}

static enum vcpu_leave entry_failed(struct vcpu *v, u32 reason)
{
	if (reason & EXIT_REASON_ENTRY_FAIL) {
		vmx_dump_vcpu(v);
		domain_crash(v->domain,
			     "vCPU %u: VM entry failed: %s (exit reason %u, qualification %llu)",
			     v->id, vmx_exit_reason_name(reason & 0xffff), reason & 0xffff,
			     vmread(VMCS_EXIT_QUALIFICATION));
	} else {
		vmx_dump_vcpu(v);
		domain_crash(v->domain,
			     "vCPU %u: VMLAUNCH/VMRESUME failed, VM-instruction error %llu", v->id,
			     vmread(VMCS_INSN_ERROR));
	}
	return VCPU_LEAVE_DEAD;
}

enum vcpu_leave vmx_vcpu_run(struct vcpu *v, u64 slice_ns)
{
	struct vmx_vcpu *x = v->arch.vendor;
	struct vmx_p2m *p2m = v->domain->arch.p2m;
	bool timed = slice_ns != SCHED_SLICE_NONE;
	u64 deadline = timed ? rdtsc() + slice_ns * tsc_khz / 1000000 : 0;
	enum vcpu_leave act = VCPU_STAY;
	unsigned int cpu;

	local_irq_disable();
	cpu = smp_processor_id();
	BUG_ON(vmptrld(x->vmcs_pa));
	vmx_load_host_state();
	/* Tags (EPTPs, VPIDs) of destroyed domains and vCPUs may be reused: flush them first. */
	vmx_tlb_flush_if_stale(cpu);
	spec_ctrl_enter_domain(cpu, p2m->serial);
	/*
	 * Guest TLB entries are tagged with the VPID on every CPU the vCPU ran on. Coming back to
	 * a CPU after running elsewhere, entries left here may predate page-table changes the guest
	 * flushed (INVLPG) only there: drop them.
	 */
	if (x->last_cpu != (int)smp_processor_id()) {
		if (vmx_cfg.has_invvpid_single)
			invvpid_single(x->vpid);
		else
			invvpid_all();
		x->last_cpu = (int)smp_processor_id();
	}
	swap_in(v);
	use_preemption_timer(timed);
	while (act == VCPU_STAY) {
		u32 reason;

		local_irq_disable();
		act = vcpu_should_leave(v);
		if (act == VCPU_STAY &&
		    (softirq_pending() || (timed && (s64)(rdtsc() - deadline) >= 0)))
			act = VCPU_LEAVE_RESCHED;
		if (act != VCPU_STAY)
			break;
		vmx_inject_events(v); /* NMI, callback vector, vLAPIC (vmx_intr.c) */
		if (timed)
			set_preemption_timer(deadline);
		vmx_p2m_enter(p2m, cpu);
		if (vmx_enter_guest(&v->arch.gprs, x->launched)) {
			vmx_p2m_exit(p2m, cpu);
			act = entry_failed(v, 0);
			break;
		}
		vmx_p2m_exit(p2m, cpu);
		x->launched = true;
		reason = (u32)vmread(VMCS_EXIT_REASON);
		if (reason & EXIT_REASON_ENTRY_FAIL) {
			act = entry_failed(v, reason);
			break;
		}
		reason &= 0xffff;
		if (reason < HVM_MAX_EXIT_REASONS) {
			v->arch.exit_counts[reason]++;
			vmx_exit_totals[reason]++;
		}
		reinject_interrupted_event();
		local_irq_enable();
		act = vmx_handle_exit(v, reason);
	}
	swap_out(v);
	BUG_ON(vmclear(x->vmcs_pa));
	x->launched = false;
	local_irq_enable();
	return act;
}
