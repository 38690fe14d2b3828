/* Shared memory regions of boot-time domains: their frames, mappings, memory map and doorbells. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_mem.h>
#include <keel/domain_shm.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <public/hypercall.h>

/*
 * The regions live with the boot configuration: paired and given their frames once at boot,
 * never freed, so a domain rebuilt by on_*=restart maps the same frames again. The side state
 * (domid, port) changes only where domains are built and destroyed, which is CPU 0 alone.
 */
static struct shm_region regions[DOMAIN_SHM_MAX_REGIONS];
static unsigned int nr_regions;

/* Room for one more extent in @r (the array doubles). */
static int reserve_extent(struct shm_region *r, unsigned int *cap)
{
	struct shm_extent *e;

	if (r->nr_extents < *cap)
		return 0;
	e = kmalloc(sizeof(*e) * (*cap ? *cap * 2 : 8));
	if (!e)
		return -ENOMEM;
	if (r->extents)
		memcpy(e, r->extents, sizeof(*e) * r->nr_extents);
	kfree(r->extents);
	r->extents = e;
	*cap = *cap ? *cap * 2 : 8;
	return 0;
}

/* Zeroed frames for all of @r: the largest blocks aligned to their offset, for large EPT leaves. */
static int alloc_region(struct shm_region *r)
{
	unsigned int cap = 0;

	for (u64 off = 0; off < r->size;) {
		unsigned int order = FRAME_MAX_ORDER;
		paddr_t hpa;

		while (order && (!IS_ALIGNED(off, PAGE_SIZE << order) ||
				 off + (PAGE_SIZE << order) > r->size))
			order--;
		if (reserve_extent(r, &cap))
			return -ENOMEM;
		while ((hpa = frame_alloc(order)) == INVALID_PADDR && order)
			order--;
		if (hpa == INVALID_PADDR)
			return -ENOMEM;
		memset(paddr_to_virt(hpa), 0, PAGE_SIZE << order);
		r->extents[r->nr_extents++] = (struct shm_extent){off, hpa, order};
		off += PAGE_SIZE << order;
	}
	return 0;
}

/* Only before any domain maps it (a failed boot-time allocation). */
static void free_region(struct shm_region *r)
{
	for (unsigned int i = 0; i < r->nr_extents; i++)
		frame_free(r->extents[i].hpa, r->extents[i].order);
	kfree(r->extents);
	r->extents = NULL;
	r->nr_extents = 0;
}

static unsigned int cfg_index(const struct domain_config *cfgs, const struct shm_side *s)
{
	return (unsigned int)(s->cfg - cfgs);
}

unsigned int domain_shm_setup(struct domain_config *cfgs, unsigned int n)
{
	u64 frames = 0;

	for (;;) {
		unsigned int j, a, b;

		n = domain_shm_pair(cfgs, n, regions, ARRAY_SIZE(regions), &nr_regions);
		for (j = 0; j < nr_regions && alloc_region(&regions[j]) == 0; j++)
			;
		if (j == nr_regions)
			break;
		pr_err("shm: region '%s': no memory for its %llu KiB; '%s' and '%s' skipped",
		       regions[j].name, regions[j].size >> 10, regions[j].side[0].cfg->name,
		       regions[j].side[1].cfg->name);
		a = cfg_index(cfgs, &regions[j].side[0]);
		b = cfg_index(cfgs, &regions[j].side[1]);
		for (unsigned int k = 0; k <= j; k++)
			free_region(&regions[k]);
		n = domain_shm_drop(cfgs, n,
				    MAX(a, b)); /* the later one first: the other stays put */
		n = domain_shm_drop(cfgs, n, MIN(a, b));
	}
	for (unsigned int j = 0; j < nr_regions; j++) {
		const struct shm_region *r = &regions[j];
		const struct shm_side *x = &r->side[0], *y = &r->side[1];

		pr_info("shm: region %s: %llu KiB shared by %s (%s at %#llx) and %s (%s at %#llx)",
			r->name, r->size >> 10, x->cfg->name, x->spec->writable ? "rw" : "ro",
			x->spec->gpa, y->cfg->name, y->spec->writable ? "rw" : "ro", y->spec->gpa);
		frames += r->size / PAGE_SIZE;
	}
	if (nr_regions) {
		mm_note_shared(frames);
		mm_report(); /* the regions' frames shown once, in no domain's pages */
	}
	return n;
}

/* @d's side of @r (built from its boot configuration), or NULL. */
static struct shm_side *side_of(struct shm_region *r, const void *cfg)
{
	if (!cfg)
		return NULL;
	return r->side[0].cfg == cfg ? &r->side[0] : r->side[1].cfg == cfg ? &r->side[1] : NULL;
}

static struct shm_side *other_side(struct shm_region *r, const struct shm_side *s)
{
	return s == &r->side[0] ? &r->side[1] : &r->side[0];
}

static int map_region(struct domain *d, const struct shm_region *r, const struct shm_side *s)
{
	/* Counted for the EPT tables they need (arch), never as the domain's own pages. */
	d->mem.shared_pages += r->size / PAGE_SIZE;
	for (unsigned int i = 0; i < r->nr_extents; i++) {
		const struct shm_extent *e = &r->extents[i];
		int rc = arch_map_gpa(d, s->spec->gpa + e->offset, e->hpa, PAGE_SIZE << e->order,
				      s->spec->writable);

		if (rc)
			return rc;
	}
	return domain_memmap_reserve(d, s->spec->gpa, r->size);
}

/* @d's doorbell for @r: connected to the peer's waiting port if the peer runs, else waiting. */
static int make_doorbell(struct domain *d, struct shm_region *r, struct shm_side *s)
{
	struct shm_side *o = other_side(r, s);
	struct domain *peer = o->domid != DOMID_INVALID ? domain_get(o->domid) : NULL;
	bool ours = peer && peer->life.build_cfg == o->cfg;
	u32 port = 0;
	int rc = -ENOENT;

	if (ours)
		rc = evtchn_connect_doorbell(d, peer, o->port, &port);
	if (rc == -ENOENT) {
		if (ours)
			pr_warn(
			    "shm: region '%s': the doorbell of '%s' (port %u) was closed by its "
			    "guest: the one of '%s' stays unconnected",
			    r->name, o->cfg->name, o->port, s->cfg->name);
		rc = evtchn_alloc_doorbell(d, &port);
		ours = false;
	}
	if (peer)
		domain_put(peer);
	if (rc)
		return rc;
	s->domid = d->id;
	s->port = port;
	if (ours)
		pr_info("shm: region %s: doorbell d%u port %u <-> d%u port %u", r->name, d->id,
			port, o->domid, o->port);
	else
		pr_info("shm: region %s: doorbell d%u port %u waits for '%s'", r->name, d->id, port,
			o->cfg->name);
	return 0;
}

int domain_shm_attach(struct domain *d, const struct domain_config *c)
{
	for (unsigned int j = 0; j < nr_regions; j++) {
		struct shm_region *r = &regions[j];
		struct shm_side *s = side_of(r, c);
		int rc;

		if (!s || s->cfg != d->life.build_cfg)
			continue;
		rc = map_region(d, r, s);
		rc = rc ?: make_doorbell(d, r, s);
		if (rc) {
			pr_err("shm: region '%s': cannot give it to d%u '%s' (%d)", r->name, d->id,
			       d->name, rc);
			return rc;
		}
	}
	return 0;
}

/* The end of the word `--` in @s (a word of its own), or NULL. */
static const char *find_dashes(const char *s)
{
	for (const char *p = s; (p = strchr(p, '-')) != NULL; p++) {
		bool starts = p == s || p[-1] == ' ' || p[-1] == '\t';
		bool ends = p[1] == '-' && (p[2] == '\0' || p[2] == ' ' || p[2] == '\t');

		if (starts && ends)
			return p;
	}
	return NULL;
}

int domain_shm_cmdline(const struct domain *d, const char *base, char *out, size_t len)
{
	const char *dashes = find_dashes(base);
	size_t head = dashes ? (size_t)(dashes - base) : strlen(base), n;
	bool any = false;

	for (unsigned int j = 0; j < nr_regions; j++) {
		const struct shm_side *s = side_of(&regions[j], d->life.build_cfg);

		any |= s && s->domid == d->id;
	}
	if (!any) /* unchanged, to the byte */
		return strlcpy(out, base, len) < len ? 0 : -ENOSPC;

	while (head && (base[head - 1] == ' ' || base[head - 1] == '\t'))
		head--;
	n = (size_t)snprintf(out, len, "%.*s", (int)head, base);
	for (unsigned int j = 0; j < nr_regions && n < len; j++) {
		struct shm_region *r = &regions[j];
		const struct shm_side *s = side_of(r, d->life.build_cfg);

		if (!s || s->domid != d->id)
			continue;
		n += (size_t)snprintf(out + n, len - n, "%skeel.shm.%s=%#llx,%#llx,%s,%u",
				      n ? " " : "", r->name, s->spec->gpa, r->size,
				      s->spec->writable ? "rw" : "ro", s->port);
	}
	if (dashes && n < len)
		n += (size_t)snprintf(out + n, len - n, "%s%s", n ? " " : "", dashes);
	return n < len ? 0 : -ENOSPC;
}

void domain_shm_detach(struct domain *d)
{
	for (unsigned int j = 0; j < nr_regions; j++) {
		struct shm_region *r = &regions[j];
		struct shm_side *s = side_of(r, d->life.build_cfg), *o;
		struct domain *peer;

		if (!s || s->domid != d->id)
			continue;
		o = other_side(r, s);
		peer = o->domid != DOMID_INVALID ? domain_get(o->domid) : NULL;
		if (peer && peer->life.build_cfg == o->cfg)
			evtchn_doorbell_detach(d, peer, o->port);
		if (peer)
			domain_put(peer);
		s->domid = DOMID_INVALID;
		s->port = 0;
	}
}

static bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

bool domain_shm_covers(const struct domain *d, u64 gpa, u64 len)
{
	if (len > ~0ULL - gpa)
		len = ~0ULL - gpa;
	for (unsigned int j = 0; j < nr_regions; j++) {
		const struct shm_side *s = side_of(&regions[j], d->life.build_cfg);

		if (s && ranges_overlap(gpa, len, s->spec->gpa, regions[j].size))
			return true;
	}
	return false;
}

const char *domain_shm_readonly_at(const struct domain *d, u64 gpa)
{
	for (unsigned int j = 0; j < nr_regions; j++) {
		const struct shm_side *s = side_of(&regions[j], d->life.build_cfg);

		if (s && !s->spec->writable &&
		    ranges_overlap(gpa, 1, s->spec->gpa, regions[j].size))
			return regions[j].name;
	}
	return NULL;
}
