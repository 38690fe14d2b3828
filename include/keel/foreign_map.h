/* Foreign maps (common/mm/foreign_map.c): a privileged domain maps other domains' RAM frames. */
#ifndef KEEL_FOREIGN_MAP_H
#define KEEL_FOREIGN_MAP_H

#include <keel/spinlock.h>
#include <keel/types.h>

struct domain;

/* One page of another domain mapped at @gfn; @owner is referenced (domain_get) while it lives. */
struct foreign_entry {
	u64 gfn;
	paddr_t hpa;
	struct domain *owner;
	bool unflushed; /* unmapped, but a CPU did not confirm the flush: held until the end */
};

/* A domain's foreign maps, and the count of its own frames others map (in struct domain). */
struct domain_foreign {
	spinlock_t lock; /* the array: changers hold the domain's physmap_lock too; readers this */
	struct foreign_entry *maps;
	unsigned int nr, max;
	bool released; /* foreign_release_maps() ran: no new map */
	u32 pinned;    /* entries of any domain that map a frame of this one */
};

/* Entries one domain may hold at once (each one 4 KiB page of another domain). */
#define FOREIGN_MAX_MAPS 16384

/*
 * Map @owner's RAM frame at @owner_gfn at @gfn of @d's physical map (a GFN outside @d's RAM with
 * nothing mapped there). The entry holds a reference on @owner (domain_get) and pins the frame:
 * @owner cannot balloon it out, and a destroyed @owner stays a zombie, its RAM not freed, until
 * the last map of it goes. 0 or -EINVAL (bad GFN, @owner is @d), -EFAULT (not @owner's RAM),
 * -EBUSY (something is mapped at @gfn), -ENOSPC (too many), -ENOMEM.
 */
int foreign_map(struct domain *d, u64 gfn, struct domain *owner, u64 owner_gfn);
/* Undo the foreign map at @gfn of @d: 0, or -ENOENT when @gfn holds none. */
int foreign_unmap(struct domain *d, u64 gfn);
/* Drop every foreign map @d holds (it is being destroyed; none of its vCPUs runs). */
void foreign_release_maps(struct domain *d);
/* Has foreign_release_maps() run for @d (or did it never map anything)? */
bool foreign_maps_released(const struct domain *d);
/* Does some domain map a frame of @owner in [hpa, hpa + size)? (@owner's grant lock held) */
bool foreign_frame_mapped(struct domain *owner, paddr_t hpa, u64 size);

#endif
