/* memory_op: the guest's physical map (shared_info, grant frames), its memory map, ballooning. */
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/domain_shm.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/pvclock.h>
#include <keel/pvh_info.h>
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
	if (a.gpfn < MAX_GUEST_GPFN && domain_shm_covers(v->domain, a.gpfn << 12, 4096))
		return -EPERM; /* a shared region keeps its frames there (common/domain_shm.c) */
	switch (a.space) {
	case XENMAPSPACE_shared_info:
		return a.idx == 0 ? map_shared_info(v->domain, a.gpfn) : -EINVAL;
	/* -- grant tables -- */
	case XENMAPSPACE_grant_table:
		return grant_map_table_frame(v->domain, a.idx, a.gpfn);
	/* -- end grant tables -- */
	default:
		return -ENOSYS;
	}
}

/* -- memory map and reservations (ballooning) -- */
struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

/*
 * The start-info memmap, every entry. nr_entries in: room in the buffer (0 is refused: test
 * guests probe mappings with it); out: entries written, the first ones if there is less room.
 */
static long memory_map(struct vcpu *v, u64 arg)
{
	struct pvh_memmap_entry *map;
	struct memory_map m;
	long rc = 0;
	int n;

	if (copy_from_guest(v, &m, arg, sizeof(m)))
		return -EFAULT;
	if (m.nr_entries < 1)
		return -EINVAL;
	map = kmalloc(DOMAIN_MEMMAP_MAX * sizeof(*map));
	if (!map)
		return -ENOMEM;
	n = domain_memmap(v->domain, map, DOMAIN_MEMMAP_MAX);
	if (n < 0) {
		kfree(map);
		return n;
	}
	if (m.nr_entries > (u32)n)
		m.nr_entries = (u32)n;
	for (u32 i = 0; i < m.nr_entries; i++) {
		struct e820_entry e = {map[i].addr, map[i].size, map[i].type};

		if (copy_to_guest(v, m.buffer + i * sizeof(e), &e, sizeof(e))) {
			rc = -EFAULT;
			break;
		}
	}
	kfree(map);
	if (rc)
		return rc;
	return copy_to_guest(v, arg, &m, sizeof(m)) ? -EFAULT : 0;
}

#define RESERVATION_MAX_EXTENTS 512 /* per call: the count done is returned, Linux loops */

enum reservation_op { RES_POPULATE, RES_RELEASE };

static bool balloon_in_use(struct domain *d, paddr_t hpa, u64 size)
{
	return grant_frame_pinned(d, hpa, size) || foreign_frame_mapped(d, hpa, size);
}

/* One extent at GFN @gfn: populate it, or give it back (never a frame another domain maps). */
static int reservation_one(struct domain *d, enum reservation_op op, u64 gfn, unsigned int order)
{
	int rc;

	if (gfn >= (1ULL << 34))
		return -EINVAL;
	if (domain_shm_covers(d, gfn << 12, 4096ULL << order))
		return -EPERM; /* a shared region: never given back, never populated over */
	spin_lock(&d->abi.physmap_lock);
	if (op == RES_POPULATE) {
		rc = domain_ram_populate(d, gfn << 12, order);
	} else {
		grant_pins_lock(d); /* no grant map can pin the frames while they go */
		rc = domain_ram_release(d, gfn << 12, order, balloon_in_use);
		grant_pins_unlock(d);
	}
	spin_unlock(&d->abi.physmap_lock);
	return rc;
}

/* Returns the extents done (the first ones of the list), or -errno if none could be read. */
static long reservation(struct vcpu *v, enum reservation_op op, u64 arg)
{
	struct domain *d;
	struct memory_reservation r;
	u64 n, done;
	long rc;

	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return -EFAULT;
	if (r.extent_order > MEM_GUEST_MAX_ORDER || (r.mem_flags & XENMEMF_populate_on_demand))
		return -EINVAL;
	/* Another domain's memory: the privileged domain only (memory_foreign.c). */
	rc = memory_op_target(v, r.domid, &d);
	if (rc)
		return rc;
	n = r.nr_extents < RESERVATION_MAX_EXTENTS ? r.nr_extents : RESERVATION_MAX_EXTENTS;
	// cppcheck-suppress knownConditionTrueFalse ; n comes from the guest's copy of r
	for (done = 0; done < n; done++) {
		u64 gfn;

		if (copy_from_guest(v, &gfn, r.extent_start + done * sizeof(gfn), sizeof(gfn))) {
			rc = done ? (long)done : -EFAULT;
			goto out;
		}
		if (reservation_one(d, op, gfn, r.extent_order))
			break;
	}
	rc = (long)done;
out:
	memory_op_target_put(v, d);
	return rc;
}

static long reservation_size(struct vcpu *v, u64 arg, bool maximum)
{
	struct domain *d = v->domain;
	u16 domid;

	if (copy_from_guest(v, &domid, arg, sizeof(domid)))
		return -EFAULT;
	if (domid != DOMID_SELF && domid != d->id)
		return -EPERM;
	return (long)(maximum ? d->mem.max_ram_pages : READ_ONCE(d->mem.ram_pages));
}
/* -- end memory map and reservations -- */

long do_memory_op(struct vcpu *v, const u64 *args)
{
	switch (args[0]) {
	case XENMEM_add_to_physmap:
		return add_to_physmap(v, args[1]);
	case XENMEM_memory_map:
		return memory_map(v, args[1]);
	case XENMEM_add_to_physmap_batch:
		return memory_op_add_batch(v, args[1]);
	case XENMEM_remove_from_physmap:
		return memory_op_remove(v, args[1]);
	/* -- reservations -- */
	case XENMEM_increase_reservation: /* auto-translated: a list of GFNs, as populate */
	case XENMEM_populate_physmap:
		return reservation(v, RES_POPULATE, args[1]);
	case XENMEM_decrease_reservation:
		return reservation(v, RES_RELEASE, args[1]);
	case XENMEM_current_reservation:
		return reservation_size(v, args[1], false);
	case XENMEM_maximum_reservation:
		return reservation_size(v, args[1], true);
	/* -- end reservations -- */
	default:
		return -ENOSYS;
	}
}
