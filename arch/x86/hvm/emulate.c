/* Emulation support: guest general-purpose registers by number, the CPU mode, instruction bytes. */
#include <asm/cpu.h>
#include <asm/guest_walk.h>
#include <asm/hvm.h>
#include <asm/hvm_emulate.h>
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/mm.h>
#include <keel/string.h>
#include <keel/vcpu.h>

#define SEG_AR_L     (1u << 13) /* 64-bit code segment */
#define SEG_AR_DB    (1u << 14) /* 32-bit default operand size */
#define INSN_MAX_LEN 15

/* Offsets in struct guest_gprs by register number; RSP lives with the vendor. */
static const u8 gpr_offsets[16] = {
    offsetof(struct guest_gprs, rax), offsetof(struct guest_gprs, rcx),
    offsetof(struct guest_gprs, rdx), offsetof(struct guest_gprs, rbx),
    0 /* RSP: never used */,	      offsetof(struct guest_gprs, rbp),
    offsetof(struct guest_gprs, rsi), offsetof(struct guest_gprs, rdi),
    offsetof(struct guest_gprs, r8),  offsetof(struct guest_gprs, r9),
    offsetof(struct guest_gprs, r10), offsetof(struct guest_gprs, r11),
    offsetof(struct guest_gprs, r12), offsetof(struct guest_gprs, r13),
    offsetof(struct guest_gprs, r14), offsetof(struct guest_gprs, r15),
};

static u64 *gpr_ptr(struct vcpu *v, unsigned int n)
{
	return (u64 *)((u8 *)&v->arch.gprs + gpr_offsets[n & 15]);
}

u64 hvm_read_gpr(struct vcpu *v, unsigned int n)
{
	return (n & 15) == 4 ? hvm_ops->get_reg(v, HVM_REG_RSP) : *gpr_ptr(v, n);
}

void hvm_write_gpr(struct vcpu *v, unsigned int n, u64 val)
{
	if ((n & 15) == 4)
		hvm_ops->set_reg(v, HVM_REG_RSP, val);
	else
		*gpr_ptr(v, n) = val;
}

unsigned int hvm_guest_mode(struct vcpu *v)
{
	struct segment cs;

	hvm_ops->get_segment(v, X86_SEG_CS, &cs);
	if ((hvm_ops->get_efer(v) & EFER_LMA) && (cs.ar & SEG_AR_L))
		return 64;
	return (cs.ar & SEG_AR_DB) ? 32 : 16;
}

size_t hvm_fetch_insn(struct vcpu *v, u8 *buf, size_t max)
{
	unsigned int mode = hvm_guest_mode(v);
	enum guest_priv priv = guest_current_priv(v);
	u64 rip = hvm_ops->get_reg(v, HVM_REG_RIP), base = 0, ip_mask = ~0ULL;
	size_t got = 0;

	if (mode != 64) {
		struct segment cs;

		hvm_ops->get_segment(v, X86_SEG_CS, &cs);
		base = cs.base;
		ip_mask = mode == 16 ? 0xffffULL : 0xffffffffULL;
	}
	if (max > INSN_MAX_LEN)
		max = INSN_MAX_LEN;
	while (got < max) {
		u64 ip = (rip + got) & ip_mask;
		u64 la = mode == 64 ? ip : (base + ip) & 0xffffffffULL;
		size_t n = MIN(max - got, (size_t)(PAGE_SIZE - (la & (PAGE_SIZE - 1))));
		paddr_t hpa;
		u64 gpa;
		u32 pfec;

		if (ip_mask != ~0ULL)
			n = MIN(n, (size_t)(ip_mask - ip + 1)); /* IP/EIP wraps within CS */
		if (guest_walk(v, la, GUEST_FETCH, priv, &gpa, &pfec) ||
		    arch_gpa_to_hpa(v->domain, gpa, false, &hpa))
			break;
		memcpy(buf + got, paddr_to_virt(hpa), n);
		got += n;
	}
	return got;
}
