/* Pairing the shm= regions of the boot-time domains: each name joins exactly two of them. */
#include <keel/compiler.h>
#include <keel/domain_shm.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <public/hypercall.h>

unsigned int domain_shm_drop(struct domain_config *cfgs, unsigned int n, unsigned int i)
{
	for (unsigned int j = i; j + 1 < n; j++)
		cfgs[j] = cfgs[j + 1];
	return n - 1;
}

/* A region being paired: its sides as indices into the configs. */
struct shm_pairing {
	const struct domcfg_shm *spec[2];
	unsigned int cfg[2];
	unsigned int sides;
};

static struct shm_pairing *find_pairing(struct shm_pairing *p, unsigned int nr, const char *name)
{
	for (unsigned int i = 0; i < nr; i++)
		if (strcmp(p[i].spec[0]->name, name) == 0)
			return &p[i];
	return NULL;
}

/*
 * One pass over @cfgs: the index of the first domain that breaks a rule (logged), or @n when
 * every region joins two domains. @p (room for DOMAIN_SHM_MAX_REGIONS) and *@nr get the pairs.
 */
static unsigned int pair_pass(const struct domain_config *cfgs, unsigned int n,
			      struct shm_pairing *p, unsigned int *nr)
{
	*nr = 0;
	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int k = 0; k < cfgs[i].nr_shm; k++) {
			const struct domcfg_shm *r = &cfgs[i].shm[k];
			struct shm_pairing *q = find_pairing(p, *nr, r->name);

			if (!q && *nr == DOMAIN_SHM_MAX_REGIONS) {
				pr_err(
				    "shm: region '%s' of '%s': more than %d regions in all; '%s' "
				    "skipped",
				    r->name, cfgs[i].name, DOMAIN_SHM_MAX_REGIONS, cfgs[i].name);
				return i;
			}
			if (!q) {
				p[(*nr)++] = (struct shm_pairing){{r, NULL}, {i, 0}, 1};
				continue;
			}
			if (q->sides == 2) {
				pr_err(
				    "shm: region '%s' is already shared by '%s' and '%s': '%s' may "
				    "not map it (a region joins two domains); '%s' skipped",
				    r->name, cfgs[q->cfg[0]].name, cfgs[q->cfg[1]].name,
				    cfgs[i].name, cfgs[i].name);
				return i;
			}
			if (q->spec[0]->size != r->size) {
				pr_err(
				    "shm: region '%s' is %llu KiB on '%s' but %llu KiB on '%s' (give "
				    "both the same size); '%s' skipped",
				    r->name, q->spec[0]->size >> 10, cfgs[q->cfg[0]].name,
				    r->size >> 10, cfgs[i].name, cfgs[i].name);
				return i;
			}
			q->spec[1] = r;
			q->cfg[1] = i;
			q->sides = 2;
		}
	}
	for (unsigned int j = 0; j < *nr; j++) {
		if (p[j].sides == 1) {
			const char *who = cfgs[p[j].cfg[0]].name;

			pr_err(
			    "shm: region '%s' is named by '%s' alone (name it on its peer's line "
			    "too); '%s' skipped",
			    p[j].spec[0]->name, who, who);
			return p[j].cfg[0];
		}
	}
	return n;
}

/* Boot-time only (one caller, before other CPUs run). */
static struct shm_pairing pairings[DOMAIN_SHM_MAX_REGIONS];

unsigned int domain_shm_pair(struct domain_config *cfgs, unsigned int n, struct shm_region *regions,
			     unsigned int max, unsigned int *nr_regions)
{
	unsigned int nr = 0, bad;

	while ((bad = pair_pass(cfgs, n, pairings, &nr)) < n)
		n = domain_shm_drop(cfgs, n, bad);
	*nr_regions = MIN(nr, max);
	for (unsigned int j = 0; j < *nr_regions; j++) {
		struct shm_region *r = &regions[j];

		memset(r, 0, sizeof(*r));
		strlcpy(r->name, pairings[j].spec[0]->name, sizeof(r->name));
		r->size = pairings[j].spec[0]->size;
		for (unsigned int s = 0; s < 2; s++) {
			/* The specs point into the configs, which no longer move. */
			r->side[s].cfg = &cfgs[pairings[j].cfg[s]];
			r->side[s].spec = pairings[j].spec[s];
			r->side[s].domid = DOMID_INVALID;
		}
	}
	return n;
}
