/* Host-test shim for grant tables: two domains, a fake physical map each, kmalloc from libc. */
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/mm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_grant.h"

struct shim_p2m_entry {
	u64 gfn;
	paddr_t hpa;
	bool writable, used;
};

static struct shim_p2m_entry p2m[SHIM_GRANT_DOMAINS + 1][SHIM_GRANT_P2M];
struct domain *shim_grant_dom[SHIM_GRANT_DOMAINS + 1];
int shim_grant_unmap_rc;

void *kmalloc(size_t size)
{
	return malloc(size);
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

static struct shim_p2m_entry *find(struct domain *d, u64 gfn)
{
	for (unsigned int i = 0; i < SHIM_GRANT_P2M; i++)
		if (p2m[d->id][i].used && p2m[d->id][i].gfn == gfn)
			return &p2m[d->id][i];
	return NULL;
}

int arch_map_gpa(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		struct shim_p2m_entry *e = find(d, (gpa + off) >> 12);

		for (unsigned int i = 0; !e && i < SHIM_GRANT_P2M; i++)
			if (!p2m[d->id][i].used)
				e = &p2m[d->id][i];
		assert_non_null(e);
		*e = (struct shim_p2m_entry){(gpa + off) >> 12, hpa + off, writable, true};
	}
	return 0;
}

int arch_unmap_gpa(struct domain *d, u64 gpa, u64 size)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		struct shim_p2m_entry *e = find(d, (gpa + off) >> 12);

		if (e)
			e->used = false;
	}
	return shim_grant_unmap_rc;
}

int arch_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa)
{
	struct shim_p2m_entry *e = find(d, gpa >> 12);

	if (!e || (write && !e->writable))
		return -EFAULT;
	*hpa = e->hpa + (gpa & (PAGE_SIZE - 1));
	return 0;
}

struct domain *domain_by_id(u16 id)
{
	return id >= 1 && id <= SHIM_GRANT_DOMAINS ? shim_grant_dom[id] : NULL;
}

struct domain *domain_get(u16 id)
{
	struct domain *d = domain_by_id(id);

	if (d)
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
	return d;
}

void domain_put(struct domain *d)
{
	assert_true(__atomic_sub_fetch(&d->refs, 1, __ATOMIC_SEQ_CST) != ~0u);
}

void shim_grant_reset(void)
{
	memset(p2m, 0, sizeof(p2m));
	shim_grant_unmap_rc = 0;
}

extern const paddr_t shim_arena_base;
extern const u64 shim_arena_size;
static u8 *shim_frame_meta;

u64 shim_free_frames(void)
{
	struct frame_stats st;

	frames_get_stats(&st);
	return st.free_frames;
}

u64 shim_grant_domains_up(struct domain *doms)
{
	u64 free_before;

	shim_frame_meta = calloc(1, frames_meta_bytes(shim_arena_base + shim_arena_size));
	frames_init(shim_arena_base + shim_arena_size, shim_frame_meta);
	frames_add_range(shim_arena_base, shim_arena_base + shim_arena_size);
	shim_grant_reset();
	free_before = shim_free_frames();
	for (u16 id = 1; id <= SHIM_GRANT_DOMAINS; id++) {
		struct domain *d = &doms[id];

		memset(d, 0, sizeof(*d));
		d->id = id;
		shim_grant_dom[id] = d;
		assert_int_equal(grant_domain_init(d), 0);
		assert_int_equal(domain_populate_ram(d, 1ULL << 20), 0);
	}
	return free_before;
}

void shim_grant_domains_down(struct domain *doms, u64 free_before)
{
	for (u16 id = 1; id <= SHIM_GRANT_DOMAINS; id++) {
		grant_domain_destroy(&doms[id]);
		domain_mem_release(&doms[id]);
	}
	assert_int_equal(shim_free_frames(), free_before); /* every frame came back */
	frames_init(0, NULL);
	free(shim_frame_meta);
	shim_frame_meta = NULL;
}
