/* Vendor-neutral x86 guest emulation: CPUID policy, MSRs, hypercalls and the hypercall page. */
#ifndef ASM_HVM_EMUL_H
#define ASM_HVM_EMUL_H

#include <asm/cpu.h>
#include <keel/types.h>

struct vcpu;

/* The CPUID values @v sees (Keel's policy: host values filtered, plus the Xen leaves). */
void hvm_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, struct cpuid_regs *out);
/* 0, or -EPERM when the guest must get #GP. */
int hvm_msr_read(struct vcpu *v, u32 msr, u64 *val);
int hvm_msr_write(struct vcpu *v, u32 msr, u64 val);
/* Fill the guest page at @gpa with hypercall stubs; -EFAULT if it is not the guest's RAM. */
int hvm_write_hypercall_page(struct vcpu *v, u64 gpa);
/* Handle a hypercall trapped by the vendor code: reads RAX/RDI.. and writes RAX. */
void hvm_do_hypercall(struct vcpu *v);
/* CR4 (arch/x86/hvm/cr4_policy.c): the bits @v's CPUID offers (before the vendor's fixed bits). */
u64 hvm_cr4_valid_bits(struct vcpu *v);
/* The CR4 bits a guest may own (written without an exit): offered and always safe, e.g. PGE. */
u64 hvm_cr4_guest_owned(struct vcpu *v);
/* May @v load @val into CR4 (now @old, with EFER @efer and CR3 @cr3)? 0, or -EPERM for #GP. */
int hvm_cr4_check(struct vcpu *v, u64 old, u64 val, u64 efer, u64 cr3);
/* Is the instruction at the guest RIP a VMCALL or VMMCALL (3 bytes)? For #UD intercepts. */
bool hvm_is_hypercall_insn(struct vcpu *v);

#define XEN_CPUID_BASE	   0x40000000u
#define HYPERCALL_PAGE_MSR 0x40000000u

#endif
