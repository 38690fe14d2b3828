/* Foreign maps: another domain's RAM frames in a privileged domain's physical map, and their lifetime. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/grant_table.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/pvh_info.h>
#include <keel/string.h>

#define FOREIGN_MAX_GFN	     (1ULL << 34)
#define FOREIGN_DEVICE_GFN   (0xF0000000ULL >> 12)  /* the LAPIC / ACPI / MMIO window ... */
#define FOREIGN_FOUR_GIB_GFN (0x100000000ULL >> 12) /* ... up to 4 GiB */

/*
 * Lock order: the mapper's physmap_lock -> the owner's grant lock (grant_pins_lock, the lock
 * its ballooning holds while it checks what is in use) -> the owner's domain_mem.lock -> a
 * mapper's fm->lock (a leaf: readers of another domain's table take only it).
 */

static bool gfn_acceptable(const struct domain *d, u64 gfn)
{
	return gfn != 0 && gfn < FOREIGN_MAX_GFN &&
	       (gfn < FOREIGN_DEVICE_GFN || gfn >= FOREIGN_FOUR_GIB_GFN) &&
	       !pvh_range_is_ram(d->mem.bytes, gfn << PAGE_SHIFT, PAGE_SIZE);
}

/* Room for one more entry: grown outside fm->lock, swapped in under it (physmap_lock held). */
static int reserve_entry(struct domain_foreign *fm)
{
	struct foreign_entry *e, *old;
	unsigned int n;

	if (fm->nr < fm->max)
		return 0;
	if (fm->max >= FOREIGN_MAX_MAPS)
		return -ENOSPC;
	n = fm->max ? fm->max * 2 : 64;
	e = kmalloc(sizeof(*e) * n);
	if (!e)
		return -ENOMEM;
	spin_lock(&fm->lock);
	if (fm->maps)
		memcpy(e, fm->maps, sizeof(*e) * fm->nr);
	old = fm->maps;
	fm->maps = e;
	fm->max = n;
	spin_unlock(&fm->lock);
	kfree(old);
	return 0;
}

static struct foreign_entry *find_entry(struct domain_foreign *fm, u64 gfn)
{
	for (unsigned int i = 0; i < fm->nr; i++)
		if (fm->maps[i].gfn == gfn)
			return &fm->maps[i];
	return NULL;
}

int foreign_map(struct domain *d, u64 gfn, struct domain *owner, u64 owner_gfn)
{
	struct domain_foreign *fm = &d->foreign;
	paddr_t hpa, cur;
	int rc;

	if (owner == d || !gfn_acceptable(d, gfn) || owner_gfn >= FOREIGN_MAX_GFN)
		return -EINVAL;
	if (!domain_get(owner->id)) /* the entry's own reference */
		return -ESRCH;
	spin_lock(&d->abi.physmap_lock);
	if (READ_ONCE(fm->released)) {
		rc = -ESRCH;
		goto out;
	}
	if (!arch_gpa_to_hpa(d, gfn << PAGE_SHIFT, false, &cur)) {
		rc = -EBUSY; /* never over RAM, shared_info, a grant map or another foreign map */
		goto out;
	}
	rc = reserve_entry(fm);
	if (rc)
		goto out;
	grant_pins_lock(owner); /* the owner cannot balloon the frame out under us */
	rc = domain_ram_lookup(owner, owner_gfn << PAGE_SHIFT, true, &hpa);
	if (!rc)
		rc = arch_map_gpa(d, gfn << PAGE_SHIFT, hpa, PAGE_SIZE, true);
	if (!rc) {
		spin_lock(&fm->lock);
		fm->maps[fm->nr++] = (struct foreign_entry){gfn, hpa, owner, false};
		spin_unlock(&fm->lock);
		__atomic_add_fetch(&owner->foreign.pinned, 1, __ATOMIC_SEQ_CST);
	}
	grant_pins_unlock(owner);
out:
	spin_unlock(&d->abi.physmap_lock);
	if (rc)
		domain_put(owner);
	return rc;
}

/* Drop what entry @i held (the owner's pin and reference); fm->lock is not held. */
static void drop_entry(struct domain_foreign *fm, unsigned int i)
{
	struct domain *owner = fm->maps[i].owner;

	spin_lock(&fm->lock);
	fm->maps[i] = fm->maps[--fm->nr];
	spin_unlock(&fm->lock);
	__atomic_sub_fetch(&owner->foreign.pinned, 1, __ATOMIC_SEQ_CST);
	domain_put(owner); /* the last one lets a destroyed owner be freed */
}

/* The table goes once empty, so a domain that mapped and unmapped holds no memory for it. */
static void free_if_empty(struct domain_foreign *fm)
{
	struct foreign_entry *old = NULL;

	spin_lock(&fm->lock);
	if (!fm->nr) {
		old = fm->maps;
		fm->maps = NULL;
		fm->max = 0;
	}
	spin_unlock(&fm->lock);
	kfree(old);
}

int foreign_unmap(struct domain *d, u64 gfn)
{
	struct domain_foreign *fm = &d->foreign;
	struct foreign_entry *e;
	int rc = 0;

	spin_lock(&d->abi.physmap_lock);
	e = find_entry(fm, gfn);
	if (!e || e->unflushed) {
		spin_unlock(&d->abi.physmap_lock);
		return -ENOENT;
	}
	/* Out of every CPU's translations before the owner's frame is let go. */
	rc = arch_unmap_gpa(d, gfn << PAGE_SHIFT, PAGE_SIZE);
	BUG_ON(rc && rc != -ETIMEDOUT); /* a 4 KiB leaf: unmapping it needs no table */
	if (rc)
		e->unflushed = true; /* held (pinned) until foreign_release_maps() */
	else
		drop_entry(fm, (unsigned int)(e - fm->maps));
	free_if_empty(fm);
	spin_unlock(&d->abi.physmap_lock);
	return 0;
}

void foreign_release_maps(struct domain *d)
{
	struct domain_foreign *fm = &d->foreign;

	spin_lock(&d->abi.physmap_lock);
	WRITE_ONCE(fm->released, true);
	while (fm->nr) {
		struct foreign_entry *e = &fm->maps[fm->nr - 1];

		/* No vCPU of @d runs: its CPUs flush before any vCPU of it would enter again. */
		if (!e->unflushed)
			(void)arch_unmap_gpa(d, e->gfn << PAGE_SHIFT, PAGE_SIZE);
		drop_entry(fm, fm->nr - 1);
	}
	free_if_empty(fm);
	spin_unlock(&d->abi.physmap_lock);
}

bool foreign_maps_released(const struct domain *d)
{
	return READ_ONCE(d->foreign.released);
}

struct pin_search {
	struct domain *owner;
	paddr_t hpa;
	u64 size;
	bool found;
};

static void search_mapper(struct domain *m, void *ctx)
{
	struct pin_search *s = ctx;
	struct domain_foreign *fm = &m->foreign;

	spin_lock(&fm->lock);
	for (unsigned int i = 0; !s->found && i < fm->nr; i++) {
		const struct foreign_entry *e = &fm->maps[i];

		s->found = e->owner == s->owner && e->hpa >= s->hpa && e->hpa - s->hpa < s->size;
	}
	spin_unlock(&fm->lock);
}

bool foreign_frame_mapped(struct domain *owner, paddr_t hpa, u64 size)
{
	struct pin_search s = {owner, hpa, size, false};

	if (!__atomic_load_n(&owner->foreign.pinned, __ATOMIC_SEQ_CST))
		return false;
	domain_for_each(search_mapper, &s);
	return s.found;
}
