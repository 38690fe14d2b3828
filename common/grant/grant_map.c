/* Mapping other domains' grants into a domain's physical map: handles, maptrack, unmap, release. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>

#include "grant_entry.h"
#include "grant_internal.h"

#define GNTMAP_contains_pte (1u << 4) /* PV page-table maps: not for auto-translated guests */

static struct maptrack *mt_entry(struct grant_table *gt, grant_handle_t h)
{
	if (h >= gt->mt_chunks * MAPTRACK_PER_CHUNK)
		return NULL;
	return &gt->mt[h / MAPTRACK_PER_CHUNK][h % MAPTRACK_PER_CHUNK];
}

/* A free handle, marked busy; GRANT_MAX_MAPS when there is none. Under physmap_lock. */
static grant_handle_t mt_alloc(struct grant_table *gt)
{
	struct maptrack *chunk = NULL;
	grant_handle_t h;

	spin_lock(&gt->mt_lock);
	for (h = 0; h < gt->mt_chunks * MAPTRACK_PER_CHUNK; h++) {
		struct maptrack *e = mt_entry(gt, h);

		if (e->state == MT_FREE) {
			e->state = MT_BUSY;
			spin_unlock(&gt->mt_lock);
			return h;
		}
	}
	spin_unlock(&gt->mt_lock);
	/* Chunks are added only here, under the owner's physmap_lock: no one else adds one. */
	if (gt->mt_chunks == MAPTRACK_CHUNKS)
		return GRANT_MAX_MAPS;
	chunk = kzalloc(sizeof(*chunk) * MAPTRACK_PER_CHUNK);
	if (!chunk)
		return GRANT_MAX_MAPS;
	spin_lock(&gt->mt_lock);
	h = gt->mt_chunks * MAPTRACK_PER_CHUNK;
	gt->mt[gt->mt_chunks] = chunk;
	WRITE_ONCE(gt->mt_chunks, gt->mt_chunks + 1);
	chunk[0].state = MT_BUSY;
	spin_unlock(&gt->mt_lock);
	return h;
}

static void mt_set_state(struct grant_table *gt, struct maptrack *e, enum maptrack_state s)
{
	spin_lock(&gt->mt_lock);
	e->state = (u8)s;
	spin_unlock(&gt->mt_lock);
}

/* The GFN is free in @d's physical map (nothing mapped): under its physmap_lock. */
static bool gfn_free(struct domain *d, u64 gpa)
{
	paddr_t hpa;

	return arch_gpa_to_hpa(d, gpa, false, &hpa) != 0;
}

void grant_map_one(struct vcpu *v, struct gnttab_map_grant_ref *op)
{
	struct domain *d = v->domain, *granter;
	struct grant_table *gt = d->gnt;
	bool readonly = op->flags & GNTMAP_readonly;
	u16 dom = op->dom == DOMID_SELF ? d->id : op->dom;
	grant_handle_t h;
	struct maptrack *e;
	paddr_t hpa;
	int st;

	op->handle = ~0u;
	op->dev_bus_addr = 0; /* no device (IOMMU) mappings yet */
	if (!(op->flags & GNTMAP_host_map) || (op->flags & GNTMAP_contains_pte)) {
		op->status = GNTST_general_error;
		return;
	}
	if (!IS_ALIGNED(op->host_addr, PAGE_SIZE) || !grant_gfn_acceptable(op->host_addr >> 12)) {
		op->status = GNTST_bad_virt_addr;
		return;
	}
	granter = domain_get(dom);
	if (!granter) {
		op->status = GNTST_bad_domain;
		return;
	}
	st = grant_pin(granter, d->id, op->ref, readonly, &hpa);
	if (st != GNTST_okay)
		goto out_put;

	spin_lock(&d->abi.physmap_lock);
	if (READ_ONCE(gt->maps_released)) {
		st = GNTST_general_error; /* it is being destroyed */
		goto out_unlock;
	}
	if (!gfn_free(d, op->host_addr)) {
		st = GNTST_bad_virt_addr; /* never over RAM, shared_info or another map */
		goto out_unlock;
	}
	h = mt_alloc(gt);
	if (h == GRANT_MAX_MAPS) {
		st = GNTST_no_space;
		goto out_unlock;
	}
	e = mt_entry(gt, h);
	if (arch_map_gpa(d, op->host_addr, hpa, PAGE_SIZE, !readonly)) {
		mt_set_state(gt, e, MT_FREE);
		st = GNTST_no_space; /* the domain's EPT table limit, or Keel out of memory */
		goto out_unlock;
	}
	e->readonly = readonly;
	e->ref = op->ref;
	e->gpa = op->host_addr;
	e->granter = granter; /* the reference goes with the entry */
	mt_set_state(gt, e, MT_MAPPED);
	spin_unlock(&d->abi.physmap_lock);
	op->handle = h;
	op->status = GNTST_okay;
	return;

out_unlock:
	spin_unlock(&d->abi.physmap_lock);
	grant_unpin(granter, op->ref, readonly);
out_put:
	domain_put(granter);
	op->status = (s16)st;
}

/* Drop what a map held: the granter's pin and the reference; the entry becomes free. */
static void mt_release(struct grant_table *gt, struct maptrack *e)
{
	struct domain *granter = e->granter;

	grant_unpin(granter, e->ref, e->readonly);
	e->granter = NULL;
	mt_set_state(gt, e, MT_FREE);
	domain_put(granter);
}

void grant_unmap_one(struct vcpu *v, struct gnttab_unmap_grant_ref *op)
{
	struct domain *d = v->domain;
	struct grant_table *gt = d->gnt;
	struct maptrack *e;
	int rc;

	spin_lock(&d->abi.physmap_lock);
	spin_lock(&gt->mt_lock);
	e = mt_entry(gt, op->handle);
	if (!e || e->state != MT_MAPPED) {
		spin_unlock(&gt->mt_lock);
		spin_unlock(&d->abi.physmap_lock);
		op->status = GNTST_bad_handle;
		return;
	}
	if (op->host_addr != e->gpa) {
		spin_unlock(&gt->mt_lock);
		spin_unlock(&d->abi.physmap_lock);
		op->status = GNTST_bad_virt_addr;
		return;
	}
	e->state = MT_BUSY;
	spin_unlock(&gt->mt_lock);
	/* Gone from every CPU's translations before the granter's frame is let go. */
	rc = arch_unmap_gpa(d, e->gpa, PAGE_SIZE);
	BUG_ON(rc && rc != -ETIMEDOUT); /* a 4 KiB leaf: unmapping it needs no table */
	if (rc)
		mt_set_state(gt, e, MT_UNFLUSHED); /* pinned until grant_release_maps() */
	else
		mt_release(gt, e);
	spin_unlock(&d->abi.physmap_lock);
	op->status = GNTST_okay;
}

void grant_release_maps(struct domain *d)
{
	struct grant_table *gt = d->gnt;

	if (!gt || grant_maps_released(d))
		return;
	spin_lock(&d->abi.physmap_lock);
	WRITE_ONCE(gt->maps_released, true);
	for (grant_handle_t h = 0; h < gt->mt_chunks * MAPTRACK_PER_CHUNK; h++) {
		struct maptrack *e = mt_entry(gt, h);

		/* No vCPU of @d runs: its CPUs flush before any other vCPU of it would enter. */
		if (e->state == MT_MAPPED)
			(void)arch_unmap_gpa(d, e->gpa, PAGE_SIZE);
		if (e->state == MT_MAPPED || e->state == MT_UNFLUSHED)
			mt_release(gt, e);
	}
	spin_unlock(&d->abi.physmap_lock);
}
