/* GNTTABOP_copy: bytes between two pages, each a pinned grant or a frame of the caller. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/mm.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>

#include "grant_internal.h"

/* One side of a copy as resolved: the host frame, and the pin to drop afterwards. */
struct copy_side {
	struct domain *granter; /* referenced when the side is a grant */
	grant_ref_t ref;
	bool readonly;
	paddr_t hpa;
};

/* Resolve a side: a grant of another domain (or of the caller), or a frame of the caller. */
static int copy_side_get(struct domain *d, const struct gnttab_copy_ptr *p, bool is_gref, bool dest,
			 struct copy_side *out)
{
	u16 dom = p->domid == DOMID_SELF ? d->id : p->domid;
	int st;

	out->granter = NULL;
	if (!is_gref) {
		/* A frame of the caller's own: the caller's physmap_lock keeps it there. */
		if (dom != d->id)
			return GNTST_permission_denied; /* other domains' frames: dom0's, later */
		if (p->u.gmfn >= (1ULL << 34) ||
		    arch_gpa_to_hpa(d, p->u.gmfn << 12, dest, &out->hpa))
			return GNTST_bad_page;
		return GNTST_okay;
	}
	out->granter = domain_get(dom);
	if (!out->granter)
		return GNTST_bad_domain;
	out->ref = p->u.ref;
	out->readonly = !dest;
	st = grant_pin(out->granter, d->id, out->ref, out->readonly, &out->hpa);
	if (st != GNTST_okay) {
		domain_put(out->granter);
		out->granter = NULL;
	}
	return st;
}

static void copy_side_put(struct copy_side *s)
{
	if (!s->granter)
		return;
	grant_unpin(s->granter, s->ref, s->readonly);
	domain_put(s->granter);
	s->granter = NULL;
}

void grant_copy_one(struct vcpu *v, struct gnttab_copy *op)
{
	struct domain *d = v->domain;
	struct copy_side src, dst;
	int st;

	if ((op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)) ||
	    op->source.offset + (u32)op->len > PAGE_SIZE ||
	    op->dest.offset + (u32)op->len > PAGE_SIZE) {
		op->status = GNTST_bad_copy_arg;
		return;
	}
	spin_lock(&d->abi.physmap_lock);
	st = copy_side_get(d, &op->source, op->flags & GNTCOPY_source_gref, false, &src);
	if (st == GNTST_okay) {
		st = copy_side_get(d, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst);
		if (st == GNTST_okay) {
			/* Both pages are pinned (or the caller's, under its lock): they stay put. */
			memmove((u8 *)paddr_to_virt(dst.hpa) + op->dest.offset,
				(const u8 *)paddr_to_virt(src.hpa) + op->source.offset, op->len);
			copy_side_put(&dst);
		}
		copy_side_put(&src);
	}
	spin_unlock(&d->abi.physmap_lock);
	op->status = (s16)st;
}
