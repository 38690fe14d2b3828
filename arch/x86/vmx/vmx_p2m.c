/* Guest-physical memory under VT-x: each domain's EPT, its mappings and their invalidation. */
#include <asm/ept.h>
#include <asm/percpu.h>
#include <asm/smp.h>
#include <asm/vmx_internal.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>

static struct ept *dom_ept(struct domain *d)
{
	return d->arch.p2m;
}

int vmx_domain_init(struct domain *d)
{
	struct ept *e = kzalloc(sizeof(*e));
	int rc;

	if (!e)
		return -ENOMEM;
	rc = ept_init(e);
	if (rc) {
		kfree(e);
		return rc;
	}
	e->max_leaf_level = vmx_cfg.ept_1g   ? EPT_LEVEL_1G
			    : vmx_cfg.ept_2m ? EPT_LEVEL_2M
					     : EPT_LEVEL_4K;
	d->arch.p2m = e;
	d->arch.eptp = ept_eptp(e);
	return 0;
}

void vmx_domain_destroy(struct domain *d)
{
	struct ept *e = dom_ept(d);

	if (!e)
		return;
	ept_destroy(e);
	kfree(e);
	d->arch.p2m = NULL;
}

static void invept_here(void *arg)
{
	u64 eptp = *(const u64 *)arg;

	if (vmx_cfg.has_invept_single)
		invept_single(eptp);
	else
		invept_all();
}

/* Drop cached translations of @d's EPT on every CPU, then let the EPT free retired tables. */
static void flush_domain(struct domain *d)
{
	struct ept *e = dom_ept(d);

	if (!e->flush_pending)
		return;
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (cpu_table[c] && cpu_table[c]->online)
			BUG_ON(smp_call_on(c, invept_here, &d->arch.eptp, 1000000000ULL));
	ept_flush_done(e);
}

int vmx_map_ram(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable)
{
	int rc = ept_map(dom_ept(d), gpa, hpa, size, writable ? EPT_RWX : (EPT_R | EPT_X),
			 EPT_MT_WB, EPT_LEVEL_1G);

	flush_domain(d);
	return rc;
}

int vmx_unmap(struct domain *d, u64 gpa, u64 size)
{
	int rc = ept_unmap(dom_ept(d), gpa, size);

	flush_domain(d);
	return rc;
}

int vmx_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa)
{
	unsigned int perms;

	if (ept_lookup(dom_ept(d), gpa, hpa, &perms, NULL))
		return -EFAULT;
	if (!(perms & EPT_R) || (write && !(perms & EPT_W)))
		return -EFAULT;
	return 0;
}
