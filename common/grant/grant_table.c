/* A domain's v1 grant table: its frames (growing on demand), where they are mapped, pins. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/memory.h>

#include "grant_entry.h"
#include "grant_internal.h"

/* Guest frames above this are refused (a 46-bit guest-physical space). */
#define GRANT_MAX_GFN (1ULL << 34)
/*
 * The top of the 32-bit space holds the special pages, the local APIC and IO-APIC and the
 * unclaimed-MMIO device: no grant frame or grant map is put there.
 */
#define GRANT_DEVICE_WINDOW_GFN (0xF0000000ULL >> 12)
#define GRANT_FOUR_GIB_GFN	(0x100000000ULL >> 12)

bool grant_gfn_acceptable(u64 gfn)
{
	return gfn != 0 && gfn < GRANT_MAX_GFN &&
	       (gfn < GRANT_DEVICE_WINDOW_GFN || gfn >= GRANT_FOUR_GIB_GFN);
}

/* Add frames until @want exist (under gt->lock): 0, or -ENOMEM with the table as it was. */
static int grow_locked(struct domain *d, struct grant_table *gt, unsigned int want)
{
	while (gt->nr_frames < want) {
		unsigned int i = gt->nr_frames;
		void *page = frame_alloc_zeroed_page();
		struct grant_active *act = kzalloc(sizeof(*act) * GNTTAB_V1_PER_FRAME);

		if (!page || !act) {
			if (page)
				frame_free(virt_to_paddr(page), 0);
			kfree(act);
			return -ENOMEM;
		}
		gt->frame_pa[i] = virt_to_paddr(page);
		gt->active[i] = act;
		d->mem.pages++; /* charged to the domain */
		WRITE_ONCE(gt->nr_frames, i + 1);
	}
	return 0;
}

int grant_domain_init(struct domain *d)
{
	struct grant_table *gt = kzalloc(sizeof(*gt));
	int rc;

	if (!gt)
		return -ENOMEM;
	gt->lock = (spinlock_t)SPINLOCK_INIT;
	gt->mt_lock = (spinlock_t)SPINLOCK_INIT;
	gt->max_frames = GRANT_MAX_FRAMES;
	d->gnt = gt;
	spin_lock(&gt->lock);
	rc = grow_locked(d, gt, GRANT_INIT_FRAMES);
	spin_unlock(&gt->lock);
	return rc;
}

bool grant_maps_released(const struct domain *d)
{
	return !d->gnt || READ_ONCE(d->gnt->maps_released);
}

void grant_domain_destroy(struct domain *d)
{
	struct grant_table *gt = d->gnt;

	if (!gt)
		return;
	BUG_ON(gt->nr_pinned);
	for (unsigned int i = 0; i < gt->nr_frames; i++) {
		memset(paddr_to_virt(gt->frame_pa[i]), 0, PAGE_SIZE);
		frame_free(gt->frame_pa[i], 0);
		kfree(gt->active[i]);
	}
	for (unsigned int c = 0; c < gt->mt_chunks; c++)
		kfree(gt->mt[c]);
	kfree(gt);
	d->gnt = NULL;
}

int grant_map_table_frame(struct domain *d, u64 idx, u64 gfn)
{
	struct grant_table *gt = d->gnt;
	paddr_t hpa;
	u64 old;
	int rc;

	if (idx & XENMAPIDX_grant_table_status)
		return -EINVAL; /* status frames are v2 only */
	if (idx >= gt->max_frames || !grant_gfn_acceptable(gfn))
		return -EINVAL;
	spin_lock(&d->abi.physmap_lock);
	spin_lock(&gt->lock);
	rc = grow_locked(d, gt, (unsigned int)idx + 1);
	old = gt->frame_gfn[idx];
	if (!rc && old != gfn) {
		/* Only onto an empty frame: it never hides RAM, shared_info or a mapped grant. */
		if (!arch_gpa_to_hpa(d, gfn << 12, false, &hpa))
			rc = -EBUSY;
		else
			rc = arch_map_gpa(d, gfn << 12, gt->frame_pa[idx], PAGE_SIZE, true);
		/* Mapped first, so a refusal leaves the old place; a stale old one stays Keel's. */
		if (!rc && old)
			(void)arch_unmap_gpa(d, old << 12, PAGE_SIZE);
		if (!rc)
			gt->frame_gfn[idx] = gfn;
	}
	spin_unlock(&gt->lock);
	spin_unlock(&d->abi.physmap_lock);
	return rc;
}

long grant_query_size(struct vcpu *v, struct gnttab_query_size *q)
{
	struct grant_table *gt = v->domain->gnt;

	if (q->dom != DOMID_SELF && q->dom != v->domain->id) {
		q->status = domain_by_id(q->dom) ? GNTST_permission_denied : GNTST_bad_domain;
		return 0;
	}
	q->nr_frames = READ_ONCE(gt->nr_frames);
	q->max_nr_frames = gt->max_frames;
	q->status = GNTST_okay;
	return 0;
}

/* Auto-translated guests get the GFN where each frame is mapped, ~0 where it is nowhere yet. */
long grant_setup_table(struct vcpu *v, struct gnttab_setup_table *s, struct grant_table_frames *out)
{
	struct domain *d = v->domain;
	struct grant_table *gt = d->gnt;
	int rc;

	if (s->dom != DOMID_SELF && s->dom != d->id) {
		s->status = domain_by_id(s->dom) ? GNTST_permission_denied : GNTST_bad_domain;
		return 0;
	}
	if (s->nr_frames > gt->max_frames) {
		s->status = GNTST_general_error;
		return 0;
	}
	spin_lock(&gt->lock);
	rc = grow_locked(d, gt, s->nr_frames);
	for (unsigned int i = 0; i < s->nr_frames; i++)
		out->gfn[i] = gt->frame_gfn[i] ? gt->frame_gfn[i] : ~0ULL;
	spin_unlock(&gt->lock);
	s->status = rc ? GNTST_no_space : GNTST_okay;
	return 0;
}

static struct grant_active *active_of(struct grant_table *gt, grant_ref_t ref)
{
	return &gt->active[ref / GNTTAB_V1_PER_FRAME][ref % GNTTAB_V1_PER_FRAME];
}

static u32 *entry_word(struct grant_table *gt, grant_ref_t ref)
{
	struct grant_entry_v1 *e = paddr_to_virt(gt->frame_pa[ref / GNTTAB_V1_PER_FRAME]);

	return (u32 *)&e[ref % GNTTAB_V1_PER_FRAME];
}

int grant_pin(struct domain *granter, u16 grantee, grant_ref_t ref, bool readonly, paddr_t *hpa)
{
	struct grant_table *gt = granter->gnt;
	struct grant_active *act;
	u32 *word;
	u16 sole;
	u64 gfn;
	int st;

	spin_lock(&gt->lock);
	if (ref >= gt->nr_frames * GNTTAB_V1_PER_FRAME) {
		spin_unlock(&gt->lock);
		return GNTST_bad_gntref;
	}
	act = active_of(gt, ref);
	word = entry_word(gt, ref);
	sole = grant_entry_sole_bits(act->pins_ro, act->pins_rw, readonly);
	st = grant_entry_claim(word, grantee, readonly);
	if (st != GNTST_okay) {
		spin_unlock(&gt->lock);
		return st;
	}
	gfn = READ_ONCE(((struct grant_entry_v1 *)word)->frame);
	if (act->pins_ro || act->pins_rw) {
		/* Pinned already: the same grantee and frame, or the granter changed it under us. */
		if (act->grantee != grantee || act->gfn != gfn)
			st = GNTST_general_error;
	} else if (domain_ram_lookup(granter, gfn << 12, !readonly, &act->hpa)) {
		st =
		    GNTST_bad_page; /* not the granter's own RAM: never Keel's or a third domain's */
	} else {
		act->gfn = gfn;
		act->grantee = grantee;
		gt->nr_pinned++;
	}
	if (st != GNTST_okay) {
		grant_entry_clear(word, sole);
		spin_unlock(&gt->lock);
		return st;
	}
	if (readonly)
		act->pins_ro++;
	else
		act->pins_rw++;
	*hpa = act->hpa;
	spin_unlock(&gt->lock);
	return GNTST_okay;
}

void grant_unpin(struct domain *granter, grant_ref_t ref, bool readonly)
{
	struct grant_table *gt = granter->gnt;
	struct grant_active *act;

	spin_lock(&gt->lock);
	BUG_ON(ref >= gt->nr_frames * GNTTAB_V1_PER_FRAME);
	act = active_of(gt, ref);
	if (readonly) {
		BUG_ON(!act->pins_ro);
		act->pins_ro--;
	} else {
		BUG_ON(!act->pins_rw);
		act->pins_rw--;
	}
	grant_entry_clear(entry_word(gt, ref),
			  grant_entry_sole_bits(act->pins_ro, act->pins_rw, readonly));
	if (!act->pins_ro && !act->pins_rw)
		gt->nr_pinned--;
	spin_unlock(&gt->lock);
}

void grant_pins_lock(struct domain *d)
{
	spin_lock(&d->gnt->lock);
}

void grant_pins_unlock(struct domain *d)
{
	spin_unlock(&d->gnt->lock);
}

bool grant_frame_pinned(struct domain *d, paddr_t hpa, u64 size)
{
	struct grant_table *gt = d->gnt;

	if (!gt->nr_pinned)
		return false;
	for (unsigned int f = 0; f < gt->nr_frames; f++)
		for (unsigned int i = 0; i < GNTTAB_V1_PER_FRAME; i++) {
			const struct grant_active *a = &gt->active[f][i];

			if ((a->pins_ro || a->pins_rw) && a->hpa >= hpa && a->hpa < hpa + size)
				return true;
		}
	return false;
}
