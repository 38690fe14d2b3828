/* Hypercall entry on x86: registers to arguments (64- and 32-bit guests), CPL check, the page. */
#include <asm/hvm.h>
#include <asm/hvm_emul.h>
#include <asm/hvm_emulate.h>
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>

#define HYPERCALL_IRET 23 /* the PV iret slot: never valid for PVH */

void hvm_do_hypercall(struct vcpu *v)
{
	struct guest_gprs *g = &v->arch.gprs;
	u64 args[5];
	long rc;

	if (hvm_ops->get_cpl(v) != 0) {
		g->rax = (u64)(long)-EPERM;
		return;
	}
	if (hvm_ops->get_efer(v) & EFER_LMA) {
		args[0] = g->rdi;
		args[1] = g->rsi;
		args[2] = g->rdx;
		args[3] = g->r10;
		args[4] = g->r8;
		rc = hypercall_dispatch(v, g->rax, args);
	} else {
		/* 32-bit callers pass EBX, ECX, EDX, ESI, EDI and get EAX back. */
		args[0] = (u32)g->rbx;
		args[1] = (u32)g->rcx;
		args[2] = (u32)g->rdx;
		args[3] = (u32)g->rsi;
		args[4] = (u32)g->rdi;
		rc = hypercall_dispatch(v, (u32)g->rax, args);
		rc = (long)(s32)rc;
	}
	g->rax = (u64)rc;
}

bool hvm_is_hypercall_insn(struct vcpu *v)
{
	u8 insn[3];

	/* 0F 01 C1 is VMCALL, 0F 01 D9 VMMCALL: either vendor's guest may use either. */
	return hvm_fetch_insn(v, insn, sizeof(insn)) == sizeof(insn) && insn[0] == 0x0f &&
	       insn[1] == 0x01 && (insn[2] == 0xc1 || insn[2] == 0xd9);
}

int hvm_write_hypercall_page(struct vcpu *v, u64 gpa)
{
	u8 page[HYPERCALL_PAGE_SIZE];

	memset(page, 0xcc, sizeof(page)); /* int3 between slots */
	for (unsigned int i = 0; i < HYPERCALL_PAGE_SLOTS; i++) {
		u8 *p = &page[(size_t)i * HYPERCALL_PAGE_SLOT_SIZE];

		if (i == HYPERCALL_IRET) {
			p[0] = 0x0f; /* ud2 */
			p[1] = 0x0b;
			continue;
		}
		p[0] = 0xb8; /* mov $i, %eax */
		p[1] = (u8)i;
		p[2] = p[3] = p[4] = 0;
		memcpy(&p[5], hvm_ops->hypercall_insn, 3);
		p[8] = 0xc3; /* ret */
	}
	if (domain_copy_to_gpa(v->domain, gpa, page, sizeof(page)))
		return -EFAULT;
	v->arch.hypercall_page_gfn = gpa >> 12;
	return 0;
}
