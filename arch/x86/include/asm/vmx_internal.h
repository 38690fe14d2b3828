/* VT-x backend internals shared by arch/x86/vmx/ files only (never included outside vmx/). */
#ifndef ASM_VMX_INTERNAL_H
#define ASM_VMX_INTERNAL_H

#include <asm/hvm.h>
#include <asm/vmx.h>

/* The controls chosen once from the capability MSRs, applied to every VMCS. */
struct vmx_config {
	u32 revision;
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned int preempt_shift; /* the preemption timer ticks at TSC >> shift */
	bool has_invept_single, has_invvpid_single;
	bool ept_2m, ept_1g;
	bool ins_outs_info; /* VM exits for INS/OUTS report address size and segment */
};
extern struct vmx_config vmx_cfg;

struct vmx_vcpu {
	void *vmcs;
	paddr_t vmcs_pa;
	bool launched;
	u16 vpid;
	int last_cpu; /* where it last ran (-1: never): its VPID's TLB entries may live there */
	u64 cr0_shadow, cr4_shadow; /* what the guest believes it wrote */
	u64 cr8;
	u8 fx_area[512] __attribute__((aligned(16)));
	bool fx_valid;
	u64 host_rsp; /* scratch for vmx_entry.S */
};

enum vmx_action {
	VMX_RESUME,
	VMX_LEAVE_RESCHED,
	VMX_LEAVE_BLOCKED,
	VMX_LEAVE_DEAD,
};

struct vcpu;
typedef enum vmx_action (*vmx_exit_handler_t)(struct vcpu *v, u64 qual);

int vmx_probe(void);
int vmx_cpu_enable(void);
/* The MSR bitmap every VMCS shares (allocated once, before the first vCPU). */
int vmx_msr_bitmap_init(void);
int vmx_vcpu_init(struct vcpu *v);
void vmx_vcpu_destroy(struct vcpu *v);
void vmx_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx);
void vmx_load_host_state(void);
enum hvm_leave vmx_vcpu_run(struct vcpu *v, u64 slice_ns);
enum vmx_action vmx_handle_exit(struct vcpu *v, u32 reason);
const char *vmx_exit_reason_name(unsigned int reason);
void vmx_dump_vcpu(struct vcpu *v);
void vmx_get_state(struct vcpu *v, struct hvm_vcpu_state *s);
void vmx_inject_exception(struct vcpu *v, u8 vector, bool has_err, u32 err);
void vmx_advance_rip(void);
u64 vmx_get_cr(struct vcpu *v, int cr);
u64 vmx_get_efer(struct vcpu *v);
int vmx_set_efer(struct vcpu *v, u64 val);
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
int vmx_unmap(struct domain *d, u64 gpa, u64 size);
int vmx_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa);
/* Guest CR0/CR4 writes, with the fixed bits and long-mode activation handled. */
int vmx_write_cr0(struct vcpu *v, u64 val);
int vmx_write_cr4(struct vcpu *v, u64 val);

/* vmx_entry.S: enter the guest (launch or resume); returns 0 after a VM exit, 1 if entry failed. */
int vmx_enter_guest(struct guest_gprs *gprs, int launched);

#endif
