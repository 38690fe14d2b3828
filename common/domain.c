/* Domains: creation, RAM, pausing, shutdown and crash handling, destruction with scrubbing. */
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/pvh_info.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/sched.h>
#include <public/shared_info.h>

static spinlock_t domlist_lock = SPINLOCK_INIT;
static struct domain *domain_list;
static u16 next_domid = DOMID_FIRST_FREE;

struct domain *domain_by_id(u16 id)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	struct domain *d = domain_list;

	while (d && d->id != id)
		d = d->next;
	spin_unlock_irqrestore(&domlist_lock, flags);
	return d;
}

struct domain *domain_find_dying(void)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	struct domain *d = domain_list;

	while (d && !d->dying)
		d = d->next;
	spin_unlock_irqrestore(&domlist_lock, flags);
	return d;
}

unsigned int domains_alive(void)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	unsigned int n = 0;

	for (struct domain *d = domain_list; d; d = d->next)
		n++;
	spin_unlock_irqrestore(&domlist_lock, flags);
	return n;
}

static int domain_add_extent(struct domain *d, u64 gpa, paddr_t hpa, unsigned int order)
{
	if (d->nr_extents == d->max_extents) {
		unsigned int n = d->max_extents ? d->max_extents * 2 : 64;
		struct mem_extent *e = kmalloc(sizeof(*e) * n);

		if (!e)
			return -ENOMEM;
		if (d->extents)
			memcpy(e, d->extents, sizeof(*e) * d->nr_extents);
		kfree(d->extents);
		d->extents = e;
		d->max_extents = n;
	}
	d->extents[d->nr_extents++] = (struct mem_extent){gpa, hpa, order};
	d->pages += 1ULL << order;
	return 0;
}

struct domain *domain_create(u16 id, const char *name, unsigned int nr_vcpus, bool privileged)
{
	struct domain *d;
	unsigned long flags;

	if (!arch_virt_available() || nr_vcpus == 0 || nr_vcpus > DOMAIN_MAX_VCPUS)
		return NULL;
	d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	flags = spin_lock_irqsave(&domlist_lock);
	d->id = id != DOMID_AUTO ? id : next_domid++;
	spin_unlock_irqrestore(&domlist_lock, flags);
	strlcpy(d->name, name, sizeof(d->name));
	d->privileged = privileged;
	d->state = DOMAIN_CREATED;
	d->on_crash = ACTION_DESTROY;
	d->on_poweroff = ACTION_DESTROY;
	d->on_reboot = ACTION_DESTROY;
	d->shared_info = frame_alloc_zeroed_page();
	if (!d->shared_info)
		goto fail;
	d->shared_info_pa = virt_to_paddr(d->shared_info);
	d->pages++;
	if (evtchn_domain_init(d) || arch_domain_init(d))
		goto fail;
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		d->vcpus[i] = vcpu_create(d, i);
		if (!d->vcpus[i])
			goto fail;
		d->nr_vcpus = i + 1;
		if (i < SHARED_INFO_VCPUS)
			d->vcpus[i]->vcpu_info = &d->shared_info->vcpu_info[i];
	}
	flags = spin_lock_irqsave(&domlist_lock);
	d->next = domain_list;
	domain_list = d;
	spin_unlock_irqrestore(&domlist_lock, flags);
	pr_info("domain: created d%u '%s' with %u vCPU%s", d->id, d->name, nr_vcpus,
		nr_vcpus > 1 ? "s" : "");
	return d;
fail:
	pr_err("domain: out of memory creating '%s'", name);
	domain_destroy(d);
	return NULL;
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
	d->mem_bytes = ALIGN_UP(bytes, PAGE_SIZE);
	return 0;
}

/* Find the host frame behind @gpa in @d's RAM (no EPT walk needed: the extents say it). */
static void *gpa_ptr(struct domain *d, u64 gpa, size_t *room)
{
	for (unsigned int i = 0; i < d->nr_extents; i++) {
		const struct mem_extent *e = &d->extents[i];
		u64 size = PAGE_SIZE << e->order;

		if (gpa >= e->gpa && gpa - e->gpa < size) {
			*room = (size_t)(size - (gpa - e->gpa));
			return (u8 *)paddr_to_virt(e->hpa) + (gpa - e->gpa);
		}
	}
	return NULL;
}

static int gpa_access(struct domain *d, u64 gpa, void *buf, const void *src, size_t len)
{
	while (len) {
		size_t room;
		u8 *p = gpa_ptr(d, gpa, &room);
		size_t n;

		if (!p)
			return -EFAULT;
		n = MIN(room, len);
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

void domain_pause(struct domain *d)
{
	__atomic_add_fetch(&d->pause_count, 1, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_pause(d->vcpus[i]);
	if (d->state == DOMAIN_RUNNING)
		d->state = DOMAIN_PAUSED;
}

void domain_unpause(struct domain *d)
{
	if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED || d->state == DOMAIN_DEAD)
		return;
	if (__atomic_sub_fetch(&d->pause_count, 1, __ATOMIC_SEQ_CST) == 0 ||
	    d->state == DOMAIN_CREATED)
		d->state = DOMAIN_RUNNING;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		vcpu_unpause(d->vcpus[i]);
}

void domain_destroy(struct domain *d)
{
	unsigned long flags;
	struct domain **pp;

	flags = spin_lock_irqsave(&domlist_lock);
	for (pp = &domain_list; *pp && *pp != d; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = d->next;
	spin_unlock_irqrestore(&domlist_lock, flags);

	domain_console_end(d);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			vcpu_destroy(d->vcpus[i]);
	if (d->arch.p2m)
		arch_domain_destroy(d);
	/* Scrub before returning memory: the next owner must never see this domain's data. */
	for (unsigned int i = 0; i < d->nr_extents; i++) {
		const struct mem_extent *e = &d->extents[i];

		memset(paddr_to_virt(e->hpa), 0, PAGE_SIZE << e->order);
		frame_free(e->hpa, e->order);
	}
	kfree(d->extents);
	if (d->shared_info) {
		memset(d->shared_info, 0, PAGE_SIZE);
		frame_free(d->shared_info_pa, 0);
	}
	if (d->evtchns)
		evtchn_domain_destroy(d);
	d->state = DOMAIN_DEAD;
	kfree(d);
}
