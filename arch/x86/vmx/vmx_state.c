/* Guest state under VT-x: CR0/CR4 writes, long-mode activation, CPL, registers, dumps, snapshots. */
#include <asm/cpu.h>
#include <asm/debugreg.h>
#include <asm/hvm_emul.h>
#include <asm/vmx_internal.h>
#include <asm/xstate.h>
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>

/* Keep EFER.LMA and the "IA-32e mode guest" entry control in step with CR0.PG and EFER.LME. */
static void update_long_mode(u64 cr0)
{
	u64 efer = vmread(VMCS_GUEST_EFER);
	u64 entry = vmread(VMCS_ENTRY_CTLS);

	if ((cr0 & CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= ENTRY_GUEST_64BIT;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~(u64)ENTRY_GUEST_64BIT;
	}
	vmwrite(VMCS_GUEST_EFER, efer);
	vmwrite(VMCS_ENTRY_CTLS, entry);
}

int vmx_write_cr0(struct vcpu *v, u64 val)
{
	struct vmx_vcpu *x = v->arch.vendor;
	u64 efer = vmread(VMCS_GUEST_EFER);
	u64 hw;

	if (val >> 32)
		return -1;
	if ((val & CR0_PG) && !(val & CR0_PE))
		return -1;
	if ((val & CR0_NW) && !(val & CR0_CD))
		return -1;
	/* Entering long mode needs PAE; leaving PAE off while LME is set is a #GP. */
	if ((val & CR0_PG) && !(x->cr0_shadow & CR0_PG) && (efer & EFER_LME) &&
	    !(vmread(VMCS_GUEST_CR4) & CR4_PAE))
		return -1;
	x->cr0_shadow = val;
	vmwrite(VMCS_CR0_SHADOW, val);
	/* The real CR0: the guest's bits plus the ones VMX insists on (except PE/PG). */
	hw = (val | (vmx_cfg.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & vmx_cfg.cr0_fixed1;
	hw &= ~(CR0_CD | CR0_NW); /* caching stays on: Keel owns memory types */
	vmwrite(VMCS_GUEST_CR0, hw);
	update_long_mode(val);
	return 0;
}

/* Changing one of these drops every translation of the current context (SDM vol. 3, 4.10.4.1). */
#define CR4_FLUSH_BITS (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP | CR4_SMAP | CR4_PCIDE | CR4_LA57)

int vmx_write_cr4(struct vcpu *v, u64 val)
{
	struct vmx_vcpu *x = v->arch.vendor;
	u64 mask = vmread(VMCS_CR4_MASK);
	u64 old = (vmread(VMCS_GUEST_CR4) & ~mask) | (x->cr4_shadow & mask);

	/* Every bit against the domain's CPUID and the mode rules, then what VMX can hold. */
	if (hvm_cr4_check(v, old, val, vmread(VMCS_GUEST_EFER), vmread(VMCS_GUEST_CR3)))
		return -1;
	if (val & ~vmx_cfg.cr4_fixed1)
		return -1;
	x->cr4_shadow = val;
	vmwrite(VMCS_CR4_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, val | vmx_cfg.cr4_fixed0 | GUEST_CR4_KEEL);
	/* Keel did the write, not the CPU: the flush it implies is Keel's to do. */
	if ((val ^ old) & CR4_FLUSH_BITS) {
		if (vmx_cfg.has_invvpid_single)
			invvpid_single(x->vpid);
		else
			invvpid_all();
	}
	return 0;
}

/*
 * The value the guest has: bits Keel owns (set in the guest/host mask) as the guest wrote them
 * (the read shadow); the others, which the guest changes without an exit, from the real register.
 */
u64 vmx_get_cr(struct vcpu *v, int cr)
{
	struct vmx_vcpu *x = v->arch.vendor;
	u64 mask;

	switch (cr) {
	case 0:
		mask = vmread(VMCS_CR0_MASK);
		return (vmread(VMCS_GUEST_CR0) & ~mask) | (x->cr0_shadow & mask);
	case 3:
		return vmread(VMCS_GUEST_CR3);
	case 4:
		mask = vmread(VMCS_CR4_MASK);
		return (vmread(VMCS_GUEST_CR4) & ~mask) | (x->cr4_shadow & mask);
	default:
		return 0;
	}
}

u64 vmx_get_efer(struct vcpu *v)
{
	return vmread(VMCS_GUEST_EFER);
}

int vmx_set_efer(struct vcpu *v, u64 val)
{
	struct vmx_vcpu *x = v->arch.vendor;
	u64 old = vmread(VMCS_GUEST_EFER);

	if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return -1;
	/* LME may not change while paging is on; LMA is the CPU's to set. */
	if ((x->cr0_shadow & CR0_PG) && ((val ^ old) & EFER_LME))
		return -1;
	vmwrite(VMCS_GUEST_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
	update_long_mode(x->cr0_shadow);
	return 0;
}

/* IA32_PAT: VM entry loads it from the guest state, VM exit saves it there (vmx_caps.c). */
u64 vmx_get_pat(struct vcpu *v)
{
	return vmread(VMCS_GUEST_PAT);
}

void vmx_set_pat(struct vcpu *v, u64 val)
{
	vmwrite(VMCS_GUEST_PAT, val);
}

unsigned int vmx_get_cpl(struct vcpu *v)
{
	return (vmread(VMCS_GUEST_SS_AR) >> 5) & 3;
}

static void read_segment(struct segment *s, u32 sel_field)
{
	u32 idx = (sel_field - VMCS_GUEST_ES_SEL) / 2;

	s->sel = (u16)vmread(sel_field);
	s->base = vmread(VMCS_GUEST_ES_BASE + idx * 2);
	s->limit = (u32)vmread(VMCS_GUEST_ES_LIMIT + idx * 2);
	s->ar = (u16)vmread(VMCS_GUEST_ES_AR + idx * 2);
}

#define SEG_AR_PRESENT	(1u << 7)
#define SEG_AR_UNUSABLE (1u << 16)

void vmx_get_segment(struct vcpu *v, enum x86_seg seg, struct segment *s)
{
	read_segment(s, VMCS_GUEST_ES_SEL + (u32)seg * 2);
	if (vmread(VMCS_GUEST_ES_AR + (u32)seg * 2) & SEG_AR_UNUSABLE)
		s->ar &= (u16)~SEG_AR_PRESENT;
}

static u32 reg_field(enum hvm_reg reg)
{
	switch (reg) {
	case HVM_REG_RSP:
		return VMCS_GUEST_RSP;
	case HVM_REG_RIP:
		return VMCS_GUEST_RIP;
	default:
		return VMCS_GUEST_RFLAGS;
	}
}

u64 vmx_get_reg(struct vcpu *v, enum hvm_reg reg)
{
	return vmread(reg_field(reg));
}

void vmx_set_reg(struct vcpu *v, enum hvm_reg reg, u64 val)
{
	vmwrite(reg_field(reg), val);
}

/* Snapshot the vCPU (its VMCS must be current on this CPU). */
void vmx_get_state(struct vcpu *v, struct hvm_vcpu_state *s)
{
	struct vmx_vcpu *x = v->arch.vendor;

	memset(s, 0, sizeof(*s));
	s->version = HVM_VCPU_STATE_VERSION;
	s->activity = (u32)vmread(VMCS_GUEST_ACTIVITY);
	s->gprs = v->arch.gprs;
	s->rsp = vmread(VMCS_GUEST_RSP);
	s->rip = vmread(VMCS_GUEST_RIP);
	s->rflags = vmread(VMCS_GUEST_RFLAGS);
	s->cr0 = vmx_get_cr(v, 0);
	s->cr3 = vmread(VMCS_GUEST_CR3);
	s->cr4 = vmx_get_cr(v, 4);
	s->efer = vmread(VMCS_GUEST_EFER);
	s->dr7 = vmread(VMCS_GUEST_DR7);
	read_segment(&s->es, VMCS_GUEST_ES_SEL);
	read_segment(&s->cs, VMCS_GUEST_CS_SEL);
	read_segment(&s->ss, VMCS_GUEST_SS_SEL);
	read_segment(&s->ds, VMCS_GUEST_DS_SEL);
	read_segment(&s->fs, VMCS_GUEST_FS_SEL);
	read_segment(&s->gs, VMCS_GUEST_GS_SEL);
	read_segment(&s->ldtr, VMCS_GUEST_LDTR_SEL);
	read_segment(&s->tr, VMCS_GUEST_TR_SEL);
	s->gdtr_base = vmread(VMCS_GUEST_GDTR_BASE);
	s->gdtr_limit = (u32)vmread(VMCS_GUEST_GDTR_LIMIT);
	s->idtr_base = vmread(VMCS_GUEST_IDTR_BASE);
	s->idtr_limit = (u32)vmread(VMCS_GUEST_IDTR_LIMIT);
	s->sysenter_cs = vmread(VMCS_GUEST_SYSENTER_CS);
	s->sysenter_esp = vmread(VMCS_GUEST_SYSENTER_ESP);
	s->sysenter_eip = vmread(VMCS_GUEST_SYSENTER_EIP);
	s->star = v->arch.star;
	s->lstar = v->arch.lstar;
	s->cstar = v->arch.cstar;
	s->sfmask = v->arch.sfmask;
	s->kernel_gs_base = v->arch.kernel_gs_base;
	s->pat = vmread(VMCS_GUEST_PAT);
	s->tsc_offset = vmread(VMCS_TSC_OFFSET);
	s->interruptibility = (u32)vmread(VMCS_GUEST_INTERRUPTIBILITY);
	s->pending_event = (u32)vmread(VMCS_ENTRY_INTR_INFO);
	s->pending_error = (u32)vmread(VMCS_ENTRY_EXC_ERRCODE);
	s->debugctl = vmread(VMCS_GUEST_DEBUGCTL);
	hvm_dr_get_state(v, x->loaded, x->dr_owned, s);
	s->xcr0 = v->arch.xcr0;
	s->xsave_area = x->loaded ? NULL : v->arch.xsave_area;
	s->xsave_size = xstate_area_bytes();
	s->xsave_format = xstate_switch_method();
}

void vmx_dump_vcpu(struct vcpu *v)
{
	struct hvm_vcpu_state s;
	const struct guest_gprs *g = &s.gprs;

	vmx_get_state(v, &s);
	pr_err("d%u vCPU %u state: RIP %04x:%016llx RSP %016llx RFLAGS %08llx CPL %u",
	       v->domain->id, v->id, s.cs.sel, s.rip, s.rsp, s.rflags, vmx_get_cpl(v));
	pr_err("  RAX %016llx RBX %016llx RCX %016llx RDX %016llx", g->rax, g->rbx, g->rcx, g->rdx);
	pr_err("  RSI %016llx RDI %016llx RBP %016llx R8  %016llx", g->rsi, g->rdi, g->rbp, g->r8);
	pr_err("  CR0 %08llx CR3 %016llx CR4 %08llx EFER %llx activity %u", s.cr0, s.cr3, s.cr4,
	       s.efer, s.activity);
	pr_err("  CS ar %#x limit %#x  SS ar %#x  TR ar %#x  GDTR %llx/%#x IDTR %llx/%#x", s.cs.ar,
	       s.cs.limit, s.ss.ar, s.tr.ar, s.gdtr_base, s.gdtr_limit, s.idtr_base, s.idtr_limit);
	pr_err("  controls: pin %#llx proc %#llx proc2 %#llx entry %#llx, entry event %#llx, "
	       "virtual-APIC %#llx, interrupt status %#llx",
	       vmread(VMCS_PIN_CTLS), vmread(VMCS_PROC_CTLS), vmread(VMCS_PROC_CTLS2),
	       vmread(VMCS_ENTRY_CTLS), vmread(VMCS_ENTRY_INTR_INFO),
	       vmread(VMCS_VIRTUAL_APIC_ADDR), vmread(VMCS_GUEST_INTR_STATUS));
	pr_err("  exit qualification %#llx, GPA %#llx, GLA %#llx, IDT vectoring %#llx",
	       vmread(VMCS_EXIT_QUALIFICATION), vmread(VMCS_GUEST_PHYS_ADDR),
	       vmread(VMCS_GUEST_LINEAR_ADDR), vmread(VMCS_IDT_VECTORING_INFO));
}
