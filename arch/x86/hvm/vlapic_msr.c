/* The virtual local APIC's MSRs: IA32_APIC_BASE mode changes, x2APIC registers, TSC deadline. */
#include <asm/hvm.h>
#include <asm/vlapic.h>
#include <asm/x86_defs.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

/* IA32_APIC_BASE bits a guest may write: BSP (kept as it is), EXTD, EN and the base. */
#define APIC_BASE_WRITABLE (APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN | 0xfffff000ULL)

/*
 * Mode changes as the SDM allows them: disabled <-> xAPIC, xAPIC -> x2APIC, x2APIC ->
 * disabled. EXTD without EN, x2APIC -> xAPIC and disabled -> x2APIC are #GP, and so is moving
 * the page (Keel serves it only at 0xFEE00000).
 */
static int write_apic_base(struct vlapic *l, u64 val)
{
	bool en = val & APIC_BASE_EN, extd = val & APIC_BASE_EXTD;
	bool was_en = l->apic_base & APIC_BASE_EN, was_x2 = vlapic_x2apic(l);

	if (val & ~APIC_BASE_WRITABLE)
		return -EPERM;
	if ((val & 0xfffff000ULL) != APIC_MMIO_BASE)
		return -EPERM;
	if (extd && !en)
		return -EPERM;
	if (was_x2 && en && !extd)
		return -EPERM;
	if (!was_en && extd)
		return -EPERM;
	l->apic_base = APIC_MMIO_BASE | (val & (APIC_BASE_EN | APIC_BASE_EXTD)) |
		       (l->apic_base & APIC_BASE_BSP);
	if (!en) {
		vlapic_reset(l); /* a disabled APIC comes back as after reset */
	} else if (extd && !was_x2) {
		/* x2APIC: the logical ID follows from the APIC ID. */
		u32 id = vlapic_id(l);

		l->ldr = ((id >> 4) << 16) | (1u << (id & 0xf));
	}
	return 0;
}

int vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct vlapic *l = v->arch.vlapic;
	u32 reg;

	if (msr == MSR_APIC_BASE) {
		*val = l->apic_base;
		return 0;
	}
	if (msr == MSR_TSC_DEADLINE) {
		*val = vlapic_timer_read_deadline(l);
		return 0;
	}
	if (msr < APIC_X2APIC_MSR || msr > APIC_X2APIC_MSR + 0xff)
		return -ENOENT;
	l->n_msr++;
	if (!vlapic_x2apic(l))
		return -EPERM;
	if (vlapic_reg_read(l, (msr - APIC_X2APIC_MSR) << 4, &reg, true))
		return -EPERM;
	*val = reg;
	if (msr == APIC_X2APIC_MSR + (APIC_ICR_LO >> 4))
		*val |= (u64)l->icr_hi << 32;
	return 0;
}

int vlapic_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vlapic *l = v->arch.vlapic;

	if (msr == MSR_APIC_BASE)
		return write_apic_base(l, val);
	if (msr == MSR_TSC_DEADLINE) {
		vlapic_timer_write_deadline(l, val);
		return 0;
	}
	if (msr < APIC_X2APIC_MSR || msr > APIC_X2APIC_MSR + 0xff)
		return -ENOENT;
	l->n_msr++;
	if (!vlapic_x2apic(l))
		return -EPERM;
	return vlapic_reg_write(l, (msr - APIC_X2APIC_MSR) << 4, val, true);
}
