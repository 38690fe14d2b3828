/* VT-x exit dispatch: one small handler per exit reason, looked up in a table. */
#include <asm/cpu.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_emulate.h>
#include <asm/mmio_decode.h>
#include <asm/traps.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>
#include <asm/vmx_internal.h>
#include <asm/xstate.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_shm.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <public/sched.h>

struct exit_entry {
	vmx_exit_handler_t handler;
	const char *name;
};

void vmx_skip_insn(struct vcpu *v, unsigned int len)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	/* Completing an instruction ends any STI/MOV-SS blocking. */
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
		vmread(VMCS_GUEST_INTERRUPTIBILITY) &
		    ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

unsigned int vmx_exit_insn_len(struct vcpu *v)
{
	return (unsigned int)vmread(VMCS_EXIT_INSN_LEN);
}

void vmx_advance_rip(void)
{
	vmx_skip_insn(NULL, vmx_exit_insn_len(NULL));
}

/* #PF with the guest's CR2 set to the faulting address (vmx_entry.S loads it before entry). */
void vmx_inject_page_fault(struct vcpu *v, u64 cr2, u32 error_code)
{
	v->arch.gprs.cr2 = cr2;
	vmx_inject_exception(v, X86_EXC_PF, true, error_code);
}

void vmx_inject_exception(struct vcpu *v, u8 vector, bool has_err, u32 err)
{
	u32 info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector;

	if (has_err) {
		info |= INTR_INFO_ERRCODE;
		vmwrite(VMCS_ENTRY_EXC_ERRCODE, err);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

static void inject_gp(struct vcpu *v)
{
	vmx_inject_exception(v, X86_EXC_GP, true, 0);
}
static void inject_ud(struct vcpu *v)
{
	vmx_inject_exception(v, X86_EXC_UD, false, 0);
}

/* What an emulation's outcome means for the run loop. */
static enum vcpu_leave emulated(enum hvm_emul r)
{
	return r == HVM_EMUL_DEAD ? VCPU_LEAVE_DEAD : VCPU_STAY;
}

/* A hypercall, from VMCALL or from VMMCALL through its #UD, with RIP already past it. */
static enum vcpu_leave hypercall(struct vcpu *v)
{
	hvm_do_hypercall(v);
	return vcpu_should_leave(v);
}

static enum vcpu_leave exit_exception(struct vcpu *v, u64 qual)
{
	u32 info = (u32)vmread(VMCS_EXIT_INTR_INFO);
	u8 vector = info & 0xff;

	if (((info >> 8) & 7) == 2) {
		/* A host NMI arrived while the guest ran: handle it as Keel's own. */
		__asm__ __volatile__("int $2");
		return VCPU_STAY;
	}
	if (vector == X86_EXC_MC) {
		domain_crash(v->domain, "vCPU %u: machine check while the guest ran", v->id);
		return VCPU_LEAVE_DEAD;
	}
	if (vector == X86_EXC_UD && hvm_is_hypercall_insn(v)) {
		/* vmcall or vmmcall that raised #UD: a hypercall all the same. */
		vmx_skip_insn(v, 3);
		return hypercall(v);
	}
	/* Any other intercepted exception goes back to the guest unchanged. */
	vmx_inject_exception(v, vector, info & INTR_INFO_ERRCODE,
			     (u32)vmread(VMCS_EXIT_INTR_ERRCODE));
	return VCPU_STAY;
}

static enum vcpu_leave exit_external_interrupt(struct vcpu *v, u64 qual)
{
	/* Interrupts are re-enabled after each exit; the host takes it then. */
	return VCPU_STAY;
}

/* An EOI of a vector in the EOI-exit bitmap (device interrupts); the CPU did the EOI. */
static enum vcpu_leave exit_eoi_induced(struct vcpu *v, u64 qual)
{
	vioapic_eoi(v->domain, (u8)qual);
	return VCPU_STAY;
}

/* A triple fault resets a real machine: the domain reboots (per its on_reboot). */
static enum vcpu_leave exit_triple_fault(struct vcpu *v, u64 qual)
{
	pr_info("vmx: d%u vCPU %u triple fault at RIP %#llx: the domain reboots, as hardware would",
		v->domain->id, v->id, vmread(VMCS_GUEST_RIP));
	vmx_dump_vcpu(v);
	domain_shutdown(v->domain, SHUTDOWN_reboot);
	return VCPU_LEAVE_DEAD;
}

static enum vcpu_leave exit_init_sipi(struct vcpu *v, u64 qual)
{
	/* PVH vCPUs are started with VCPUOP_up; INIT and SIPI signals are ignored. */
	pr_debug("vmx: d%u vCPU %u ignored INIT/SIPI", v->domain->id, v->id);
	return VCPU_STAY;
}

static enum vcpu_leave exit_interrupt_window(struct vcpu *v, u64 qual)
{
	vmwrite(VMCS_PROC_CTLS, vmread(VMCS_PROC_CTLS) & ~(u64)PROC_INTR_WINDOW);
	return VCPU_STAY;
}

static enum vcpu_leave exit_nmi_window(struct vcpu *v, u64 qual)
{
	return VCPU_STAY; /* vmx_inject_events() injects the NMI and clears the window */
}

static enum vcpu_leave exit_cpuid(struct vcpu *v, u64 qual)
{
	struct cpuid_regs r;
	struct guest_gprs *g = &v->arch.gprs;

	hvm_cpuid(v, (u32)g->rax, (u32)g->rcx, &r);
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	vmx_advance_rip();
	return VCPU_STAY;
}

/* Blocks until an event, or takes the vCPU down for good (common/vcpu_down.c). */
static enum vcpu_leave exit_hlt(struct vcpu *v, u64 qual)
{
	vmx_advance_rip();
	return vcpu_halt(v, vmread(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF);
}

static enum vcpu_leave exit_vmcall(struct vcpu *v, u64 qual)
{
	vmx_advance_rip();
	return hypercall(v);
}

static enum vcpu_leave exit_vmx_insn(struct vcpu *v, u64 qual)
{
	inject_ud(v); /* no nested virtualization */
	return VCPU_STAY;
}

static enum vcpu_leave exit_cr_access(struct vcpu *v, u64 qual)
{
	struct vmx_vcpu *x = v->arch.vendor;
	unsigned int cr = qual & 15, type = (qual >> 4) & 3, reg = (qual >> 8) & 15;
	int rc = 0;

	switch (type) {
	case 0: /* mov to cr */
		if (cr == 0)
			rc = vmx_write_cr0(v, hvm_read_gpr(v, reg));
		else if (cr == 4)
			rc = vmx_write_cr4(v, hvm_read_gpr(v, reg));
		else if (cr == 8 && !(hvm_read_gpr(v, reg) >> 4))
			vlapic_set_cr8(v->arch.vlapic, hvm_read_gpr(v, reg)); /* TPR[7:4] */
		else
			rc = -1;
		break;
	case 1: /* mov from cr */
		if (cr == 8)
			hvm_write_gpr(v, reg, vlapic_get_cr8(v->arch.vlapic));
		else
			rc = -1;
		break;
	case 2: /* clts */
		x->cr0_shadow &= ~(1ULL << 3);
		vmwrite(VMCS_CR0_SHADOW, x->cr0_shadow);
		vmwrite(VMCS_GUEST_CR0, vmread(VMCS_GUEST_CR0) & ~(1ULL << 3));
		break;
	default: /* lmsw: only the low 4 bits, and PE cannot be cleared */
		rc = vmx_write_cr0(v, (vmx_get_cr(v, 0) & ~0xeULL) | ((qual >> 16) & 0xf) |
					  (x->cr0_shadow & 1));
		break;
	}
	if (rc) {
		inject_gp(v);
		return VCPU_STAY;
	}
	vmx_advance_rip();
	return VCPU_STAY;
}

static enum vcpu_leave exit_io(struct vcpu *v, u64 qual)
{
	struct hvm_io_insn io = {
	    .port = (u16)(qual >> 16),
	    .size = (unsigned int)(qual & 7) + 1,
	    .in = qual & (1u << 3),
	    .string = qual & (1u << 4),
	    .rep = qual & (1u << 5),
	    .seg = -1,
	};

	if (io.string && vmx_cfg.ins_outs_info) {
		/* VM-exit instruction information: address size in bits 9:7, segment in 17:15. */
		u32 info = (u32)vmread(VMCS_EXIT_INSN_INFO);

		if (((info >> 7) & 7) <= 2)
			io.addr_size = 16u << ((info >> 7) & 7);
		if (!io.in && ((info >> 15) & 7) <= X86_SEG_GS)
			io.seg = (int)((info >> 15) & 7);
	}
	return emulated(hvm_emulate_io(v, &io));
}

static enum vcpu_leave exit_rdmsr(struct vcpu *v, u64 qual)
{
	struct guest_gprs *g = &v->arch.gprs;
	u64 val;

	if (hvm_msr_read(v, (u32)g->rcx, &val)) {
		inject_gp(v);
		return VCPU_STAY;
	}
	g->rax = (u32)val;
	g->rdx = val >> 32;
	vmx_advance_rip();
	return VCPU_STAY;
}

static enum vcpu_leave exit_wrmsr(struct vcpu *v, u64 qual)
{
	struct guest_gprs *g = &v->arch.gprs;

	if (hvm_msr_write(v, (u32)g->rcx, ((g->rdx & 0xffffffff) << 32) | (g->rax & 0xffffffff))) {
		inject_gp(v);
		return VCPU_STAY;
	}
	vmx_apicv_after_msr_write(v, (u32)g->rcx);
	vmx_advance_rip();
	return VCPU_STAY;
}

static enum vcpu_leave exit_ept_violation(struct vcpu *v, u64 qual)
{
	u64 gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	const char *what = (qual & 2) ? "write" : (qual & 4) ? "instruction fetch" : "read";
	const char *shared = (qual & 2) ? domain_shm_readonly_at(v->domain, gpa) : NULL;

	if (shared) { /* before MMIO: a region in the unclaimed device window is no device */
		domain_crash(v->domain,
			     "vCPU %u: write at GPA %#llx (RIP %#llx) to shared region '%s', which "
			     "is read-only for this domain",
			     v->id, gpa, vmread(VMCS_GUEST_RIP), shared);
		return VCPU_LEAVE_DEAD;
	}
	if (!(qual & 4)) {
		enum hvm_emul r = hvm_emulate_mmio(v, gpa);

		if (r != HVM_EMUL_UNCLAIMED)
			return emulated(r);
	}
	vmx_dump_vcpu(v);
	domain_crash(v->domain, "vCPU %u: %s at GPA %#llx (RIP %#llx): outside the domain's memory",
		     v->id, what, gpa, vmread(VMCS_GUEST_RIP));
	return VCPU_LEAVE_DEAD;
}

static enum vcpu_leave exit_ept_misconfig(struct vcpu *v, u64 qual)
{
	vmx_dump_vcpu(v);
	domain_crash(v->domain, "vCPU %u: EPT misconfiguration at GPA %#llx (a Keel bug)", v->id,
		     vmread(VMCS_GUEST_PHYS_ADDR));
	return VCPU_LEAVE_DEAD;
}

static enum vcpu_leave exit_preempt_timer(struct vcpu *v, u64 qual)
{
	return VCPU_LEAVE_RESCHED;
}

static enum vcpu_leave exit_skip(struct vcpu *v, u64 qual)
{
	vmx_advance_rip(); /* WBINVD/INVD: nothing to do for a guest without devices */
	return VCPU_STAY;
}

static enum vcpu_leave exit_gp(struct vcpu *v, u64 qual)
{
	inject_gp(v); /* RDPMC: no performance counters for guests */
	return VCPU_STAY;
}

static enum vcpu_leave exit_xsetbv(struct vcpu *v, u64 qual)
{
	struct guest_gprs *g = &v->arch.gprs;
	int exc = hvm_xsetbv(v, (u32)g->rcx, ((g->rdx & 0xffffffff) << 32) | (g->rax & 0xffffffff));

	if (exc) {
		vmx_inject_exception(v, (u8)exc, exc == X86_EXC_GP, 0);
		return VCPU_STAY;
	}
	vmx_advance_rip();
	return VCPU_STAY;
}

static enum vcpu_leave exit_unknown(struct vcpu *v, u64 qual);

static const struct exit_entry exit_table[HVM_MAX_EXIT_REASONS] = {
    [EXIT_EXCEPTION_NMI] = {exit_exception, "exception or NMI"},
    [EXIT_EXTERNAL_INTERRUPT] = {exit_external_interrupt, "external interrupt"},
    [EXIT_TRIPLE_FAULT] = {exit_triple_fault, "triple fault"},
    [EXIT_EOI_INDUCED] = {exit_eoi_induced, "EOI induced"},
    [EXIT_INIT] = {exit_init_sipi, "INIT"},
    [EXIT_SIPI] = {exit_init_sipi, "SIPI"},
    [EXIT_INTERRUPT_WINDOW] = {exit_interrupt_window, "interrupt window"},
    [EXIT_NMI_WINDOW] = {exit_nmi_window, "NMI window"},
    [EXIT_TASK_SWITCH] = {NULL, "task switch"},
    [EXIT_CPUID] = {exit_cpuid, "CPUID"},
    [EXIT_GETSEC] = {exit_vmx_insn, "GETSEC"},
    [EXIT_HLT] = {exit_hlt, "HLT"},
    [EXIT_INVD] = {exit_skip, "INVD"},
    [EXIT_INVLPG] = {NULL, "INVLPG"},
    [EXIT_RDPMC] = {exit_gp, "RDPMC"},
    [EXIT_RDTSC] = {NULL, "RDTSC"},
    [EXIT_VMCALL] = {exit_vmcall, "VMCALL"},
    [EXIT_VMCLEAR] = {exit_vmx_insn, "VMCLEAR"},
    [EXIT_VMLAUNCH] = {exit_vmx_insn, "VMLAUNCH"},
    [EXIT_VMPTRLD] = {exit_vmx_insn, "VMPTRLD"},
    [EXIT_VMPTRST] = {exit_vmx_insn, "VMPTRST"},
    [EXIT_VMREAD] = {exit_vmx_insn, "VMREAD"},
    [EXIT_VMRESUME] = {exit_vmx_insn, "VMRESUME"},
    [EXIT_VMWRITE] = {exit_vmx_insn, "VMWRITE"},
    [EXIT_VMXOFF] = {exit_vmx_insn, "VMXOFF"},
    [EXIT_VMXON] = {exit_vmx_insn, "VMXON"},
    [EXIT_CR_ACCESS] = {exit_cr_access, "CR access"},
    [EXIT_DR_ACCESS] = {vmx_exit_dr_access, "DR access"},
    [EXIT_IO] = {exit_io, "I/O instruction"},
    [EXIT_RDMSR] = {exit_rdmsr, "RDMSR"},
    [EXIT_WRMSR] = {exit_wrmsr, "WRMSR"},
    [EXIT_INVALID_GUEST_STATE] = {NULL, "invalid guest state"},
    [EXIT_MSR_LOADING] = {NULL, "MSR loading"},
    [EXIT_MWAIT] = {exit_vmx_insn, "MWAIT"},
    [EXIT_MTF] = {NULL, "monitor trap flag"},
    [EXIT_MONITOR] = {exit_vmx_insn, "MONITOR"},
    [EXIT_PAUSE] = {exit_skip, "PAUSE"},
    [EXIT_MACHINE_CHECK] = {NULL, "machine check during entry"},
    [EXIT_TPR_BELOW] = {NULL, "TPR below threshold"},
    [EXIT_APIC_ACCESS] = {NULL, "APIC access"},
    [EXIT_GDTR_IDTR] = {NULL, "GDTR/IDTR access"},
    [EXIT_LDTR_TR] = {NULL, "LDTR/TR access"},
    [EXIT_EPT_VIOLATION] = {exit_ept_violation, "EPT violation"},
    [EXIT_EPT_MISCONFIG] = {exit_ept_misconfig, "EPT misconfiguration"},
    [EXIT_INVEPT] = {exit_vmx_insn, "INVEPT"},
    [EXIT_RDTSCP] = {NULL, "RDTSCP"},
    [EXIT_PREEMPT_TIMER] = {exit_preempt_timer, "preemption timer"},
    [EXIT_INVVPID] = {exit_vmx_insn, "INVVPID"},
    [EXIT_WBINVD] = {exit_skip, "WBINVD"},
    [EXIT_XSETBV] = {exit_xsetbv, "XSETBV"},
    [EXIT_RDRAND] = {NULL, "RDRAND"},
    [EXIT_INVPCID] = {NULL, "INVPCID"},
    [EXIT_VMFUNC] = {exit_vmx_insn, "VMFUNC"},
    [EXIT_RDSEED] = {NULL, "RDSEED"},
    [EXIT_XSAVES] = {NULL, "XSAVES"},
    [EXIT_XRSTORS] = {NULL, "XRSTORS"},
};

const char *vmx_exit_reason_name(unsigned int reason)
{
	if (reason < HVM_MAX_EXIT_REASONS && exit_table[reason].name)
		return exit_table[reason].name;
	return "unknown";
}

static enum vcpu_leave exit_unknown(struct vcpu *v, u64 qual)
{
	u32 reason = (u32)vmread(VMCS_EXIT_REASON) & 0xffff;

	vmx_dump_vcpu(v);
	domain_crash(v->domain, "vCPU %u: unexpected VM exit %u (%s), qualification %#llx", v->id,
		     reason, vmx_exit_reason_name(reason), qual);
	return VCPU_LEAVE_DEAD;
}

enum vcpu_leave vmx_handle_exit(struct vcpu *v, u32 reason)
{
	vmx_exit_handler_t h = NULL;

	if (reason < HVM_MAX_EXIT_REASONS)
		h = exit_table[reason].handler;
	return (h ? h : exit_unknown)(v, vmread(VMCS_EXIT_QUALIFICATION));
}
