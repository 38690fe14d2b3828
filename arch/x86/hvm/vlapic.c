/* The virtual local APIC's registers: priorities, IRR/ISR/EOI, LVTs, and the xAPIC MMIO page. */
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/string.h>
#include <keel/vcpu.h>

/* Writable bits of each LVT entry (vector, delivery mode, polarity, trigger, mask, timer mode). */
static const u32 lvt_writable[VLAPIC_NR_LVT] = {
    [LVT_CMCI] = 0x107ff,  [LVT_TIMER] = 0x700ff, [LVT_THERMAL] = 0x107ff, [LVT_PMC] = 0x107ff,
    [LVT_LINT0] = 0x1a7ff, [LVT_LINT1] = 0x1a7ff, [LVT_ERROR] = 0x100ff,
};

int vlapic_highest(const u32 bits[8])
{
	for (int i = 7; i >= 0; i--) {
		u32 w = READ_ONCE(bits[i]);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

bool vlapic_x2apic(const struct vlapic *l)
{
	return l->apic_base & APIC_BASE_EXTD;
}

static bool hw_enabled(const struct vlapic *l)
{
	return l->apic_base & APIC_BASE_EN;
}

bool vlapic_enabled(const struct vlapic *l)
{
	return hw_enabled(l) && (l->svr & APIC_SVR_ENABLE);
}

/* IRR, ISR and TPR live in the virtual-APIC page while the CPU virtualizes the vLAPIC. */
static int isr_highest(const struct vlapic *l)
{
	const u32 *page = READ_ONCE(l->vapic);

	return page ? vlapic_page_highest(page, APIC_ISR) : vlapic_highest(l->isr);
}

static int irr_highest(const struct vlapic *l)
{
	const u32 *page = READ_ONCE(l->vapic);
	int in = vlapic_highest(l->irr);

	return page ? MAX(in, vlapic_page_highest(page, APIC_IRR)) : in;
}

static u32 isr_word(const struct vlapic *l, unsigned int i)
{
	const u32 *page = READ_ONCE(l->vapic);

	return page ? vlapic_page_word(page, APIC_ISR, i) : READ_ONCE(l->isr[i]);
}

static u32 irr_word(const struct vlapic *l, unsigned int i)
{
	const u32 *page = READ_ONCE(l->vapic);

	return READ_ONCE(l->irr[i]) | (page ? vlapic_page_word(page, APIC_IRR, i) : 0);
}

static u32 get_tpr(const struct vlapic *l)
{
	const u32 *page = READ_ONCE(l->vapic);

	return page ? page[APIC_TPR / 4] & 0xff : l->tpr;
}

static void set_tpr(struct vlapic *l, u32 tpr)
{
	if (l->vapic) {
		l->vapic[APIC_TPR / 4] = tpr & 0xff;
		l->vapic[APIC_PPR / 4] = vlapic_ppr(l);
	} else {
		l->tpr = tpr & 0xff;
	}
}

u32 vlapic_ppr(const struct vlapic *l)
{
	int isrv = isr_highest(l);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0, tpr = get_tpr(l);

	return (tpr & 0xf0) >= isr_class ? tpr & 0xff : isr_class;
}

int vlapic_pending_vector(struct vlapic *l)
{
	int irr = irr_highest(l);

	/* Software-disabled, it accepts nothing new, but what its IRR holds is still dispatched. */
	if (irr < 0 || !hw_enabled(l))
		return -1;
	return ((u32)irr & 0xf0) > (vlapic_ppr(l) & 0xf0) ? irr : -1;
}

void vlapic_ack(struct vlapic *l, u8 vec)
{
	__atomic_fetch_and(&l->irr[vec / 32], ~(1u << (vec % 32)), __ATOMIC_SEQ_CST);
	l->isr[vec / 32] |= 1u << (vec % 32);
	l->n_injected++;
}

void vlapic_eoi(struct vlapic *l)
{
	int vec = vlapic_highest(l->isr);

	l->n_eoi++;
	if (vec < 0)
		return;
	l->isr[vec / 32] &= ~(1u << (vec % 32));
	if (l->tmr[vec / 32] & (1u << (vec % 32))) {
		l->tmr[vec / 32] &= ~(1u << (vec % 32));
		vioapic_eoi(l->v->domain, (u8)vec); /* a level-triggered device interrupt */
	}
}

void vlapic_error(struct vlapic *l, u32 esr_bits)
{
	__atomic_fetch_or(&l->esr_pending, esr_bits, __ATOMIC_SEQ_CST);
}

bool vlapic_accept_fixed(struct vlapic *l, u8 vec)
{
	if (vec < 16) {
		vlapic_error(l, APIC_ESR_RECV_ILLEGAL);
		return false;
	}
	if (!vlapic_enabled(l))
		return false; /* held off while disabled: dropped, as a disabled APIC does */
	__atomic_fetch_or(&l->irr[vec / 32], 1u << (vec % 32), __ATOMIC_SEQ_CST);
	return true;
}

u8 vlapic_get_cr8(struct vlapic *l)
{
	return (u8)((get_tpr(l) >> 4) & 0xf);
}

void vlapic_set_cr8(struct vlapic *l, u64 val)
{
	set_tpr(l, ((u32)val & 0xf) << 4);
}

/* The logical destination register x2APIC mode derives from the ID: cluster and bit. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

void vlapic_reset(struct vlapic *l)
{
	vlapic_page_unload(l); /* the CPU no longer virtualizes it (the run loop sees it) */
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->tpr = 0;
	l->ldr = vlapic_x2apic(l) ? x2apic_ldr(vlapic_id(l)) : 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	for (unsigned int i = 0; i < VLAPIC_NR_LVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->icr_lo = l->icr_hi = 0;
	l->esr = 0;
	__atomic_store_n(&l->esr_pending, 0, __ATOMIC_SEQ_CST);
	vlapic_timer_write_lvt(l, APIC_LVT_MASKED);
	vlapic_timer_write_tdcr(l, 0);
}

static int lvt_index(u32 off)
{
	if (off == APIC_LVT_CMCI)
		return LVT_CMCI;
	if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR)
		return (int)((off - APIC_LVT_TIMER) / 16) + LVT_TIMER;
	return -1;
}

int vlapic_reg_read(struct vlapic *l, u32 off, u32 *val, bool x2apic)
{
	int lvt = lvt_index(off);

	if (lvt >= 0) {
		*val = l->lvt[lvt];
		return 0;
	}
	switch (off) {
	case APIC_ID:
		*val = x2apic ? vlapic_id(l) : vlapic_id(l) << 24;
		return 0;
	case APIC_VERSION:
		*val = VLAPIC_VERSION;
		return 0;
	case APIC_TPR:
		*val = get_tpr(l);
		return 0;
	case APIC_PPR:
		*val = vlapic_ppr(l);
		return 0;
	case APIC_LDR:
		*val = l->ldr;
		return 0;
	case APIC_SVR:
		*val = l->svr;
		return 0;
	case APIC_ESR:
		*val = l->esr;
		return 0;
	case APIC_ICR_LO:
		*val = l->icr_lo & ~(1u << 12); /* delivery status: always idle */
		return 0;
	case APIC_TMICT:
		*val = l->tmict;
		return 0;
	case APIC_TMCCT:
		*val = vlapic_timer_read_tmcct(l);
		return 0;
	case APIC_TDCR:
		*val = l->tdcr;
		return 0;
	default:
		break;
	}
	if (off >= APIC_ISR && off < APIC_ISR + 0x80) {
		*val = isr_word(l, (off - APIC_ISR) / 16);
		return 0;
	}
	if (off >= APIC_TMR && off < APIC_TMR + 0x80) {
		*val = READ_ONCE(l->tmr[(off - APIC_TMR) / 16]);
		return 0;
	}
	if (off >= APIC_IRR && off < APIC_IRR + 0x80) {
		*val = irr_word(l, (off - APIC_IRR) / 16);
		return 0;
	}
	if (x2apic)
		return -EPERM; /* APR, RRD, DFR, ICR high, EOI, SELF IPI and holes: #GP */
	switch (off) {
	case APIC_APR:
		*val = vlapic_ppr(l); /* arbitration priority: as the processor priority here */
		return 0;
	case APIC_DFR:
		*val = l->dfr;
		return 0;
	case APIC_ICR_HI:
		*val = l->icr_hi;
		return 0;
	default:
		*val = 0; /* EOI, RRD and reserved offsets read as zero */
		return 0;
	}
}

static void write_svr(struct vlapic *l, u32 val)
{
	/* Spurious vector (bits 7:0; bits 3:0 are writable on every model since P6), enable. */
	l->svr = val & 0x1ff;
	if (!(val & APIC_SVR_ENABLE)) {
		/* Software disable masks every LVT entry. */
		for (unsigned int i = 0; i < VLAPIC_NR_LVT; i++)
			l->lvt[i] |= APIC_LVT_MASKED;
		vlapic_timer_write_lvt(l, l->lvt[LVT_TIMER]);
	}
}

static void write_lvt(struct vlapic *l, int lvt, u32 val)
{
	val &= lvt_writable[lvt];
	if (lvt == LVT_TIMER && ((val >> APIC_TIMER_MODE_SHIFT) & 3) == 3)
		val &= ~(1u << 18); /* mode 3 is reserved: taken as one-shot/periodic by bit 17 */
	if (!(l->svr & APIC_SVR_ENABLE))
		val |= APIC_LVT_MASKED;
	l->lvt[lvt] = val;
	if (lvt == LVT_TIMER)
		vlapic_timer_write_lvt(l, val);
}

int vlapic_reg_write(struct vlapic *l, u32 off, u64 val64, bool x2apic)
{
	u32 val = (u32)val64;
	int lvt = lvt_index(off);

	if (x2apic && off != APIC_ICR_LO && (val64 >> 32))
		return -EPERM;
	if (lvt >= 0) {
		write_lvt(l, lvt, val);
		return 0;
	}
	switch (off) {
	case APIC_TPR:
		set_tpr(l, val);
		return 0;
	case APIC_EOI:
		if (x2apic && val)
			return -EPERM;
		vlapic_eoi(l);
		return 0;
	case APIC_SVR:
		write_svr(l, val);
		return 0;
	case APIC_ESR:
		if (x2apic && val)
			return -EPERM;
		l->esr = __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_SEQ_CST);
		return 0;
	case APIC_ICR_LO:
		if (x2apic) {
			/* Reserved: bits 12 (delivery status), 13, 16-17, 20-31. */
			if (val64 & 0xfff33000ULL)
				return -EPERM;
			l->icr_lo = val;
			l->icr_hi = (u32)(val64 >> 32);
			vlapic_send_ipi(l, val64);
		} else {
			l->icr_lo = val & 0x000ccfff; /* vector, modes, level, trigger, shorthand */
			vlapic_send_ipi(l, ((u64)l->icr_hi << 32) | l->icr_lo);
		}
		return 0;
	case APIC_TMICT:
		vlapic_timer_write_tmict(l, val);
		return 0;
	case APIC_TDCR:
		vlapic_timer_write_tdcr(l, val);
		return 0;
	default:
		break;
	}
	if (x2apic) {
		if (off == APIC_SELF_IPI) {
			if (val & ~0xffu)
				return -EPERM;
			l->n_ipi++;
			if (vlapic_accept_fixed(l, (u8)val))
				vcpu_kick(l->v);
			return 0;
		}
		return -EPERM; /* ID, version, LDR, PPR, ISR/TMR/IRR, counts: read-only or absent */
	}
	switch (off) {
	case APIC_LDR:
		l->ldr = val & 0xff000000u;
		return 0;
	case APIC_DFR:
		l->dfr = val | 0x0fffffffu; /* only the model (bits 31:28) is writable */
		return 0;
	case APIC_ICR_HI:
		l->icr_hi = val & 0xff000000u;
		return 0;
	default:
		return 0; /* ID and read-only registers: writes ignored */
	}
}

/* The xAPIC page: aligned 32-bit accesses; other sizes and offsets read zero, writes dropped. */
static struct vlapic *mmio_lapic(struct vcpu *v)
{
	struct vlapic *l = v->arch.vlapic;

	return l && hw_enabled(l) && !vlapic_x2apic(l) ? l : NULL;
}

static int mmio_read(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	struct vlapic *l = mmio_lapic(v);
	u32 off = (u32)(addr - APIC_MMIO_BASE), reg = 0, in_reg = off & 0xf;

	if (!l) {
		*val = ~0ULL; /* disabled or in x2APIC mode: nothing answers here */
		return 0;
	}
	l->n_mmio++;
	if (in_reg + size <= 4 || (in_reg == 0 && size == 8))
		vlapic_reg_read(l, off & ~0xfu, &reg, false);
	/* Bytes 4-15 of each 16-byte slot read as zero. */
	*val = in_reg < 4 ? (u64)reg >> (in_reg * 8) : 0;
	if (size < 8)
		*val &= (1ULL << (size * 8)) - 1;
	return 0;
}

static int mmio_write(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	struct vlapic *l = mmio_lapic(v);
	u32 off = (u32)(addr - APIC_MMIO_BASE);

	if (!l)
		return 0;
	l->n_mmio++;
	if ((off & 0xf) || size < 4) {
		vlapic_error(l, APIC_ESR_ILLEGAL_REG);
		return 0; /* not a whole register: dropped */
	}
	vlapic_reg_write(l, off, (u32)val, false);
	return 0;
}

static const struct hvm_io_ops vlapic_mmio = {.read = mmio_read, .write = mmio_write};

int vlapic_domain_init(struct domain *d)
{
	return hvm_io_register(&d->arch.mmio, APIC_MMIO_BASE, APIC_PAGE_SIZE, "local APIC",
			       &vlapic_mmio, NULL);
}

int vlapic_vcpu_init(struct vcpu *v)
{
	struct vlapic *l = kzalloc(sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->v = v;
	l->apic_id = v->id * 2;
	l->apic_base = APIC_MMIO_BASE | APIC_BASE_EN | (v->id == 0 ? APIC_BASE_BSP : 0);
	vlapic_timer_init(l);
	vlapic_reset(l);
	v->arch.vlapic = l;
	return 0;
}

void vlapic_vcpu_destroy(struct vcpu *v)
{
	struct vlapic *l = v->arch.vlapic;

	if (!l)
		return;
	vlapic_timer_stop(l); /* waits if its callback runs on another CPU */
	v->arch.vlapic = NULL;
	kfree(l);
}

void vlapic_sync_upcall(struct vcpu *v)
{
	struct vlapic *l = v->arch.vlapic;
	u8 vec = l ? READ_ONCE(l->upcall_vector) : 0;

	if (!vec || !v->vcpu_info || !READ_ONCE(v->vcpu_info->upcall_pending))
		return;
	/*
	 * Keel asserts it straight into the IRR (as Xen does), also while the guest has
	 * software-disabled its APIC: Linux does that on its way to power-off and still needs
	 * its timer event, which comes this way.
	 */
	if (hw_enabled(l) && !(irr_word(l, vec / 32) & (1u << (vec % 32))))
		__atomic_fetch_or(&l->irr[vec / 32], 1u << (vec % 32), __ATOMIC_SEQ_CST);
}

bool vlapic_irq_pending(struct vcpu *v, bool if_set)
{
	struct vlapic *l = v->arch.vlapic;

	if (!l)
		return false;
	if (READ_ONCE(l->nmi_pending))
		return true;
	if (!if_set)
		return false;
	vlapic_sync_upcall(v);
	return vlapic_pending_vector(l) >= 0;
}

bool vlapic_take_nmi(struct vcpu *v)
{
	struct vlapic *l = v->arch.vlapic;

	return l && READ_ONCE(l->nmi_pending) &&
	       __atomic_exchange_n(&l->nmi_pending, false, __ATOMIC_SEQ_CST);
}

int vlapic_set_upcall_vector(struct vcpu *v, u8 vector)
{
	if (vector < 0x10 || !v->arch.vlapic)
		return -EINVAL;
	WRITE_ONCE(v->arch.vlapic->upcall_vector, vector);
	vcpu_kick(v);
	return 0;
}

void vlapic_exit_stats(struct vcpu *v, void (*fn)(const char *name, u64 count, void *ctx),
		       void *ctx)
{
	const struct vlapic *l = v->arch.vlapic;
	const struct {
		const char *name;
		u64 n;
	} rows[] = {
	    {"vLAPIC MMIO accesses", l ? l->n_mmio : 0},
	    {"vLAPIC x2APIC MSR accesses", l ? l->n_msr : 0},
	    {"vLAPIC EOIs", l ? l->n_eoi : 0},
	    {"vLAPIC IPIs sent", l ? l->n_ipi : 0},
	    {"vLAPIC timer interrupts", l ? l->n_timer_irq : 0},
	    {"vLAPIC interrupts injected", l ? l->n_injected : 0},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(rows); i++)
		if (rows[i].n)
			fn(rows[i].name, rows[i].n, ctx);
}
