/* memory_op: placing the shared_info page in the guest's physical map, and its memory map. */
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/printk.h>
#include <keel/pvclock.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/memory.h>

#include "handlers.h"

/* Guest frames above this are refused (a 46-bit guest-physical space is plenty). */
#define MAX_GUEST_GPFN (1ULL << 34)

/*
 * Two vCPUs may move the page at once: physmap_lock makes each move (map the new place, unmap
 * the old, record it) one step, so exactly one mapping exists and shared_info_gfn names it.
 */
static int map_shared_info(struct domain *d, u64 gpfn)
{
	int rc = 0;

	if (gpfn == 0 || gpfn >= MAX_GUEST_GPFN)
		return -EINVAL;
	spin_lock(&d->abi.physmap_lock);
	if (d->abi.shared_info_gfn != gpfn) {
		/* It covers whatever RAM page was there; that page stays the domain's until it ends. */
		rc = arch_map_gpa(d, gpfn << 12, d->abi.shared_info_pa, 4096, true);
		/*
		 * Mapped first: a failure (e.g. the domain's EPT table limit) leaves the old place.
		 * Unmapping a 4 KiB leaf needs no table, so it cannot fail.
		 */
		if (!rc && d->abi.shared_info_gfn)
			arch_unmap_gpa(d, d->abi.shared_info_gfn << 12, 4096);
		if (!rc)
			d->abi.shared_info_gfn = gpfn;
	}
	spin_unlock(&d->abi.physmap_lock);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		pvclock_update(d->vcpus[i]);
	return 0;
}

static long add_to_physmap(struct vcpu *v, u64 arg)
{
	struct add_to_physmap a;

	if (copy_from_guest(v, &a, arg, sizeof(a)))
		return -EFAULT;
	if (a.domid != DOMID_SELF && a.domid != v->domain->id)
		return -EPERM; /* foreign mappings are dom0's business, later */
	switch (a.space) {
	case XENMAPSPACE_shared_info:
		return a.idx == 0 ? map_shared_info(v->domain, a.gpfn) : -EINVAL;
	default:
		return -ENOSYS; /* grant tables and the rest come with the split drivers */
	}
}

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

static long memory_map(struct vcpu *v, u64 arg)
{
	struct memory_map m;
	struct e820_entry e = {0, v->domain->mem.bytes, 1};

	if (copy_from_guest(v, &m, arg, sizeof(m)))
		return -EFAULT;
	if (m.nr_entries < 1)
		return -EINVAL;
	if (copy_to_guest(v, m.buffer, &e, sizeof(e)))
		return -EFAULT;
	m.nr_entries = 1;
	return copy_to_guest(v, arg, &m, sizeof(m)) ? -EFAULT : 0;
}

long do_memory_op(struct vcpu *v, const u64 *args)
{
	switch (args[0]) {
	case XENMEM_add_to_physmap:
		return add_to_physmap(v, args[1]);
	case XENMEM_memory_map:
		return memory_map(v, args[1]);
	default:
		return -ENOSYS;
	}
}
