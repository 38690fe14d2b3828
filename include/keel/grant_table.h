/* Grant tables v1 (common/grant/): what the rest of Keel calls for a domain's grants and maps. */
#ifndef KEEL_GRANT_TABLE_H
#define KEEL_GRANT_TABLE_H

#include <keel/types.h>
#include <public/grant_table.h>

struct domain;
struct vcpu;

#define GRANT_INIT_FRAMES 4		    /* frames a domain's table starts with */
#define GRANT_MAX_FRAMES  GNTTAB_MAX_FRAMES /* it grows on demand up to this */
#define GRANT_MAX_MAPS	  16384		    /* maptrack handles per domain */
#define GRANT_MAX_BATCH	  512		    /* ops per map/unmap/copy hypercall */

/* Give @d a table of GRANT_INIT_FRAMES zeroed Keel frames (charged to it) and empty maptrack. */
int grant_domain_init(struct domain *d);
/*
 * Undo every mapping @d made of other domains' grants (or its own): its map entries go, the
 * granters' frames and references are released. Idempotent; @d runs no vCPU any more.
 */
void grant_release_maps(struct domain *d);
/* Whether grant_release_maps(@d) has run (no new map can appear after it). */
bool grant_maps_released(const struct domain *d);
/* Free @d's table frames and bookkeeping (no one maps its grants: its references are gone). */
void grant_domain_destroy(struct domain *d);

/* XENMEM_add_to_physmap space grant_table: put table frame @idx at @gfn (growing the table). */
int grant_map_table_frame(struct domain *d, u64 idx, u64 gfn);

/*
 * For ballooning: the caller holds grant_pins_lock(d) around its check of
 * grant_frame_pinned() and its change of the physical map, so no map can pin a frame it frees.
 */
void grant_pins_lock(struct domain *d);
void grant_pins_unlock(struct domain *d);
bool grant_frame_pinned(struct domain *d, paddr_t hpa, u64 size);

/* The grant_table_op hypercall's operations (common/hypercall/grant_table_op.c decodes). */
long grant_query_size(struct vcpu *v, struct gnttab_query_size *q);
struct grant_table_frames {
	u64 gfn[GRANT_MAX_FRAMES]; /* where each frame is mapped, ~0 where nowhere */
};
long grant_setup_table(struct vcpu *v, struct gnttab_setup_table *s,
		       struct grant_table_frames *out);
void grant_map_one(struct vcpu *v, struct gnttab_map_grant_ref *op);
void grant_unmap_one(struct vcpu *v, struct gnttab_unmap_grant_ref *op);
void grant_copy_one(struct vcpu *v, struct gnttab_copy *op);

#endif
