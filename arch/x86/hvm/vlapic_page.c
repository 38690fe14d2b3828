/* The vLAPIC in an xAPIC-layout page the CPU reads and updates (APIC virtualization): load, sync. */
#include <asm/vlapic.h>
#include <keel/compiler.h>
#include <keel/string.h>

/* The 32-bit register at xAPIC offset @off of @page (registers sit 16 bytes apart). */
static u32 *page_reg(u32 *page, u32 off)
{
	return &page[off / 4];
}

u32 vlapic_page_word(const u32 *page, u32 base, unsigned int i)
{
	return READ_ONCE(page[(base + i * 16) / 4]);
}

int vlapic_page_highest(const u32 *page, u32 base)
{
	u32 bits[8];

	for (unsigned int i = 0; i < 8; i++)
		bits[i] = vlapic_page_word(page, base, i);
	return vlapic_highest(bits);
}

/*
 * x2APIC MSRs whose reads the CPU serves from the page (APIC-register virtualization): the
 * registers the page holds, except the current count, which Keel computes. Everything else
 * (and every MSR outside this list, which the CPU would not virtualize) exits.
 */
bool vlapic_page_msr_read_direct(u32 msr)
{
	u32 off;

	if (msr < APIC_X2APIC_MSR || msr > APIC_X2APIC_MSR + 0xff)
		return false;
	off = (msr - APIC_X2APIC_MSR) << 4;
	if (off >= APIC_ISR && off < APIC_ESR)
		return true; /* ISR, TMR, IRR */
	if (off >= APIC_LVT_TIMER && off <= APIC_TMICT)
		return true; /* the LVTs from timer to error, the initial count */
	switch (off) {
	case APIC_ID:
	case APIC_VERSION:
	case APIC_TPR:
	case APIC_PPR:
	case APIC_LDR:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_LVT_CMCI:
	case APIC_ICR_LO:
	case APIC_TDCR:
		return true;
	default:
		return false;
	}
}

/* x2APIC MSRs whose writes the CPU virtualizes: TPR, EOI (edge only) and SELF IPI. */
bool vlapic_page_msr_write_direct(u32 msr)
{
	return msr == APIC_X2APIC_MSR + (APIC_TPR >> 4) ||
	       msr == APIC_X2APIC_MSR + (APIC_EOI >> 4) ||
	       msr == APIC_X2APIC_MSR + (APIC_SELF_IPI >> 4);
}

void vlapic_page_mirror(struct vlapic *l, u32 *page)
{
	static const u32 lvt_off[VLAPIC_NR_LVT] = {
	    [LVT_CMCI] = APIC_LVT_CMCI,	    [LVT_TIMER] = APIC_LVT_TIMER,
	    [LVT_THERMAL] = APIC_LVT_THERM, [LVT_PMC] = APIC_LVT_PMC,
	    [LVT_LINT0] = APIC_LVT_LINT0,   [LVT_LINT1] = APIC_LVT_LINT1,
	    [LVT_ERROR] = APIC_LVT_ERROR,
	};

	*page_reg(page, APIC_ID) = vlapic_id(l);
	*page_reg(page, APIC_VERSION) = VLAPIC_VERSION;
	*page_reg(page, APIC_LDR) = l->ldr;
	*page_reg(page, APIC_SVR) = l->svr;
	*page_reg(page, APIC_ESR) = l->esr;
	for (unsigned int i = 0; i < VLAPIC_NR_LVT; i++)
		*page_reg(page, lvt_off[i]) = l->lvt[i];
	*page_reg(page, APIC_ICR_LO) = l->icr_lo & ~(1u << 12); /* delivery status: idle */
	*page_reg(page, APIC_ICR_HI) = l->icr_hi;
	*page_reg(page, APIC_TMICT) = l->tmict;
	*page_reg(page, APIC_TDCR) = l->tdcr;
}

int vlapic_page_merge_irr(struct vlapic *l, u32 *page)
{
	for (unsigned int i = 0; i < 8; i++) {
		u32 in =
		    READ_ONCE(l->irr[i]) ? __atomic_exchange_n(&l->irr[i], 0, __ATOMIC_SEQ_CST) : 0;

		if (in)
			*page_reg(page, APIC_IRR + i * 16) |= in;
	}
	return vlapic_page_highest(page, APIC_IRR);
}

void vlapic_page_load(struct vlapic *l, u32 *page)
{
	memset(page, 0, APIC_PAGE_SIZE);
	vlapic_page_mirror(l, page);
	for (unsigned int i = 0; i < 8; i++) {
		*page_reg(page, APIC_ISR + i * 16) = l->isr[i];
		*page_reg(page, APIC_TMR + i * 16) = l->tmr[i];
	}
	*page_reg(page, APIC_TPR) = l->tpr;
	*page_reg(page, APIC_PPR) = vlapic_ppr(l);
	vlapic_page_merge_irr(l, page);
	WRITE_ONCE(l->vapic, page);
}

void vlapic_page_unload(struct vlapic *l)
{
	u32 *page = l->vapic;

	if (!page)
		return;
	for (unsigned int i = 0; i < 8; i++) {
		u32 irr = *page_reg(page, APIC_IRR + i * 16);

		if (irr)
			__atomic_fetch_or(&l->irr[i], irr, __ATOMIC_SEQ_CST);
		l->isr[i] = *page_reg(page, APIC_ISR + i * 16);
	}
	l->tpr = *page_reg(page, APIC_TPR) & 0xff;
	WRITE_ONCE(l->vapic, NULL);
}
