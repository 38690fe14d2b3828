/* Domains: the domain list, creation, pausing and destruction (memory: common/mm/domain_mem.c). */
#include <keel/arch_vcpu.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/domain_shm.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/grant_table.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <keel/wallclock.h>
#include <public/hypercall.h>
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

/* References (event channels, console input, grant maps) keep a domain from being reaped. */
struct domain *domain_get(u16 id)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	struct domain *d = domain_list;

	while (d && d->id != id)
		d = d->next;
	if (d && !READ_ONCE(d->life.dying))
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
	else
		d = NULL;
	spin_unlock_irqrestore(&domlist_lock, flags);
	return d;
}

struct domain *domain_get_next(int after)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	struct domain *best = NULL;

	for (struct domain *d = domain_list; d; d = d->next)
		if ((int)d->id > after && !READ_ONCE(d->life.dying) && (!best || d->id < best->id))
			best = d;
	if (best)
		__atomic_add_fetch(&best->refs, 1, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&domlist_lock, flags);
	return best;
}

void domain_put(struct domain *d)
{
	u32 left = __atomic_sub_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);

	BUG_ON(left == ~0u);
	if (!left && READ_ONCE(d->life.dying))
		softirq_raise_on(0, SOFTIRQ_SCHEDULE); /* CPU 0 may reap it now */
}

/*
 * Off the list, @d gains no reference; domain_find_dying() only offers it with none held, so
 * this wait is a check that no short-lived holder raced in.
 */
static void wait_for_references(struct domain *d)
{
	u64 start = now_ns();

	while (__atomic_load_n(&d->refs, __ATOMIC_SEQ_CST)) {
		BUG_ON(now_ns() - start > 5000000000ULL); /* a reference leaked */
		__asm__ __volatile__("pause");
	}
}
/* A dying domain that can be reaped: not one whose foreign maps are gone but others hold refs. */
struct domain *domain_find_dying(void)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	struct domain *d = domain_list;

	while (d && (!d->life.dying || (grant_maps_released(d) && foreign_maps_released(d) &&
					__atomic_load_n(&d->refs, __ATOMIC_SEQ_CST))))
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

/*
 * The next id from next_domid on that no listed domain has, in [DOMID_FIRST_FREE,
 * DOMID_FIRST_RESERVED) (DOMID_SELF and the other special ids above), wrapping around; DOMID_AUTO
 * when every one is taken. domlist_lock held. The cursor moves past the id handed out, so a
 * creator racing with this one (its domain not listed yet) gets another unless all wrap round.
 */
static u16 next_free_domid(void)
{
	for (unsigned int n = DOMID_FIRST_FREE; n < DOMID_FIRST_RESERVED; n++) {
		u16 id = next_domid;
		struct domain *d = domain_list;

		next_domid = id + 1u < DOMID_FIRST_RESERVED ? (u16)(id + 1) : DOMID_FIRST_FREE;
		while (d && d->id != id)
			d = d->next;
		if (!d)
			return id;
	}
	return DOMID_AUTO;
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
	d->id = id != DOMID_AUTO ? id : next_free_domid();
	spin_unlock_irqrestore(&domlist_lock, flags);
	if (d->id == DOMID_AUTO) {
		pr_err("domain: no free domain id for '%s'", name);
		kfree(d);
		return NULL;
	}
	strlcpy(d->name, name, sizeof(d->name));
	d->privileged = privileged;
	d->state = DOMAIN_CREATED;
	/* Created paused, like its vCPUs: the first domain_unpause() starts it. */
	d->pause_count = 1;
	d->life.on_crash = ACTION_DESTROY;
	d->life.on_poweroff = ACTION_DESTROY;
	d->life.on_reboot = ACTION_DESTROY;
	d->foreign.lock = (spinlock_t)SPINLOCK_INIT;
	d->abi.shared_info = frame_alloc_zeroed_page();
	if (!d->abi.shared_info)
		goto fail;
	d->abi.shared_info_pa = virt_to_paddr(d->abi.shared_info);
	d->mem.pages++;
	wallclock_fill(d->abi.shared_info); /* wc_*: the wall clock at system time 0 */
	if (evtchn_domain_init(d) || arch_domain_init(d) || grant_domain_init(d))
		goto fail;
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		d->vcpus[i] = vcpu_create(d, i);
		if (!d->vcpus[i])
			goto fail;
		d->nr_vcpus = i + 1;
		if (i < SHARED_INFO_VCPUS)
			d->vcpus[i]->vcpu_info = &d->abi.shared_info->vcpu_info[i];
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
	wait_for_references(d); /* evtchn */

	domain_console_end(d);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			vcpu_destroy(d->vcpus[i]);
	grant_release_maps(d); /* before the EPT goes: it unmaps what it mapped of others */
	foreign_release_maps(d);
	if (d->arch.p2m)
		arch_domain_destroy(d);
	console_ring_release(d); /* its EPT is gone, so the guest cannot reach it */
	grant_domain_destroy(d);
	domain_mem_release(d);
	if (d->abi.shared_info) {
		memset(d->abi.shared_info, 0, PAGE_SIZE);
		frame_free(d->abi.shared_info_pa, 0);
	}
	domain_shm_detach(d); /* its peers' doorbells wait for its next build */
	if (d->evtchn.nr_ports)
		evtchn_domain_destroy(d);
	d->state = DOMAIN_DEAD;
	kfree(d);
}
