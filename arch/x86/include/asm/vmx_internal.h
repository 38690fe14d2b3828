/* VT-x backend internals shared by arch/x86/vmx/ files only (never included outside vmx/). */
#ifndef ASM_VMX_INTERNAL_H
#define ASM_VMX_INTERNAL_H

#include <asm/ept.h>
#include <asm/hvm.h>
#include <asm/vmx.h>
#include <keel/arch_vcpu.h>
#include <keel/spinlock.h>

/* The controls chosen once from the capability MSRs, applied to every VMCS. */
struct vmx_config {
	u32 revision;
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned int preempt_shift; /* the preemption timer ticks at TSC >> shift */
	bool has_invept_single, has_invvpid_single;
	bool ept_2m, ept_1g;
	bool ins_outs_info; /* VM exits for INS/OUTS report address size and segment */
	/*
	 * APIC virtualization for vLAPICs in x2APIC mode (vmx_apicv.c): the controls a vCPU
	 * switches on while its vLAPIC is in x2APIC mode; 0 when the CPU lacks them or apicv=off.
	 */
	u32 apicv_proc, apicv_proc2;
};
extern struct vmx_config vmx_cfg;

/*
 * CR4 bits the real register holds in guest mode whatever the guest wrote (it reads its own
 * value from the shadow): MCE, so that a machine check in guest mode exits to Keel (#MC is in
 * the exception bitmap) and crashes that domain, instead of shutting the CPU down.
 */
#define GUEST_CR4_KEEL CR4_MCE

struct vmx_vcpu {
	void *vmcs;
	paddr_t vmcs_pa;
	bool launched;
	u16 vpid;
	int last_cpu; /* where it last ran (-1: never): its VPID's TLB entries may live there */
	u64 cr0_shadow, cr4_shadow; /* what the guest believes it wrote */
	bool loaded; /* its guest registers are in this CPU (between swap-in and swap-out) */
	bool
	    dr_owned; /* it has touched its debug registers: they switch with it, no MOV-DR exits */
	u64 host_rsp; /* scratch for vmx_entry.S */
	u32 *vapic_page; /* its virtual-APIC page (NULL without APIC virtualization) */
	bool apicv_on;	 /* the VMCS has the APIC-virtualization controls on */
};

struct vcpu;
typedef enum vcpu_leave (*vmx_exit_handler_t)(struct vcpu *v, u64 qual);

int vmx_probe(void);
int vmx_cpu_enable(void);
/* The MSR bitmaps every VMCS shares (allocated once, before the first vCPU). */
int vmx_msr_bitmap_init(void);
/* The plain one, or the one with x2APIC MSRs the CPU virtualizes left to it. */
paddr_t vmx_msr_bitmap_pa(bool apicv);

/* APIC virtualization (vmx_apicv.c). */
/* From the capability MSRs' allowed-1 halves (vmx_probe): choose it or not, and say so. */
void vmx_apicv_probe(u32 pin_may1, u32 proc_may1, u32 proc2_may1);
/* Per vCPU, with its VMCS current: the virtual-APIC page and the fields that go with it. */
int vmx_apicv_vcpu_init(struct vmx_vcpu *x);
void vmx_apicv_vcpu_destroy(struct vmx_vcpu *x);
/* Before each entry: switch it on or off as the vLAPIC's mode says; then RVI from the IRR. */
void vmx_apicv_update(struct vcpu *v);
/* Nothing for vmx_apicv_update() to switch on or off for @v (its vLAPIC's mode is unchanged)? */
bool vmx_apicv_settled(const struct vcpu *v);
/* After an exit handled an x2APIC MSR write: what the CPU reads from the page is current. */
void vmx_apicv_after_msr_write(struct vcpu *v, u32 msr);
bool vmx_eoi_exitless(struct vcpu *v);
int vmx_vcpu_init(struct vcpu *v);
void vmx_vcpu_destroy(struct vcpu *v);
void vmx_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx);
void vmx_load_host_state(void);
enum vcpu_leave vmx_vcpu_run(struct vcpu *v, u64 slice_ns);
enum vcpu_leave vmx_handle_exit(struct vcpu *v, u32 reason);
/* Before each entry (vmx_intr.c): inject an NMI or interrupt, or ask for the window. */
void vmx_inject_events(struct vcpu *v);
/* A start by SIPI (vmcs.c): real mode at (@vector << 8):0. */
void vmx_set_sipi_entry(struct vcpu *v, u8 vector);
const char *vmx_exit_reason_name(unsigned int reason);
void vmx_dump_vcpu(struct vcpu *v);
void vmx_get_state(struct vcpu *v, struct hvm_vcpu_state *s);
void vmx_inject_exception(struct vcpu *v, u8 vector, bool has_err, u32 err);
void vmx_advance_rip(void);
u64 vmx_get_cr(struct vcpu *v, int cr);
u64 vmx_get_efer(struct vcpu *v);
int vmx_set_efer(struct vcpu *v, u64 val);
u64 vmx_get_pat(struct vcpu *v);
void vmx_set_pat(struct vcpu *v, u64 val);
unsigned int vmx_get_cpl(struct vcpu *v);
u64 vmx_get_reg(struct vcpu *v, enum hvm_reg reg);
void vmx_set_reg(struct vcpu *v, enum hvm_reg reg, u64 val);
void vmx_get_segment(struct vcpu *v, enum x86_seg seg, struct segment *s);
unsigned int vmx_exit_insn_len(struct vcpu *v);
void vmx_skip_insn(struct vcpu *v, unsigned int len);
void vmx_inject_page_fault(struct vcpu *v, u64 cr2, u32 error_code);
int vmx_domain_init(struct domain *d);
void vmx_domain_destroy(struct domain *d);
int vmx_map_ram(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable);
int vmx_map_mmio(struct domain *d, u64 gpa, paddr_t hpa, u64 size);
int vmx_unmap(struct domain *d, u64 gpa, u64 size);
int vmx_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa);
/* Debug state (vmx_debug.c): lazy DR0-DR3 through MOV-DR exiting, DR7/DEBUGCTL in the VMCS. */
void vmx_debug_reset(struct vcpu *v);
void vmx_debug_load(struct vcpu *v);
void vmx_debug_save(struct vcpu *v);
enum vcpu_leave vmx_exit_dr_access(struct vcpu *v, u64 qual);
u64 vmx_get_debugctl(struct vcpu *v);
void vmx_set_debugctl(struct vcpu *v, u64 val);
/* Guest CR0/CR4 writes, with the fixed bits and long-mode activation handled. */
int vmx_write_cr0(struct vcpu *v, u64 val);
int vmx_write_cr4(struct vcpu *v, u64 val);

/* A domain's guest-physical map (vmx_p2m.c); d->arch.p2m points to it. */
struct vmx_p2m {
	struct ept ept;
	u64 eptp;	 /* ept's EPTP (as in d->arch.eptp), for the INVEPT before entry */
	spinlock_t lock; /* held across every change of ept and its flush */
	u64 serial;	 /* unique for Keel's lifetime: IBPB between domains compares it */
	bool slow_flush_reported, oom_reported;
};

/*
 * Around each VM entry on CPU @cpu (interrupts off): mark the CPU in @p's guest and INVEPT if a
 * change since its last entry left its cached translations stale; clear the mark after the exit.
 */
static inline void vmx_p2m_enter(struct vmx_p2m *p, unsigned int cpu)
{
	u64 gen = ept_cpu_enter(&p->ept, cpu);

	if (gen) {
		if (vmx_cfg.has_invept_single)
			invept_single(p->eptp);
		else
			invept_all();
		ept_cpu_flushed(&p->ept, cpu, gen);
	}
}

static inline void vmx_p2m_exit(struct vmx_p2m *p, unsigned int cpu)
{
	ept_cpu_exit(&p->ept, cpu);
}

/* vmx_tlb.c: VPIDs, and the all-context flush every CPU does before a tag is reused. */
int vpid_alloc(u16 *vpid);
/* Give @vpid back; it is handed out again only after every CPU flushed (vmx_tlb_retire_tags). */
void vpid_free(u16 vpid);
/* An EPTP or VPID stops being used: every CPU flushes all tags before it loads another vCPU. */
void vmx_tlb_retire_tags(void);
/* Whether CPU @cpu has not flushed since the last vmx_tlb_retire_tags() (*@epoch: the latest). */
bool vmx_tlb_stale(unsigned int cpu, u64 *epoch);
/* On CPU @cpu before loading a vCPU: the all-context INVEPT and INVVPID if stale. */
void vmx_tlb_flush_if_stale(unsigned int cpu);

/* vmx_entry.S: enter the guest (launch or resume); returns 0 after a VM exit, 1 if entry failed. */
int vmx_enter_guest(struct guest_gprs *gprs, int launched);

#endif
