/* Domains: the domain list, creation, pausing and destruction (memory: common/mm/domain_mem.c). */
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
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

	while (d && !d->life.dying)
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
	d->life.on_crash = ACTION_DESTROY;
	d->life.on_poweroff = ACTION_DESTROY;
	d->life.on_reboot = ACTION_DESTROY;
	d->abi.shared_info = frame_alloc_zeroed_page();
	if (!d->abi.shared_info)
		goto fail;
	d->abi.shared_info_pa = virt_to_paddr(d->abi.shared_info);
	d->mem.pages++;
	if (evtchn_domain_init(d) || arch_domain_init(d))
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

	domain_console_end(d);
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			vcpu_destroy(d->vcpus[i]);
	if (d->arch.p2m)
		arch_domain_destroy(d);
	domain_mem_release(d);
	if (d->abi.shared_info) {
		memset(d->abi.shared_info, 0, PAGE_SIZE);
		frame_free(d->abi.shared_info_pa, 0);
	}
	if (d->evtchn.ports)
		evtchn_domain_destroy(d);
	d->state = DOMAIN_DEAD;
	kfree(d);
}
