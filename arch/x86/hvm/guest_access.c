/* Hypercall argument copies: guest virtual memory reached through the caller's own page walk. */
#include <asm/guest_walk.h>
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/mm.h>
#include <keel/string.h>
#include <keel/vcpu.h>

/*
 * Keel reads and writes hypercall arguments as the caller would itself, with the caller's
 * privilege: hvm_do_hypercall refuses calls from CPL > 0 before any argument is read, so these
 * are explicit supervisor accesses: a read-only page stops a write only with CR0.WP, and with
 * CR4.SMAP a user page is reachable only with RFLAGS.AC set (as a kernel passing a user buffer
 * brackets the call with STAC/CLAC). Any fault is -EFAULT to the caller; no #PF is injected.
 */
static int copy_guest(struct vcpu *v, u64 gva, u8 *local, size_t len, bool to_guest)
{
	enum guest_priv priv = guest_current_priv(v);

	while (len) {
		size_t n = MIN(len, (size_t)(PAGE_SIZE - (gva & (PAGE_SIZE - 1))));
		u64 gpa;
		paddr_t hpa;
		u32 pfec;

		/* Through the EPT: what the guest itself would reach, with its permissions. */
		if (guest_walk(v, gva, to_guest ? GUEST_WRITE : GUEST_READ, priv, &gpa, &pfec) ||
		    arch_gpa_to_hpa(v->domain, gpa, to_guest, &hpa))
			return -EFAULT;
		if (to_guest)
			memcpy(paddr_to_virt(hpa), local, n);
		else
			memcpy(local, paddr_to_virt(hpa), n);
		gva += n;
		len -= n;
		local += n;
	}
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, u64 gva, size_t len)
{
	return copy_guest(v, gva, dst, len, false);
}

int copy_to_guest(struct vcpu *v, u64 gva, const void *src, size_t len)
{
	/* Nothing is written through @local in this direction. */
	return copy_guest(v, gva, (u8 *)(uintptr_t)src, len, true);
}

int guest_virt_to_gpa(struct vcpu *v, u64 gva, bool write, u64 *gpa)
{
	u32 pfec;

	if (guest_walk(v, gva, write ? GUEST_WRITE : GUEST_READ, guest_current_priv(v), gpa, &pfec))
		return -EFAULT;
	return 0;
}
