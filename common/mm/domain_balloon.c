/* Ballooning a domain's RAM: frames given back (unmapped, flushed, scrubbed) and populated again. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_mem.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/pvh_info.h>
#include <keel/string.h>

static u64 extent_size(const struct mem_extent *e)
{
	return PAGE_SIZE << e->order;
}

static bool extent_overlaps(const struct mem_extent *e, u64 gpa, u64 size)
{
	return e->gpa != MEM_EXTENT_QUARANTINED && e->gpa < gpa + size &&
	       gpa < e->gpa + extent_size(e);
}

/* Room for @extra more extents, grown outside m->lock and swapped under it. */
static int reserve_extents(struct domain_mem *m, unsigned int extra)
{
	struct mem_extent *e, *old;
	unsigned int n = m->max_extents ? m->max_extents : 64;

	if (m->nr_extents + extra <= m->max_extents)
		return 0;
	while (n < m->nr_extents + extra)
		n *= 2;
	e = kmalloc(sizeof(*e) * n);
	if (!e)
		return -ENOMEM;
	spin_lock(&m->lock);
	if (m->extents)
		memcpy(e, m->extents, sizeof(*e) * m->nr_extents);
	old = m->extents;
	m->extents = e;
	m->max_extents = n;
	spin_unlock(&m->lock);
	kfree(old);
	return 0;
}

/* Every page of [gpa, gpa + size) is @d's own RAM, mapped as such, and not in use. */
static int check_releasable(struct domain *d, u64 gpa, u64 size,
			    bool (*in_use)(struct domain *d, paddr_t hpa, u64 size))
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		paddr_t hpa;
		bool held;

		if (domain_ram_lookup(d, gpa + off, false, &hpa))
			return -EFAULT;
		if (in_use && in_use(d, hpa, PAGE_SIZE))
			return -EBUSY;
		spin_lock(&d->mem.lock);
		held = domain_mem_holds(&d->mem, hpa, PAGE_SIZE);
		spin_unlock(&d->mem.lock);
		if (held)
			return -EBUSY; /* Keel writes into it (vcpu_info, runstate, FIFO) */
	}
	return 0;
}

/* Put back the mappings of the extents overlapping the range after a failed unmap. */
static void remap_range(struct domain *d, u64 gpa, u64 size)
{
	struct domain_mem *m = &d->mem;

	for (unsigned int i = 0; i < m->nr_extents; i++) {
		const struct mem_extent *e = &m->extents[i];
		u64 lo, hi;

		if (!extent_overlaps(e, gpa, size))
			continue;
		lo = MAX(gpa, e->gpa);
		hi = MIN(gpa + size, e->gpa + extent_size(e));
		(void)arch_map_gpa(d, lo, e->hpa + (lo - e->gpa), hi - lo, true);
	}
}

static void remove_extent(struct domain_mem *m, unsigned int i)
{
	m->extents[i] = m->extents[--m->nr_extents];
}

int domain_ram_release(struct domain *d, u64 gpa, unsigned int order,
		       bool (*in_use)(struct domain *d, paddr_t hpa, u64 size))
{
	struct domain_mem *m = &d->mem;
	u64 size = PAGE_SIZE << order;
	paddr_t free_hpa = INVALID_PADDR;
	bool quarantine;
	int rc;

	if (order > MEM_GUEST_MAX_ORDER || !IS_ALIGNED(gpa, size) || gpa >= (1ULL << 46))
		return -EINVAL;
	if (m->identity)
		return -EPERM; /* 1:1 RAM (dom0): a frame given back could not come back 1:1 */
	if (!domain_range_is_ram(d, gpa, size))
		return -EFAULT; /* not RAM: its ACPI tables, a special page, a hole */
	rc = check_releasable(d, gpa, size, in_use);
	if (rc)
		return rc;
	/* A container extent splits into at most FRAME_MAX_ORDER pieces. */
	rc = reserve_extents(m, FRAME_MAX_ORDER + 1);
	if (rc)
		return rc;
	rc = arch_unmap_gpa(d, gpa, size);
	if (rc && rc != -ETIMEDOUT) {
		remap_range(d, gpa, size);
		return rc;
	}
	/* Unflushed somewhere: the frames stay the domain's, out of its map, until it ends. */
	quarantine = rc == -ETIMEDOUT;

	spin_lock(&m->lock);
	for (unsigned int i = 0; i < m->nr_extents; i++) {
		struct mem_extent *e = &m->extents[i];
		u64 cur_g;
		paddr_t cur_h;
		unsigned int o;

		if (!extent_overlaps(e, gpa, size))
			continue;
		if (extent_size(e) <= size) {
			/* Wholly inside the range (aligned blocks either nest or are disjoint). */
			if (quarantine) {
				e->gpa = MEM_EXTENT_QUARANTINED;
			} else {
				memset(paddr_to_virt(e->hpa), 0, extent_size(e));
				frame_free(e->hpa, e->order);
				remove_extent(m, i--);
			}
			continue;
		}
		/* The range lies inside @e: keep the halves around it as extents of their own. */
		cur_g = e->gpa;
		cur_h = e->hpa;
		for (o = e->order; o > order;) {
			u64 half = PAGE_SIZE << --o;

			if (gpa < cur_g + half) {
				m->extents[m->nr_extents++] =
				    (struct mem_extent){cur_g + half, cur_h + half, o, false};
			} else {
				m->extents[m->nr_extents++] =
				    (struct mem_extent){cur_g, cur_h, o, false};
				cur_g += half;
				cur_h += half;
			}
		}
		if (quarantine) {
			*e = (struct mem_extent){MEM_EXTENT_QUARANTINED, cur_h, order, false};
		} else {
			free_hpa = cur_h;
			remove_extent(m, i);
		}
		break;
	}
	m->ram_pages -= size / PAGE_SIZE;
	if (!quarantine)
		m->pages -= size / PAGE_SIZE;
	spin_unlock(&m->lock);
	if (free_hpa != INVALID_PADDR) {
		memset(paddr_to_virt(free_hpa), 0, size); /* scrubbed before anyone else gets it */
		frame_free(free_hpa, order);
	}
	return 0;
}

int domain_ram_populate(struct domain *d, u64 gpa, unsigned int order)
{
	struct domain_mem *m = &d->mem;
	u64 size = PAGE_SIZE << order;
	bool overlap = false;

	if (m->identity)
		return -EPERM;
	if (order > MEM_GUEST_MAX_ORDER || !IS_ALIGNED(gpa, size) ||
	    !domain_range_is_ram(d, gpa, size))
		return -EINVAL;
	if (m->ram_pages + size / PAGE_SIZE > m->max_ram_pages)
		return -ENOMEM; /* over its reservation */
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		paddr_t hpa;

		if (!arch_gpa_to_hpa(d, gpa + off, false, &hpa))
			return -EBUSY; /* something is mapped there */
	}
	spin_lock(&m->lock);
	for (unsigned int i = 0; i < m->nr_extents && !overlap; i++)
		overlap = extent_overlaps(&m->extents[i], gpa, size);
	spin_unlock(&m->lock);
	if (overlap)
		return -EBUSY;
	return domain_populate_range(d, gpa, gpa + size);
}
