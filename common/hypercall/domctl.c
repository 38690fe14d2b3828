/* domctl (36): the privileged domain creates, starts, stops, sizes and inspects other domains. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/guest_acpi.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/pvh_info.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/domctl.h>
#include <public/hvm.h>
#include <public/hypercall.h>

#include "handlers.h"

#define DOMCTL_MAX_PAGES (1ULL << 22) /* 16 GiB per domain */

/* The layout public/domctl.h promises the toolstack is the one Keel gives its domains. */
BUILD_BUG_ON(KEEL_DOMCTL_ACPI_GPA != GUEST_ACPI_GPA || KEEL_DOMCTL_ACPI_SIZE != GUEST_ACPI_SIZE);
BUILD_BUG_ON(KEEL_DOMCTL_LOWMEM_TOP != PVH_LOWMEM_TOP);
BUILD_BUG_ON(KEEL_DOMCTL_HIGHMEM_BASE != PVH_HIGHMEM_BASE);

void mgmt_log_failure_once(struct vcpu *v, unsigned int call, unsigned int op, long rc)
{
	struct domain *d = v->domain;
	unsigned int row = call == HYPERCALL_domctl ? 0 : call == HYPERCALL_sysctl ? 1 : 2;
	u32 bit = 1u << (op < 31 ? op : 31);

	if (__atomic_fetch_or(&d->ctl.failure_logged[row], bit, __ATOMIC_RELAXED) & bit)
		return;
	pr_info("mgmt: d%u vCPU %u: hypercall %u op %u failed: %ld (logged once per domain and op)",
		d->id, v->id, call, op, rc);
}

static bool all_zero(const void *p, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static long create(struct keel_domctl *c)
{
	struct keel_domctl_create *a = &c->u.create;
	struct domain *d;

	if (strnlen(a->name, sizeof(a->name)) == sizeof(a->name) || !a->name[0] ||
	    (a->flags & ~KEEL_CREATE_FLAGS_VALID) || a->nr_vcpus == 0 ||
	    a->nr_vcpus > DOMAIN_MAX_VCPUS || a->max_pages > DOMCTL_MAX_PAGES ||
	    !all_zero(&c->u.raw[sizeof(*a)], sizeof(c->u.raw) - sizeof(*a)))
		return -EINVAL;
	d = domain_create(DOMID_AUTO, a->name, a->nr_vcpus, false);
	if (!d)
		return -ENOMEM;
	if (!(a->flags & KEEL_CREATE_DESTROY_ON_END))
		d->life.on_crash = d->life.on_poweroff = d->life.on_reboot = ACTION_PRESERVE;
	d->mem.max_ram_pages = a->max_pages;
	c->domain = d->id;
	return 0;
}

static void fill_info(struct domain *d, struct keel_domain_info *i)
{
	u64 t = 0;

	memset(i, 0, sizeof(*i));
	i->domid = d->id;
	memcpy(i->name, d->name, sizeof(i->name));
	i->name[sizeof(i->name) - 1] = 0;
	i->pages = READ_ONCE(d->mem.ram_pages);
	i->max_pages = READ_ONCE(d->mem.max_ram_pages);
	i->nr_vcpus = READ_ONCE(d->nr_vcpus);
	for (unsigned int n = 0; n < i->nr_vcpus; n++)
		t += READ_ONCE(d->vcpus[n]->sched.runtime_ns);
	i->cpu_time_ns = t;
	switch (READ_ONCE(d->state)) {
	case DOMAIN_RUNNING:
		i->flags |= READ_ONCE(d->ctl.paused) ? KEEL_DOMINFO_PAUSED : KEEL_DOMINFO_RUNNING;
		break;
	case DOMAIN_CREATED:
	case DOMAIN_PAUSED:
		i->flags |= KEEL_DOMINFO_PAUSED;
		break;
	case DOMAIN_SHUTDOWN:
		i->flags |= KEEL_DOMINFO_SHUTDOWN;
		break;
	case DOMAIN_CRASHED:
		i->flags |= KEEL_DOMINFO_CRASHED;
		break;
	default:
		break;
	}
	if (i->flags & (KEEL_DOMINFO_SHUTDOWN | KEEL_DOMINFO_CRASHED))
		i->shutdown_reason = d->life.shutdown_reason;
	if (READ_ONCE(d->life.dying))
		i->flags |= KEEL_DOMINFO_DYING;
	if (d->privileged)
		i->flags |= KEEL_DOMINFO_PRIVILEGED;
}

void domctl_fill_info(struct domain *d, struct keel_domain_info *i)
{
	fill_info(d, i);
}

static bool ended(const struct domain *d)
{
	enum domain_state s = READ_ONCE(d->state);

	return s == DOMAIN_SHUTDOWN || s == DOMAIN_CRASHED || s == DOMAIN_DEAD;
}

/* Started by a domctl unpause, or at boot (common/domain_build.c unpaused it itself). */
static bool started(const struct domain *d)
{
	return READ_ONCE(d->ctl.started) || READ_ONCE(d->state) != DOMAIN_CREATED;
}

static long pause_unpause(struct domain *d, bool pause)
{
	if (ended(d))
		return -EINVAL;
	if (pause) {
		if (!started(d))
			return 0; /* never started: it is paused */
		if (!__atomic_exchange_n(&d->ctl.paused, 1, __ATOMIC_SEQ_CST))
			domain_pause(d);
		return 0;
	}
	if (!started(d)) {
		if (READ_ONCE(d->vcpus[0]->start_state) == VCPU_DOWN)
			return -EINVAL; /* no context for vCPU 0 yet */
		if (__atomic_exchange_n(&d->ctl.started, 1, __ATOMIC_SEQ_CST))
			return 0;
		d->life.started_ns = now_ns();
		domain_unpause(d);
		return 0;
	}
	if (__atomic_exchange_n(&d->ctl.paused, 0, __ATOMIC_SEQ_CST))
		domain_unpause(d);
	return 0;
}

/* Under the domain's physmap_lock: populating it (memory_op) checks these under it too. */
static long max_mem(struct domain *d, const struct keel_domctl_max_mem *a)
{
	bool first = false;
	long rc = 0;

	if (a->max_pages > DOMCTL_MAX_PAGES)
		return -EINVAL;
	spin_lock(&d->abi.physmap_lock);
	if (a->max_pages < d->mem.ram_pages) {
		rc = -EINVAL;
	} else if (!d->mem.bytes) { /* the first size: the memory map the guest will see */
		struct pvh_memmap_entry map[PVH_MEMMAP_MAX];

		if (pvh_guest_memmap(a->max_pages * PAGE_SIZE, map, PVH_MEMMAP_MAX) < 0)
			rc = -EINVAL;
		else
			d->mem.bytes = a->max_pages * PAGE_SIZE;
		first = !rc;
	}
	if (!rc)
		WRITE_ONCE(d->mem.max_ram_pages, a->max_pages);
	spin_unlock(&d->abi.physmap_lock);
	/* With its memory map, its ACPI tables (as a boot-time domain has them): MADT for its
	 * vCPUs, the FADT's sleep and reset registers. Outside the lock: this allocates. */
	if (first)
		rc = domain_load_acpi(d);
	return rc;
}

static long vcpu_context(struct domain *d, const struct keel_domctl_vcpu_context *a)
{
	if (a->vcpu >= d->nr_vcpus || a->flags || !a->entry || started(d) ||
	    !pvh_range_is_ram(d->mem.bytes, a->entry, 1))
		return -EINVAL;
	if (a->vcpu == 0)
		return vcpu_start_pvh(d->vcpus[0], a->entry, a->ebx);
	return vcpu_initialise_pvh(d->vcpus[a->vcpu], a->entry, a->ebx);
}

static long sched_cmd(struct domain *d, struct keel_domctl *c)
{
	struct keel_domctl_sched *s = &c->u.sched;
	long rc = 0;

	if (c->cmd == KEEL_DOMCTL_get_sched) {
		s->weight = d->vcpus[0]->sched.weight;
		s->cap = d->vcpus[0]->sched.cap;
		return 0;
	}
	if (s->weight == 0 || s->weight > SCHED_MAX_WEIGHT || s->cap > 100 * arch_nr_cpus())
		return -EINVAL;
	for (unsigned int i = 0; !rc && i < d->nr_vcpus; i++)
		rc = sched_set_params(&d->vcpus[i]->sched, s->weight, s->cap);
	return rc;
}

static long affinity(struct domain *d, struct keel_domctl *c)
{
	struct keel_domctl_affinity *a = &c->u.affinity;
	u64 online = arch_nr_cpus() >= 64 ? ~0ULL : (1ULL << arch_nr_cpus()) - 1;
	int kick;

	if (a->vcpu >= d->nr_vcpus || a->pad)
		return -EINVAL;
	if (c->cmd == KEEL_DOMCTL_get_affinity) {
		a->cpumap = d->vcpus[a->vcpu]->sched.affinity;
		return 0;
	}
	if (!(a->cpumap & online) || (a->cpumap & ~online))
		return -EINVAL;
	/* The scheduler answers with a CPU to kick (or -1), not a result for the caller. */
	kick = sched_set_affinity(&d->vcpus[a->vcpu]->sched, a->cpumap, now_ns());
	if (kick == -EINVAL)
		return kick;
	if (kick >= 0) /* it runs or is queued on a CPU it may no longer use */
		softirq_raise_on((unsigned int)kick, SOFTIRQ_SCHEDULE);
	return 0;
}

static long hvm_param(struct domain *d, struct keel_domctl *c)
{
	struct keel_domctl_hvm_param *p = &c->u.hvm_param;

	if (p->index >= sizeof(d->abi.hvm_params) / sizeof(d->abi.hvm_params[0]) || p->pad)
		return -EINVAL;
	if (c->cmd == KEEL_DOMCTL_get_hvm_param) {
		p->value = d->abi.hvm_params[p->index];
		return 0;
	}
	/* Only what the toolstack announces (its rings); the rest are the guest's own, set with
	 * effects through hvm_op (CALLBACK_IRQ), and a raw value would bypass them. */
	if (p->index != HVM_PARAM_STORE_PFN && p->index != HVM_PARAM_STORE_EVTCHN &&
	    p->index != HVM_PARAM_CONSOLE_PFN && p->index != HVM_PARAM_CONSOLE_EVTCHN)
		return -EINVAL;
	d->abi.hvm_params[p->index] = p->value;
	return 0;
}

static long on_domain(struct vcpu *v, struct keel_domctl *c, struct domain *d)
{
	switch (c->cmd) {
	case KEEL_DOMCTL_destroy:
		if (d == v->domain || d->privileged)
			return -EINVAL;
		domain_kill(d);
		return 0;
	case KEEL_DOMCTL_pause:
	case KEEL_DOMCTL_unpause:
		if (d == v->domain)
			return -EINVAL;
		return pause_unpause(d, c->cmd == KEEL_DOMCTL_pause);
	case KEEL_DOMCTL_max_vcpus: /* fixed at create: only that count */
		return c->u.max_vcpus.nr_vcpus == d->nr_vcpus && !c->u.max_vcpus.pad ? 0 : -EINVAL;
	case KEEL_DOMCTL_max_mem:
		return max_mem(d, &c->u.max_mem);
	case KEEL_DOMCTL_getinfo:
		fill_info(d, &c->u.info);
		return 0;
	case KEEL_DOMCTL_set_vcpu_context:
		return vcpu_context(d, &c->u.vcpu_context);
	case KEEL_DOMCTL_set_hvm_param:
	case KEEL_DOMCTL_get_hvm_param:
		return hvm_param(d, c);
	case KEEL_DOMCTL_get_affinity:
	case KEEL_DOMCTL_set_affinity:
		return affinity(d, c);
	default:
		return sched_cmd(d, c);
	}
}

static long domctl(struct vcpu *v, u64 arg, struct keel_domctl *c)
{
	long rc;

	if (!v->domain->privileged)
		return -EPERM;
	if (copy_from_guest(v, c, arg, sizeof(*c)))
		return -EFAULT;
	if (c->interface_version != KEEL_DOMCTL_VERSION)
		return -EACCES;
	if (c->cmd == 0 || c->cmd >= KEEL_DOMCTL_MAX || c->pad[0] || c->pad[1] || c->pad[2])
		return -EINVAL;
	if (c->cmd == KEEL_DOMCTL_create) {
		rc = create(c);
	} else {
		struct domain *d = domain_get(c->domain == DOMID_SELF ? v->domain->id : c->domain);
		if (!d)
			return -ESRCH;
		rc = on_domain(v, c, d);
		domain_put(d);
	}
	if (!rc && copy_to_guest(v, arg, c, sizeof(*c)))
		rc = -EFAULT; /* a created domain stays: domain info lists it */
	return rc;
}

long do_domctl(struct vcpu *v, const u64 *args)
{
	struct keel_domctl c;
	long rc;

	c.cmd = 0;
	rc = domctl(v, args[0], &c);
	if (rc && rc != -EPERM)
		mgmt_log_failure_once(v, HYPERCALL_domctl, c.cmd < 32 ? c.cmd : 31, rc);
	return rc;
}
