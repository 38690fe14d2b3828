/* Shared memory regions between boot-time domains, with their doorbell event channels. */
#ifndef KEEL_DOMAIN_SHM_H
#define KEEL_DOMAIN_SHM_H

#include <keel/domain_config.h>
#include <keel/types.h>

struct domain;

/* Every region joins two domains: at most this many in all. */
#define DOMAIN_SHM_MAX_REGIONS 32
/* A guest command line with ` keel.shm.NAME=GPA,SIZE,ACCESS,PORT` for each region. */
#define DOMAIN_SHM_CMDLINE_MAX (DOMCFG_CMDLINE_MAX + DOMCFG_MAX_SHM * 80)

/* A naturally aligned block of a region's host frames, at @offset into the region. */
struct shm_extent {
	u64 offset;
	paddr_t hpa;
	unsigned int order;
};

/* One of the two domains a region joins. */
struct shm_side {
	const struct domain_config *cfg; /* its boot configuration (set by the pairing) */
	const struct domcfg_shm *spec;	 /* its shm= entry: where it sees the region, how */
	/* Built and destroyed on CPU 0 only (domain_build.c, domain_reap): */
	u16 domid; /* the domain built from @cfg now; DOMID_INVALID while there is none */
	u32 port;  /* its doorbell in that domain (0: none) */
};

struct shm_region {
	char name[DOMCFG_SHM_NAME_MAX];
	u64 size;
	struct shm_side side[2]; /* in module order */
	/* Host frames, allocated once at boot, zeroed, never freed (common/domain_shm.c). */
	struct shm_extent *extents;
	unsigned int nr_extents;
};

/*
 * Pair the regions of @cfgs[0..@n) (common/domain_shm_pair.c): each name on exactly two domains,
 * the same size on both. A domain that breaks a rule (a third one naming a region, another
 * size, a name no other domain gives) is logged and dropped from @cfgs (the rest move up, in
 * order), and the pairing is done again without it. @regions (room for @max) receives the
 * pairs, sides pointing into @cfgs as it is at the end; *@nr_regions their count. Returns how
 * many domains are kept.
 */
unsigned int domain_shm_pair(struct domain_config *cfgs, unsigned int n, struct shm_region *regions,
			     unsigned int max, unsigned int *nr_regions);
/* Drop @cfgs[@i] (logged by the caller): the ones after it move up. Returns the new count. */
unsigned int domain_shm_drop(struct domain_config *cfgs, unsigned int n, unsigned int i);

/*
 * At boot, after domcfg_group_modules and before any domain is built: pair the regions of
 * @cfgs[0..@n), give each its zeroed host frames, log each and the memory they take. Domains
 * refused (pairing, or no memory for a region) are dropped from @cfgs; returns how many are left.
 */
unsigned int domain_shm_setup(struct domain_config *cfgs, unsigned int n);
/*
 * While building @d from @c (after its RAM, before its start info): map each region of @c into
 * @d's physical map at its GPA with its access, mark it reserved in @d's memory map, and give @d
 * its doorbell: connected to the peer's port when the peer runs, else a port waiting for it.
 * 0 or -errno (the build fails; domain_shm_detach undoes it with the domain).
 */
int domain_shm_attach(struct domain *d, const struct domain_config *c);
/*
 * @base with ` keel.shm.NAME=GPA,SIZE,ACCESS,PORT` for each region of @d, in @out (@len bytes),
 * before a `--` word of @base if it has one (what follows it is init's). -ENOSPC if it does not fit.
 */
int domain_shm_cmdline(const struct domain *d, const char *base, char *out, size_t len);
/* @d is being destroyed: each peer's doorbell port waits again for @d's next build. */
void domain_shm_detach(struct domain *d);
/* Does [@gpa, @gpa + @len) touch a shared region of @d? (Ballooning and physmap refuse it.) */
bool domain_shm_covers(const struct domain *d, u64 gpa, u64 len);
/* The name of the region @d sees read-only at @gpa, or NULL (for the EPT-violation message). */
const char *domain_shm_readonly_at(const struct domain *d, u64 gpa);

#endif
