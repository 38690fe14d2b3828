/* Guest areas a vCPU registers (vcpu_info, runstate, vcpu_time_info): checked, then mapped for Keel. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/mm.h>
#include <keel/pvclock.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

/* Guest frames this high cannot be RAM (and gfn << 12 must not overflow). */
#define AREA_MAX_GFN (1ULL << 40)

/*
 * The host address of [gpa, gpa + len) of @d for Keel to write, or NULL. The area must lie in one
 * page, in one of the domain's own RAM extents, and that frame must still be what the guest sees
 * there, writable (not covered by shared_info or anything else placed over it). Such a frame is
 * held (domain_own_page(): never ballooned out), so the pointer stays valid until the domain ends.
 */
static void *ram_area(struct domain *d, u64 gpa, size_t len)
{
	void *page;

	if (len == 0 || (gpa & (PAGE_SIZE - 1)) + len > PAGE_SIZE ||
	    gpa >= AREA_MAX_GFN << PAGE_SHIFT)
		return NULL;
	/* Under physmap_lock: against a concurrent add_to_physmap moving shared_info over it. */
	spin_lock(&d->abi.physmap_lock);
	if (domain_own_page(d, gpa >> PAGE_SHIFT, &page))
		page = NULL;
	spin_unlock(&d->abi.physmap_lock);
	return page ? (u8 *)page + (gpa & (PAGE_SIZE - 1)) : NULL;
}

/*
 * VCPUOP_register_vcpu_info: @target's vcpu_info moves from shared_info to the guest's page.
 * Once per vCPU. Event delivery reads v->vcpu_info under no lock of ours, so the switch is made
 * under the port-table lock (sends hold it) and then every selector bit and upcall_pending are
 * set in the new place: an event flagged in the old place just before is still found by the scan
 * the guest makes, since its pending bit in shared_info was set before.
 */
int vcpu_register_info(struct vcpu *target, u64 gfn, u32 offset)
{
	struct domain *d = target->domain;
	struct vcpu_info *old, *new;
	unsigned long flags;

	if (gfn >= AREA_MAX_GFN || offset > PAGE_SIZE - sizeof(struct vcpu_info))
		return -EINVAL;
	new = ram_area(d, (gfn << 12) + offset, sizeof(struct vcpu_info));
	if (!new)
		return -EINVAL;
	if (__atomic_exchange_n(&target->pv.info_registered, true, __ATOMIC_SEQ_CST))
		return -EINVAL; /* once per vCPU */
	flags = spin_lock_irqsave(&d->lock);
	old = target->vcpu_info;
	if (old)
		memcpy(new, old, sizeof(*new));
	else
		memset(new, 0, sizeof(*new));
	__atomic_store_n(&target->vcpu_info, new, __ATOMIC_SEQ_CST);
	__atomic_store_n(&new->evtchn_pending_sel, ~0ULL, __ATOMIC_SEQ_CST);
	__atomic_store_n(&new->upcall_pending, 1, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&d->lock, flags);
	pvclock_update(target);
	vcpu_kick(target);
	return 0;
}

/* A guest virtual area of @len bytes, translated with @caller's page tables now. */
static void *guest_area(struct vcpu *caller, u64 gva, size_t len, int *rc)
{
	u64 gpa;
	void *p;

	*rc = 0;
	if ((gva & (PAGE_SIZE - 1)) + len > PAGE_SIZE) {
		*rc = -EINVAL; /* straddles a page */
		return NULL;
	}
	if (guest_virt_to_gpa(caller, gva, true, &gpa)) {
		*rc = -EFAULT;
		return NULL;
	}
	p = ram_area(caller->domain, gpa, len);
	if (!p)
		*rc = -EINVAL; /* not the domain's writable RAM */
	return p;
}

/*
 * VCPUOP_register_runstate_memory_area, for @target (any vCPU of the caller's domain: Linux
 * registers them for vCPUs that do not run yet). The address is translated once, now, through
 * the caller's page tables; the guest must keep it mapped there. Address 0 unregisters.
 */
int vcpu_register_runstate_area(struct vcpu *caller, struct vcpu *target, u64 gva)
{
	struct runstate_info *area = NULL;
	unsigned long flags;
	int rc;

	if (gva) {
		area = guest_area(caller, gva, sizeof(*area), &rc);
		if (!area)
			return rc;
	}
	flags = spin_lock_irqsave(&target->pv.runstate_lock);
	target->pv.runstate_area = area;
	spin_unlock_irqrestore(&target->pv.runstate_lock, flags);
	runstate_publish(target);
	return 0;
}

/* VCPUOP_register_vcpu_time_memory_area: a second vcpu_time_info, kept with the PV clock. */
int vcpu_register_time_area(struct vcpu *caller, struct vcpu *target, u64 gva)
{
	struct vcpu_time_info *area = NULL;
	int rc;

	if (gva) {
		area = guest_area(caller, gva, sizeof(*area), &rc);
		if (!area)
			return rc;
	}
	__atomic_store_n(&target->pv.time_area, area, __ATOMIC_SEQ_CST);
	pvclock_update(target);
	return 0;
}
