/* memory_op on other domains (privileged caller only): their reservations and foreign maps. */
#include <keel/domain.h>
#include <keel/domain_shm.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/memory.h>

#include "handlers.h"

#define BATCH_MAX 512 /* entries per add_to_physmap_batch call (Linux sends fewer) */

long memory_op_target(struct vcpu *v, u16 domid, struct domain **d)
{
	struct domain *self = v->domain;

	if (domid == DOMID_SELF || domid == self->id) {
		*d = self;
		return 0;
	}
	if (!self->privileged)
		return -EPERM;
	*d = domain_get(domid);
	return *d ? 0 : -ESRCH;
}

void memory_op_target_put(struct vcpu *v, struct domain *d)
{
	if (d != v->domain)
		domain_put(d);
}

/* XENMAPSPACE_gmfn_foreign: each idx (a GFN of foreign_domid) at its gpfn; errs per entry. */
long memory_op_add_batch(struct vcpu *v, u64 arg)
{
	struct domain *d = v->domain, *owner;
	struct add_to_physmap_batch b;
	long rc = 0;

	if (copy_from_guest(v, &b, arg, sizeof(b)))
		return -EFAULT;
	if (b.domid != DOMID_SELF && b.domid != d->id)
		return d->privileged ? -EINVAL : -EPERM; /* only into the caller's own map */
	if (b.space != XENMAPSPACE_gmfn_foreign)
		return d->privileged ? -EOPNOTSUPP : -EPERM;
	if (!d->privileged)
		return -EPERM;
	if (b.size > BATCH_MAX)
		return -EINVAL;
	if (b.foreign_domid == DOMID_SELF || b.foreign_domid == d->id)
		return -EINVAL;
	owner = domain_get(b.foreign_domid);
	if (!owner)
		return -ESRCH;
	for (u32 i = 0; i < b.size; i++) {
		u64 idx, gpfn;
		s32 err;

		if (copy_from_guest(v, &idx, b.idxs + i * sizeof(idx), sizeof(idx)) ||
		    copy_from_guest(v, &gpfn, b.gpfns + i * sizeof(gpfn), sizeof(gpfn))) {
			rc = -EFAULT;
			break;
		}
		/* Never over a shared region (common/domain_shm.c), of the caller or the owner. */
		if ((gpfn < (1ULL << 34) && domain_shm_covers(d, gpfn << 12, 4096)) ||
		    (idx < (1ULL << 34) && domain_shm_covers(owner, idx << 12, 4096)))
			err = -EPERM;
		else
			err = (s32)foreign_map(d, gpfn, owner, idx);
		if (copy_to_guest(v, b.errs + i * sizeof(err), &err, sizeof(err))) {
			if (!err)
				(void)foreign_unmap(d,
						    gpfn); /* the caller cannot learn it worked */
			rc = -EFAULT;
			break;
		}
	}
	domain_put(owner);
	return rc;
}

/* XENMEM_remove_from_physmap: a foreign map of the caller's own physical map. */
long memory_op_remove(struct vcpu *v, u64 arg)
{
	struct domain *d = v->domain;
	struct remove_from_physmap r;

	if (!d->privileged)
		return -EPERM; /* it removes foreign maps only, which only dom0 makes */
	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return -EFAULT;
	if ((r.domid != DOMID_SELF && r.domid != d->id) || r.pad[0] || r.pad[1] || r.pad[2])
		return -EINVAL;
	if (r.gpfn < (1ULL << 34) && domain_shm_covers(d, r.gpfn << 12, 4096))
		return -EPERM; /* a shared region is no foreign map: it stays */
	return foreign_unmap(d, r.gpfn);
}
