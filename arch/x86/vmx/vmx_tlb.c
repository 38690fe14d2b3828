/* TLB tags under VT-x: VPIDs recycled through a bitmap, and the flush before a tag is reused. */
#include <asm/percpu.h>
#include <asm/vmx_internal.h>
#include <keel/errno.h>
#include <keel/spinlock.h>

#define VPID_COUNT 65536 /* 16-bit tags; 0 is the host's */

static spinlock_t vpid_lock = SPINLOCK_INIT;
static u64 vpid_used[VPID_COUNT / 64];
static unsigned int vpid_next = 1; /* where the next search starts: freed tags come back last */

/*
 * Bumped whenever an EPTP or VPID stops being used (a domain or vCPU destroyed). A CPU that has
 * not seen the latest value flushes every tag before it loads a vCPU, so a reused EPT root frame
 * or VPID never meets translations cached for its previous owner.
 */
static u64 tlb_epoch;
static u64 tlb_epoch_seen[MAX_CPUS];

static bool vpid_test_and_set(unsigned int id)
{
	u64 bit = 1ULL << (id % 64);

	if (vpid_used[id / 64] & bit)
		return false;
	vpid_used[id / 64] |= bit;
	return true;
}

int vpid_alloc(u16 *vpid)
{
	unsigned long flags = spin_lock_irqsave(&vpid_lock);
	int rc = -ENOSPC;

	for (unsigned int n = 1; n < VPID_COUNT; n++) {
		unsigned int id = vpid_next;

		vpid_next = vpid_next + 1 < VPID_COUNT ? vpid_next + 1 : 1;
		if (vpid_test_and_set(id)) {
			*vpid = (u16)id;
			rc = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&vpid_lock, flags);
	return rc;
}

void vpid_free(u16 vpid)
{
	unsigned long flags;

	if (!vpid)
		return;
	/* Every CPU flushes before the tag can be handed out again (the lock orders the two). */
	vmx_tlb_retire_tags();
	flags = spin_lock_irqsave(&vpid_lock);
	vpid_used[vpid / 64] &= ~(1ULL << (vpid % 64));
	spin_unlock_irqrestore(&vpid_lock, flags);
}

void vmx_tlb_retire_tags(void)
{
	__atomic_add_fetch(&tlb_epoch, 1, __ATOMIC_SEQ_CST);
}

bool vmx_tlb_stale(unsigned int cpu, u64 *epoch)
{
	*epoch = __atomic_load_n(&tlb_epoch, __ATOMIC_ACQUIRE);
	return tlb_epoch_seen[cpu] != *epoch;
}

void vmx_tlb_flush_if_stale(unsigned int cpu)
{
	u64 epoch;

	if (!vmx_tlb_stale(cpu, &epoch))
		return;
	invept_all();
	invvpid_all();
	tlb_epoch_seen[cpu] = epoch;
}
