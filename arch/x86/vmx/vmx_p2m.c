/* Guest-physical memory under VT-x: each domain's EPT, its mappings and their invalidation. */
#include <asm/cpu.h>
#include <asm/ept.h>
#include <asm/percpu.h>
#include <asm/vmx_internal.h>
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/time.h>

/*
 * How long a change waits for the CPUs running the domain to leave guest mode or flush. A CPU
 * that takes longer is not an error: the tables the change retired stay retired (and charged to
 * the domain) until a later flush finds that CPU has moved on.
 */
#define P2M_FLUSH_WAIT_NS (100ULL * 1000 * 1000)

/*
 * EPT tables a domain may hold, live and retired: a fixed allowance (its RAM mapped with large
 * leaves needs a handful) plus one per 8 MiB of its memory, for the large leaves that remapping
 * splits; with 4 KiB leaves only, enough to map all its memory too.
 */
#define P2M_TABLES_FIXED    16
#define P2M_PAGES_PER_TABLE 2048

static u64 next_p2m_serial;

static struct vmx_p2m *dom_p2m(struct domain *d)
{
	return d->arch.p2m;
}

static unsigned int p2m_nr_cpus(void)
{
	return nr_cpus_possible ? nr_cpus_possible : MAX_CPUS;
}

static u64 p2m_table_limit(const struct domain *d, const struct ept *e)
{
	u64 limit = P2M_TABLES_FIXED + d->mem.pages / P2M_PAGES_PER_TABLE;

	if (e->max_leaf_level == EPT_LEVEL_4K)
		limit += d->mem.pages / 512 + d->mem.pages / (512ULL * 512) + 2;
	/*
	 * Shared regions (common/domain_shm.c) are not its pages, and their GPAs may allow 4 KiB
	 * leaves only: a leaf table per 2 MiB, and for each of its 4 regions two part-filled ones at
	 * its ends and up to three above them.
	 */
	if (d->mem.shared_pages)
		limit += d->mem.shared_pages / 512 + 20ULL;
	return limit;
}

int vmx_domain_init(struct domain *d)
{
	struct vmx_p2m *p = kzalloc(sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	rc = ept_init(&p->ept);
	if (rc) {
		kfree(p);
		return rc;
	}
	p->ept.max_leaf_level = vmx_cfg.ept_1g	 ? EPT_LEVEL_1G
				: vmx_cfg.ept_2m ? EPT_LEVEL_2M
						 : EPT_LEVEL_4K;
	p->lock = (spinlock_t)SPINLOCK_INIT;
	p->serial = __atomic_add_fetch(&next_p2m_serial, 1, __ATOMIC_RELAXED);
	p->eptp = ept_eptp(&p->ept);
	d->arch.p2m = p;
	d->arch.eptp = p->eptp;
	return 0;
}

/*
 * Wait, at most until @deadline, until every CPU has reached generation @gen of @p's EPT,
 * kicking the ones in guest mode out of it once. Returns the generation reached.
 */
static u64 p2m_wait_flushed(struct vmx_p2m *p, u64 gen, u64 deadline)
{
	u64 kicked = 0, behind;
	u64 reached = ept_flush_reached(&p->ept, gen, p2m_nr_cpus(), &behind);

	while (reached < gen) {
		for (unsigned int c = 0; c < MAX_CPUS; c++)
			if ((behind & ~kicked) & (1ULL << c))
				arch_kick_cpu(c);
		kicked |= behind;
		if (now_ns() >= deadline)
			break;
		cpu_relax();
		reached = ept_flush_reached(&p->ept, gen, p2m_nr_cpus(), &behind);
	}
	return reached;
}

/*
 * After a change, with p->lock held: make every CPU drop what it cached of the old tables (the
 * ones in guest mode flush before their next VM entry; the others will before they enter), then
 * free the retired tables of every generation all CPUs have reached. False if some CPU did not
 * get there in time (its tables stay retired).
 */
static bool p2m_flush(struct vmx_p2m *p)
{
	u64 gen, reached;

	if (!p->ept.flush_pending && !p->ept.retired_pages)
		return true;
	gen = ept_flush_begin(&p->ept);
	reached = p2m_wait_flushed(p, gen, now_ns() + P2M_FLUSH_WAIT_NS);
	ept_flush_done(&p->ept, reached);
	return reached == gen;
}

/* Outside every lock: say once per domain that a CPU was slow or Keel ran out of frames. */
static void p2m_report(struct domain *d, struct vmx_p2m *p, bool flushed, u64 alloc_failures)
{
	if (!flushed && !__atomic_exchange_n(&p->slow_flush_reported, true, __ATOMIC_RELAXED))
		pr_warn("p2m: d%u: a CPU did not flush its EPT translations within %llu ms; "
			"retired tables wait for a later flush",
			d->id, P2M_FLUSH_WAIT_NS / 1000000);
	if (alloc_failures && !__atomic_exchange_n(&p->oom_reported, true, __ATOMIC_RELAXED))
		pr_warn("p2m: d%u: Keel is out of memory for EPT tables", d->id);
}

void vmx_domain_destroy(struct domain *d)
{
	struct vmx_p2m *p = dom_p2m(d);
	u64 deadline = now_ns() + P2M_FLUSH_WAIT_NS;

	if (!p)
		return;
	/*
	 * No vCPU of @d runs any more. Every CPU that ran it may still cache translations tagged
	 * with this EPTP: they do an all-context INVEPT before their next VM entry, so the root
	 * frame, reused as another domain's root, never meets them.
	 */
	vmx_tlb_retire_tags();
	while (ept_cpus_in_guest(&p->ept, p2m_nr_cpus()) && now_ns() < deadline)
		cpu_relax();
	if (ept_cpus_in_guest(&p->ept, p2m_nr_cpus())) {
		pr_err("p2m: d%u: a CPU is still in its guest mode; its EPT tables are not freed",
		       d->id);
		d->arch.p2m = NULL;
		return;
	}
	ept_destroy(&p->ept);
	kfree(p);
	d->arch.p2m = NULL;
}

static int p2m_change(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool map, bool writable,
		      bool mmio)
{
	struct vmx_p2m *p = dom_p2m(d);
	u64 failures;
	bool flushed;
	int rc;

	spin_lock(&p->lock);
	failures = p->ept.alloc_failures;
	p->ept.table_limit = p2m_table_limit(d, &p->ept);
	if (map && mmio)
		rc = ept_map(&p->ept, gpa, hpa, size, EPT_R | EPT_W, EPT_MT_UC, EPT_LEVEL_1G);
	else if (map)
		rc = ept_map(&p->ept, gpa, hpa, size, writable ? EPT_RWX : (EPT_R | EPT_X),
			     EPT_MT_WB, EPT_LEVEL_1G);
	else
		rc = ept_unmap(&p->ept, gpa, size);
	flushed = p2m_flush(p);
	failures = p->ept.alloc_failures - failures;
	spin_unlock(&p->lock);
	p2m_report(d, p, flushed, failures);
	/* An unmap some CPU may still see: the caller must not free or reuse the frames yet. */
	if (!rc && !map && !flushed)
		rc = -ETIMEDOUT;
	return rc;
}

int vmx_map_ram(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable)
{
	return p2m_change(d, gpa, hpa, size, true, writable, false);
}

int vmx_map_mmio(struct domain *d, u64 gpa, paddr_t hpa, u64 size)
{
	return p2m_change(d, gpa, hpa, size, true, true, true);
}

int vmx_unmap(struct domain *d, u64 gpa, u64 size)
{
	return p2m_change(d, gpa, 0, size, false, false, false);
}

int vmx_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa)
{
	unsigned int perms;

	if (ept_lookup(&dom_p2m(d)->ept, gpa, hpa, &perms, NULL))
		return -EFAULT;
	/* RAM is always executable, device memory never: Keel's own accesses reach RAM only. */
	if (!(perms & EPT_R) || !(perms & EPT_X) || (write && !(perms & EPT_W)))
		return -EFAULT;
	return 0;
}
