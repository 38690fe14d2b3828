/* Grant tables inside common/grant/: the table, its active entries and the maptrack. */
#ifndef KEEL_GRANT_INTERNAL_H
#define KEEL_GRANT_INTERNAL_H

#include <keel/grant_table.h>
#include <keel/spinlock.h>
#include <keel/types.h>

/*
 * What Keel knows of one grant entry while it is pinned (mapped or being copied): pins by kind,
 * and the granted frame as resolved at the first pin; every further pin must match it.
 */
struct grant_active {
	u32 pins_ro, pins_rw;
	u64 gfn;     /* the granter's frame, as the entry said at the first pin */
	paddr_t hpa; /* the host frame behind it, pinned while any pin is held */
	u16 grantee; /* the domain the pins belong to */
};

enum maptrack_state {
	MT_FREE,
	MT_BUSY,      /* being filled or taken down, under the owner's physmap_lock */
	MT_MAPPED,    /* mapped: the handle is valid */
	MT_UNFLUSHED, /* unmapped, but a CPU did not confirm the flush: pinned until the end */
};

/* One map a domain made of a grant (its handle is the index). */
struct maptrack {
	u8 state; /* enum maptrack_state, under mt_lock */
	bool readonly;
	grant_ref_t ref;
	u64 gpa;		/* where it is mapped in the mapping domain */
	struct domain *granter; /* referenced (domain_get) while the entry is not free */
};

#define MAPTRACK_PER_CHUNK 256
#define MAPTRACK_CHUNKS	   (GRANT_MAX_MAPS / MAPTRACK_PER_CHUNK)

/*
 * Lock order, within and across domains: physmap_lock (any one domain) -> grant_table.lock
 * (any one domain) -> domain_mem.lock -> the p2m lock. No two locks of one kind are ever held.
 * mt_lock is a leaf taken only with the owner's physmap_lock or alone.
 */
struct grant_table {
	spinlock_t lock; /* frames, their GFNs, active entries, nr_pinned */
	unsigned int nr_frames, max_frames;
	paddr_t frame_pa[GRANT_MAX_FRAMES];
	u64 frame_gfn[GRANT_MAX_FRAMES]; /* where the granter mapped each frame; 0: nowhere */
	struct grant_active *active[GRANT_MAX_FRAMES];
	u32 nr_pinned; /* entries with pins: 0 makes grant_frame_pinned() quick */

	spinlock_t mt_lock; /* this domain's own maps of grants */
	struct maptrack *mt[MAPTRACK_CHUNKS];
	unsigned int mt_chunks;
	bool maps_released;
};

/* grant_table.c: pin entry @ref of @granter's table for @grantee; the frame's HPA out. */
int grant_pin(struct domain *granter, u16 grantee, grant_ref_t ref, bool readonly, paddr_t *hpa);
void grant_unpin(struct domain *granter, grant_ref_t ref, bool readonly);
/* A GFN a guest may put a grant frame or a grant map at (not yet whether it is free). */
bool grant_gfn_acceptable(u64 gfn);

#endif
