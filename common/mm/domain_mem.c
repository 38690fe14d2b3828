/* A domain's memory: its RAM as extents of buddy blocks, populated and scrubbed; GPA copies. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_mem.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/pvh_info.h>
#include <keel/string.h>

static int domain_add_extent(struct domain *d, u64 gpa, paddr_t hpa, unsigned int order)
{
	struct domain_mem *m = &d->mem;

	if (m->nr_extents == m->max_extents) {
		unsigned int n = m->max_extents ? m->max_extents * 2 : 64;
		struct mem_extent *e = kmalloc(sizeof(*e) * n);

		if (!e)
			return -ENOMEM;
		if (m->extents)
			memcpy(e, m->extents, sizeof(*e) * m->nr_extents);
		kfree(m->extents);
		m->extents = e;
		m->max_extents = n;
	}
	m->extents[m->nr_extents++] = (struct mem_extent){gpa, hpa, order};
	m->pages += 1ULL << order;
	return 0;
}

/* Back [gpa, end) with frames: the largest aligned blocks that fit, so EPT can use large pages. */
static int populate_range(struct domain *d, u64 gpa, u64 end)
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
		rc = domain_add_extent(d, gpa, hpa, order);
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
		rc = populate_range(d, map[i].addr, map[i].addr + map[i].size);
		if (rc)
			return rc;
	}
	d->mem.bytes = ALIGN_UP(bytes, PAGE_SIZE);
	return 0;
}

void domain_mem_release(struct domain *d)
{
	struct domain_mem *m = &d->mem;

	/* Scrub before returning memory: the next owner must never see this domain's data. */
	for (unsigned int i = 0; i < m->nr_extents; i++) {
		const struct mem_extent *e = &m->extents[i];

		memset(paddr_to_virt(e->hpa), 0, PAGE_SIZE << e->order);
		frame_free(e->hpa, e->order);
	}
	kfree(m->extents);
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
