/* A domain's memory: its RAM as extents of buddy blocks, populated and scrubbed; GPA copies. */
#include <keel/arch_vcpu.h>
#include <keel/boot_mem.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_mem.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/pvh_info.h>
#include <keel/string.h>

/* Append an extent; the array is swapped under m->lock so readers never see a freed one. */
/* Record an extent; @ram: it is guest RAM (counted in the reservation), not a Keel-filled area. */
static int add_extent(struct domain *d, u64 gpa, paddr_t hpa, unsigned int order, bool ram)
{
	struct domain_mem *m = &d->mem;
	struct mem_extent *old = NULL;

	if (m->nr_extents == m->max_extents) {
		unsigned int n = m->max_extents ? m->max_extents * 2 : 64;
		struct mem_extent *e = kmalloc(sizeof(*e) * n);

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
	}
	spin_lock(&m->lock);
	m->extents[m->nr_extents++] = (struct mem_extent){gpa, hpa, order, false};
	spin_unlock(&m->lock);
	m->pages += 1ULL << order;
	if (ram)
		m->ram_pages += 1ULL << order;
	return 0;
}

/* Back [gpa, end) with frames: the largest aligned blocks that fit, so EPT can use large pages. */
static int populate(struct domain *d, u64 gpa, u64 end, bool ram)
{
	while (gpa < end) {
		unsigned int order = FRAME_MAX_ORDER;
		paddr_t hpa;
		int rc;

		while (order &&
		       (!IS_ALIGNED(gpa, PAGE_SIZE << order) || gpa + (PAGE_SIZE << order) > end))
			order--;
		while ((hpa = frame_alloc(order)) == INVALID_PADDR && order)
			order--;
		if (hpa == INVALID_PADDR) {
			pr_err("domain: d%u: out of memory at GPA %#llx", d->id, gpa);
			return -ENOMEM;
		}
		memset(paddr_to_virt(hpa), 0, PAGE_SIZE << order);
		rc = add_extent(d, gpa, hpa, order, ram);
		if (rc) {
			frame_free(hpa, order);
			return rc;
		}
		/* Recorded: from here on it is freed with the domain whatever happens. */
		rc = arch_map_gpa(d, gpa, hpa, PAGE_SIZE << order, true);
		if (rc)
			return rc;
		gpa += PAGE_SIZE << order;
	}
	return 0;
}

int domain_populate_range(struct domain *d, u64 gpa, u64 end)
{
	return populate(d, gpa, end, true);
}

int domain_populate_ram(struct domain *d, u64 bytes)
{
	struct pvh_memmap_entry map[PVH_MEMMAP_MAX];
	int n = pvh_guest_memmap(ALIGN_UP(bytes, PAGE_SIZE), map, PVH_MEMMAP_MAX);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		int rc;

		if (map[i].type != PVH_MEMMAP_RAM)
			continue;
		rc = domain_populate_range(d, map[i].addr, map[i].addr + map[i].size);
		if (rc)
			return rc;
	}
	d->mem.bytes = ALIGN_UP(bytes, PAGE_SIZE);
	d->mem.max_ram_pages = d->mem.bytes / PAGE_SIZE;
	return 0;
}

/* Keep a copy of the domain's memory map (once: a domain's map is set when it is built). */
static int keep_map(struct domain_mem *m, const struct pvh_memmap_entry *map, unsigned int nr_map)
{
	if (!nr_map || nr_map > DOMAIN_MEMMAP_MAX || m->map)
		return -EINVAL;
	m->map = kmalloc(nr_map * sizeof(*map));
	if (!m->map)
		return -ENOMEM;
	memcpy(m->map, map, nr_map * sizeof(*map));
	m->nr_map = nr_map;
	return 0;
}

int domain_populate_map(struct domain *d, const struct pvh_memmap_entry *map, unsigned int nr_map)
{
	struct domain_mem *m = &d->mem;
	u64 bytes = 0;
	int rc = keep_map(m, map, nr_map);

	if (rc)
		return rc;
	for (unsigned int i = 0; i < nr_map; i++) {
		if (map[i].type != PVH_MEMMAP_RAM)
			continue;
		if (!IS_ALIGNED(map[i].addr, PAGE_SIZE) || !IS_ALIGNED(map[i].size, PAGE_SIZE))
			return -EINVAL;
		rc = domain_populate_range(d, map[i].addr, map[i].addr + map[i].size);
		if (rc)
			return rc;
		bytes += map[i].size;
	}
	m->bytes = bytes;
	m->max_ram_pages = bytes / PAGE_SIZE;
	return 0;
}

int domain_populate_identity(struct domain *d, const struct mem_region *ram, unsigned int nr_ram,
			     const struct pvh_memmap_entry *map, unsigned int nr_map)
{
	struct domain_mem *m = &d->mem;
	u64 bytes = 0;
	int rc = keep_map(m, map, nr_map);

	if (rc)
		return rc;
	m->identity = true;
	for (unsigned int i = 0; i < nr_ram; i++) {
		u64 gpa = ram[i].start;

		/* The largest naturally aligned blocks, so EPT can use large pages. */
		while (gpa < ram[i].end) {
			unsigned int order = FRAME_MAX_ORDER;

			while (order && (!IS_ALIGNED(gpa, PAGE_SIZE << order) ||
					 gpa + (PAGE_SIZE << order) > ram[i].end))
				order--;
			memset(paddr_to_virt(gpa), 0, PAGE_SIZE << order);
			rc = add_extent(d, gpa, gpa, order, true);
			if (rc)
				return rc;
			m->extents[m->nr_extents - 1].set_aside = true;
			rc = arch_map_gpa(d, gpa, gpa, PAGE_SIZE << order, true);
			if (rc)
				return rc;
			gpa += PAGE_SIZE << order;
			bytes += PAGE_SIZE << order;
		}
	}
	m->bytes = bytes;
	m->max_ram_pages = bytes / PAGE_SIZE;
	return 0;
}

int domain_memmap(const struct domain *d, struct pvh_memmap_entry *out, unsigned int max)
{
	const struct domain_mem *m = &d->mem;

	if (!m->map)
		return pvh_guest_memmap(m->bytes, out, max);
	if (max < m->nr_map)
		return -ENOSPC;
	memcpy(out, m->map, m->nr_map * sizeof(*out));
	return (int)m->nr_map;
}

int domain_memmap_reserve(struct domain *d, u64 gpa, u64 size)
{
	struct domain_mem *m = &d->mem;
	struct pvh_memmap_entry *map = kmalloc(DOMAIN_MEMMAP_MAX * sizeof(*map));
	int n = map ? domain_memmap(d, map, DOMAIN_MEMMAP_MAX - 1) : -ENOMEM;
	int at = 0;

	if (n < 0 || size == 0 || gpa + size < gpa) {
		kfree(map);
		return n < 0 ? n : -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		if (gpa < map[i].addr + map[i].size && map[i].addr < gpa + size) {
			kfree(map);
			return -EINVAL;
		}
		if (map[i].addr < gpa)
			at = i + 1;
	}
	memmove(&map[at + 1], &map[at], (size_t)(n - at) * sizeof(*map));
	map[at] = (struct pvh_memmap_entry){gpa, size, PVH_MEMMAP_RESERVED, 0};
	kfree(m->map);
	m->map =
	    map; /* readers are this domain's builder and its own hypercalls, not yet running */
	m->nr_map = (unsigned int)n + 1;
	return 0;
}

bool domain_range_is_ram(const struct domain *d, u64 gpa, u64 len)
{
	const struct domain_mem *m = &d->mem;

	return m->map ? pvh_map_range_is_ram(m->map, m->nr_map, gpa, len)
		      : pvh_range_is_ram(m->bytes, gpa, len);
}

int domain_ram_lookup(struct domain *d, u64 gpa, bool write, paddr_t *hpa)
{
	struct domain_mem *m = &d->mem;
	paddr_t want = INVALID_PADDR, got;

	spin_lock(&m->lock);
	for (unsigned int i = 0; i < m->nr_extents; i++) {
		const struct mem_extent *e = &m->extents[i];

		if (e->gpa != MEM_EXTENT_QUARANTINED && gpa >= e->gpa &&
		    gpa - e->gpa < (PAGE_SIZE << e->order)) {
			want = e->hpa + ALIGN_DOWN(gpa - e->gpa, PAGE_SIZE);
			break;
		}
	}
	/* Under the lock: a release changes the map before it frees the frame (and holds it). */
	if (want == INVALID_PADDR || arch_gpa_to_hpa(d, ALIGN_DOWN(gpa, PAGE_SIZE), write, &got) ||
	    got != want) {
		spin_unlock(&m->lock);
		return -EFAULT;
	}
	spin_unlock(&m->lock);
	*hpa = want;
	return 0;
}

int domain_populate_extra(struct domain *d, u64 gpa, u64 bytes)
{
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !IS_ALIGNED(bytes, PAGE_SIZE) || gpa + bytes < gpa)
		return -EINVAL;
	return populate(d, gpa, gpa + bytes, false); /* not RAM: outside the reservation */
}

void domain_mem_release(struct domain *d)
{
	struct domain_mem *m = &d->mem;

	/* Scrub before returning memory: the next owner must never see this domain's data. */
	for (unsigned int i = 0; i < m->nr_extents; i++) {
		const struct mem_extent *e = &m->extents[i];

		memset(paddr_to_virt(e->hpa), 0, PAGE_SIZE << e->order);
		/* 1:1 RAM (dom0's) never was Keel's pool: it stays set aside for dom0. */
		if (!e->set_aside)
			frame_free(e->hpa, e->order);
	}
	kfree(m->extents);
	kfree(m->map);
	m->map = NULL;
	m->identity = false;
	m->nr_map = 0;
	m->extents = NULL;
	m->nr_extents = m->max_extents = 0;
}

/*
 * Copy page by page through the domain's physical map (arch_gpa_to_hpa: its EPT), the one
 * translation every guest-physical access of Keel takes: @buf set reads into it, @src set
 * writes from it, neither zeroes.
 */
static int gpa_access(struct domain *d, u64 gpa, void *buf, const void *src, size_t len)
{
	while (len) {
		size_t n = MIN(len, (size_t)(PAGE_SIZE - (gpa & (PAGE_SIZE - 1))));
		paddr_t hpa;
		u8 *p;

		if (arch_gpa_to_hpa(d, gpa, !buf, &hpa))
			return -EFAULT;
		p = paddr_to_virt(hpa);
		if (buf)
			memcpy(buf, p, n);
		else if (src)
			memcpy(p, src, n);
		else
			memset(p, 0, n);
		gpa += n;
		len -= n;
		if (buf)
			buf = (u8 *)buf + n;
		if (src)
			src = (const u8 *)src + n;
	}
	return 0;
}

int domain_copy_to_gpa(struct domain *d, u64 gpa, const void *src, size_t len)
{
	return gpa_access(d, gpa, NULL, src, len);
}

int domain_copy_from_gpa(struct domain *d, void *dst, u64 gpa, size_t len)
{
	return gpa_access(d, gpa, dst, NULL, len);
}

int domain_zero_gpa(struct domain *d, u64 gpa, size_t len)
{
	return gpa_access(d, gpa, NULL, NULL, len);
}

bool domain_mem_holds(const struct domain_mem *m, paddr_t hpa, u64 size)
{
	for (unsigned int i = 0; i < m->nr_held; i++)
		if (m->held[i] >= hpa && m->held[i] - hpa < size)
			return true;
	return false;
}

int domain_own_page(struct domain *d, u64 gfn, void **va)
{
	struct domain_mem *m = &d->mem;
	paddr_t hpa;
	int rc = 0;

	if (gfn >= (1ULL << 40) || domain_ram_lookup(d, gfn << PAGE_SHIFT, true, &hpa))
		return -EINVAL;
	spin_lock(&m->lock);
	if (!domain_mem_holds(m, hpa, PAGE_SIZE)) {
		if (m->nr_held < DOMAIN_MEM_MAX_HELD)
			m->held[m->nr_held++] = hpa;
		else
			rc = -ENOSPC;
	}
	spin_unlock(&m->lock);
	if (!rc)
		*va = paddr_to_virt(hpa);
	return rc;
}
