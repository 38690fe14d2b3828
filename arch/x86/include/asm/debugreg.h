/* Per-vCPU debug registers (DR0-DR3, DR6): reset values, switching on a CPU, the MOV-DR checks. */
#ifndef ASM_DEBUGREG_H
#define ASM_DEBUGREG_H

#include <keel/types.h>

#define DR6_RESET 0xffff0ff0ULL /* no debug condition recorded; reserved bits read as set */
#define DR7_RESET 0x400ULL	/* every breakpoint disabled */

struct vcpu;
struct hvm_vcpu_state;

/* @v's DR0-DR3 = 0 and DR6 = DR6_RESET (DR7 and DEBUGCTL are the vendor's: VMCS/VMCB). */
void hvm_dr_reset(struct vcpu *v);
/*
 * Before @v runs on this CPU (interrupts off): load its DR6, and its DR0-DR3 if it owns them
 * (@owned). A vCPU that does not own them never reads them (MOV-DR exits) and has them all
 * zero: the CPU's are zeroed if another vCPU's values may still be there, so that not even a
 * breakpoint match recorded in DR6 tells it anything about another vCPU.
 */
void hvm_dr_load(struct vcpu *v, bool owned);
/* After @v ran: keep what the guest left in DR6 (and in DR0-DR3 if it owns them). */
void hvm_dr_save(struct vcpu *v, bool owned);
/*
 * The guest's MOV to or from DR@dr exited: may it go ahead? 0, or the exception the CPU would
 * raise if MOV-DR did not exit first: X86_EXC_GP at CPL > 0, X86_EXC_UD for DR4/DR5 while
 * CR4.DE is set.
 */
int hvm_mov_dr_check(struct vcpu *v, unsigned int dr);
/* @v's DR0-DR3 and DR6 into @s: from the CPU if it is loaded here (@loaded), else as saved. */
void hvm_dr_get_state(struct vcpu *v, bool loaded, bool owned, struct hvm_vcpu_state *s);

#endif
