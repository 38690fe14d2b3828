/* Inter-processor interrupts of the virtual local APIC: ICR decoding, destinations, delivery. */
#include <asm/vlapic.h>
#include <keel/domain.h>
#include <keel/vcpu.h>

void vlapic_icr_decode(u64 icr, bool x2apic, struct vlapic_icr *out)
{
	out->vector = (u8)icr;
	out->mode = (u8)((icr >> 8) & 7);
	out->logical = icr & (1u << 11);
	out->assert = icr & (1u << 14);
	out->trigger_level = icr & (1u << 15);
	out->shorthand = (u8)((icr >> 18) & 3);
	out->dest = x2apic ? (u32)(icr >> 32) : (u32)(icr >> 56);
}

bool vlapic_match_dest(const struct vlapic *t, u32 dest, bool logical, bool x2apic)
{
	u32 ldr;

	if (!(t->apic_base & APIC_BASE_EN))
		return false; /* a hardware-disabled APIC takes no messages */
	if (dest == (x2apic ? 0xffffffffu : 0xffu))
		return true; /* broadcast */
	if (!logical)
		return dest == (x2apic ? vlapic_id(t) : vlapic_id(t) & 0xff);
	if (vlapic_x2apic(t)) /* cluster in bits 31:16, members in 15:0 */
		return x2apic && (dest >> 16) == (t->ldr >> 16) && (dest & t->ldr & 0xffff);
	if (x2apic)
		return false; /* an x2APIC logical destination means nothing to an xAPIC */
	ldr = t->ldr >> 24;
	switch (t->dfr >> 28) {
	case 0xf: /* flat: one bit per APIC */
		return dest & ldr;
	case 0x0: /* cluster: cluster in bits 7:4, members in 3:0 */
		return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
	default:
		return false;
	}
}

struct vcpu *vlapic_device_dest(struct domain *d, u32 dest, bool logical)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vlapic *l = d->vcpus[i]->arch.vlapic;

		if (l && vlapic_match_dest(l, dest, logical, false))
			return d->vcpus[i];
	}
	return NULL;
}

/* INIT to a vCPU that is not up: it waits for a SIPI. An up vCPU ignores INIT (not reset). */
static void deliver_init(struct vcpu *t)
{
	if (!vcpu_is_up(t))
		__atomic_store_n(&t->arch.vlapic->wait_sipi, true, __ATOMIC_SEQ_CST);
}

/* SIPI: the first one after INIT starts the vCPU in real mode; every other one is ignored. */
static void deliver_sipi(struct vcpu *t, u8 vector)
{
	struct vlapic *tl = t->arch.vlapic;

	if (vcpu_is_up(t) || !READ_ONCE(tl->wait_sipi))
		return;
	if (__atomic_exchange_n(&tl->wait_sipi, false, __ATOMIC_SEQ_CST))
		vcpu_start_sipi(t, vector);
}

static void deliver(struct vlapic *tl, const struct vlapic_icr *c)
{
	struct vcpu *t = tl->v;

	switch (c->mode) {
	case DM_FIXED:
	case DM_LOWEST:
		if (vlapic_accept_fixed(tl, c->vector))
			vcpu_kick(t);
		break;
	case DM_NMI:
		__atomic_store_n(&tl->nmi_pending, true, __ATOMIC_SEQ_CST);
		vcpu_kick(t);
		break;
	case DM_INIT:
		deliver_init(t);
		break;
	case DM_SIPI:
		deliver_sipi(t, c->vector);
		break;
	default:
		break;
	}
}

static bool selected(struct vlapic *src, struct vlapic *tl, const struct vlapic_icr *c)
{
	switch (c->shorthand) {
	case SH_SELF:
		return tl == src;
	case SH_ALL:
		return tl->apic_base & APIC_BASE_EN;
	case SH_OTHERS:
		return tl != src && (tl->apic_base & APIC_BASE_EN);
	default:
		return vlapic_match_dest(tl, c->dest, c->logical, vlapic_x2apic(src));
	}
}

void vlapic_send_ipi(struct vlapic *src, u64 icr)
{
	struct domain *d = src->v->domain;
	struct vlapic *lowest = NULL;
	struct vlapic_icr c;

	vlapic_icr_decode(icr, vlapic_x2apic(src), &c);
	src->n_ipi++;
	switch (c.mode) {
	case DM_FIXED:
	case DM_LOWEST:
		if (c.vector < 16) {
			vlapic_error(src, APIC_ESR_SEND_ILLEGAL);
			return;
		}
		break;
	case DM_NMI:
		break;
	case DM_INIT:
		if (!c.assert && c.trigger_level)
			return; /* INIT level de-assert: nothing to do */
		break;
	case DM_SIPI:
		break;
	default:
		return; /* SMI and the reserved modes: dropped */
	}
	if (c.shorthand == SH_SELF && c.mode != DM_FIXED)
		return; /* "self" is for fixed interrupts only */
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];
		struct vlapic *tl = t ? t->arch.vlapic : NULL;

		if (!tl || !selected(src, tl, &c))
			continue;
		if (c.mode != DM_LOWEST) {
			deliver(tl, &c);
			continue;
		}
		/* Lowest priority: the lowest-numbered vCPU whose APIC accepts interrupts. */
		if (!lowest || (!vlapic_enabled(lowest) && vlapic_enabled(tl)))
			lowest = tl;
	}
	if (lowest)
		deliver(lowest, &c);
}
