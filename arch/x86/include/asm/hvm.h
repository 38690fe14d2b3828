/* x86 hardware virtualization: the vendor interface (VT-x today, SVM later) and arch vCPU state. */
#ifndef ASM_HVM_H
#define ASM_HVM_H

#include <asm/hvm_io.h>
#include <asm/hvm_msr.h>
#include <keel/types.h>

struct vcpu;
struct domain;
struct vlapic;

/* Guest general-purpose registers not kept in the VMCS/VMCB. Layout used by vmx_entry.S. */
struct guest_gprs {
	u64 rax, rcx, rdx, rbx, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 cr2;
};

/* Segment registers, numbered as x86 encodes them (ModRM sreg, VM-exit instruction info). */
enum x86_seg { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS };

/* Guest registers the vendor keeps in its own control block (VMCS/VMCB), not in guest_gprs. */
enum hvm_reg { HVM_REG_RSP, HVM_REG_RIP, HVM_REG_RFLAGS };

struct segment {
	u16 sel;
	u16 ar; /* VMX access-rights format (type, S, DPL, P, AVL, L, D/B, G) */
	u32 limit;
	u64 base;
};

/*
 * Complete architectural vCPU state in a vendor-neutral form: what save/restore and migration
 * will move. Version it when it changes (2: debug registers, DEBUGCTL, XCR0, the XSAVE area).
 * The extended state (x87/SSE/AVX/... registers) is not copied in: @xsave_area points at the
 * vCPU's own area, in the format @xsave_format (enum xstate_method, asm/xstate.h) and
 * @xsave_size bytes long; it holds the current values only while the vCPU is not running
 * (NULL when the snapshot is taken from the vCPU's own exit handler: the CPU holds them).
 */
#define HVM_VCPU_STATE_VERSION 2
struct hvm_vcpu_state {
	u32 version;
	u32 activity; /* 0 active, 1 halted */
	struct guest_gprs gprs;
	u64 rsp, rip, rflags;
	u64 cr0, cr3, cr4, efer, dr7;
	struct segment cs, ds, es, fs, gs, ss, tr, ldtr;
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 star, lstar, cstar, sfmask, kernel_gs_base, pat;
	u64 tsc_offset;
	u32 interruptibility;
	u32 pending_event; /* VM-entry interruption format; 0 = none */
	u32 pending_error;
	u64 dr[4], dr6, debugctl;
	u64 xcr0;
	const void *xsave_area;
	u32 xsave_size, xsave_format;
};

/* Per-vCPU exit statistics, by the vendor's exit reason. */
#define HVM_MAX_EXIT_REASONS 72

struct arch_vcpu {
	struct guest_gprs gprs;
	void *vendor; /* struct vmx_vcpu for VT-x */
	u64 hypercall_page_gfn;
	u64 exit_counts[HVM_MAX_EXIT_REASONS];
	u64 star, lstar, cstar, sfmask, kernel_gs_base; /* syscall MSRs, swapped by Keel */
	u64 msr_tsc_aux;
	u64 xcr0; /* the guest's XCR0 (asm/xstate.h); the CPU's while the vCPU is loaded */
	void *
	    xsave_area; /* its x87/SSE/AVX/... state while not loaded: own frames, from vCPU init */
	u64 dr[4], dr6; /* its debug registers while not loaded (DR7: in the VMCS/VMCB) */
	struct hvm_vcpu_msrs msrs; /* MTRRs (asm/hvm_msr.h) */
	struct vlapic *vlapic;	   /* its virtual local APIC (asm/vlapic.h) */
};

/*
 * A domain's CPUID policy (arch/x86/hvm/cpuid.c). Keel always hides what it does not virtualize;
 * these fields narrow a domain further. All zero is the default policy.
 */
struct cpuid_policy {
	u32 max_basic_leaf; /* 0: the host's */
	u32 leaf1_ecx_hide; /* extra CPUID.1 ECX/EDX bits to hide */
	u32 leaf1_edx_hide;
	u32 leaf7_ebx_hide; /* extra CPUID.7.0 EBX/ECX bits to hide */
	u32 leaf7_ecx_hide;
};

struct arch_domain {
	void *p2m; /* struct vmx_p2m for VT-x */
	u64 eptp;
	struct cpuid_policy cpuid;
	struct hvm_io_table mmio;      /* emulated device ranges by guest-physical address */
	struct hvm_io_table ports;     /* emulated devices by I/O port */
	bool io_passthrough;	       /* dom0: ports no device claims reach the hardware */
	struct dom0_ports *dom0_ports; /* dom0: the state of the ports Keel filters */
	struct vioapic *vioapic;       /* the IO-APICs it sees, if any (arch/x86/hvm/vioapic.c) */
	/* Its CPUID's MAXPHYADDR and 1 GiB pages, read at its first page walk (0: not yet). */
	u8 walk_paddr_bits;
	bool walk_page_1g;
};

/* The operations a virtualization vendor backend provides. */
struct hvm_vendor_ops {
	const char *name;
	u8 hypercall_insn[3];	 /* vmcall or vmmcall */
	int (*cpu_enable)(void); /* on each CPU */
	int (*domain_init)(struct domain *d);
	void (*domain_destroy)(struct domain *d);
	int (*map_ram)(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable);
	int (*unmap)(struct domain *d, u64 gpa, u64 size);
	/* Device memory 1:1-style: uncached, never executable (so never taken for RAM). */
	int (*map_mmio)(struct domain *d, u64 gpa, paddr_t hpa, u64 size);
	int (*gpa_to_hpa)(struct domain *d, u64 gpa, bool write, paddr_t *hpa);
	int (*vcpu_init)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);
	void (*vcpu_set_pvh_entry)(struct vcpu *v, u32 entry, u32 ebx);
	void (*vcpu_set_sipi_entry)(struct vcpu *v, u8 vector);	   /* real mode at vector << 12 */
	enum vcpu_leave (*vcpu_run)(struct vcpu *v, u64 slice_ns); /* never VCPU_STAY */
	void (*vcpu_get_state)(struct vcpu *v, struct hvm_vcpu_state *s);
	void (*inject_exception)(struct vcpu *v, u8 vector, bool has_err, u32 err);
	void (*vcpu_dump)(struct vcpu *v);
	/* Guest control state the x86 code needs (paging walks, CPL checks). */
	u64 (*get_cr)(struct vcpu *v, int cr);
	u64 (*get_efer)(struct vcpu *v);
	int (*set_efer)(struct vcpu *v, u64 val); /* 0, or -1 for #GP */
	unsigned int (*get_cpl)(struct vcpu *v);
	/* The guest's IA32_DEBUGCTL (kept by the vendor: VMCS/VMCB); only for the loaded vCPU. */
	u64 (*get_debugctl)(struct vcpu *v);
	void (*set_debugctl)(struct vcpu *v, u64 val);
	/* The guest's IA32_PAT (VMCS/VMCB guest state, loaded on entry); only for the loaded vCPU. */
	u64 (*get_pat)(struct vcpu *v);
	void (*set_pat)(struct vcpu *v, u64 val);
	/* What instruction emulation needs (arch/x86/hvm/emulate.c and the device paths). */
	u64 (*get_reg)(struct vcpu *v, enum hvm_reg reg);
	void (*set_reg)(struct vcpu *v, enum hvm_reg reg, u64 val);
	/* A segment register; an unusable one reads as not present (ar bit 7 clear). */
	void (*get_segment)(struct vcpu *v, enum x86_seg seg, struct segment *s);
	unsigned int (*exit_insn_len)(struct vcpu *v); /* of the instruction that exited */
	/* Complete the current instruction of @len bytes: RIP moves on, STI/MOV-SS blocking ends. */
	void (*skip_insn)(struct vcpu *v, unsigned int len);
	/* #PF with CR2 = @cr2 and the architectural error code, delivered at the next entry. */
	void (*inject_page_fault)(struct vcpu *v, u64 cr2, u32 error_code);
	const char *(*exit_reason_name)(unsigned int reason);
	/*
	 * Does the guest's EOI to its local APIC complete without a VM exit (APIC virtualization
	 * with virtual-interrupt delivery)? NULL: no. CPUID offers the per-vCPU upcall vector
	 * (acknowledged by an EOI) only then; otherwise the guest takes the callback vector, which
	 * needs no EOI, and the plain vLAPIC emulation is not on every event's path.
	 */
	bool (*eoi_exitless)(struct vcpu *v);
};

static inline bool hvm_eoi_exitless(const struct hvm_vendor_ops *ops, struct vcpu *v)
{
	return ops->eoi_exitless && ops->eoi_exitless(v);
}

extern const struct hvm_vendor_ops *hvm_ops;
extern const struct hvm_vendor_ops vmx_ops;

/* Pick the vendor backend on the boot CPU; false if the CPU cannot run guests. */
bool hvm_init(void);
/* Enable virtualization on this CPU (after hvm_init). */
int hvm_cpu_enable(void);
extern bool hvm_available;

#endif
