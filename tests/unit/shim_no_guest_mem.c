/* Host-test shim: a guest with no memory at all: every guest access faults. */
#include <keel/errno.h>
#include <keel/guest_access.h>

int copy_from_guest(struct vcpu *v, void *dst, u64 gva, size_t len)
{
	return -EFAULT;
}

int copy_to_guest(struct vcpu *v, u64 gva, const void *src, size_t len)
{
	return -EFAULT;
}
