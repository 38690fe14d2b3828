/* Copying hypercall arguments from and to guest virtual memory (the arch walks the guest's paging). */
#ifndef KEEL_GUEST_ACCESS_H
#define KEEL_GUEST_ACCESS_H

#include <keel/types.h>

struct vcpu;

/*
 * Copy @len bytes at guest virtual address @gva of @v (the vCPU making the hypercall), with its
 * own paging and privilege. 0, or -EFAULT when any byte is out of the caller's reach.
 */
int copy_from_guest(struct vcpu *v, void *dst, u64 gva, size_t len);
int copy_to_guest(struct vcpu *v, u64 gva, const void *src, size_t len);
/*
 * Translate guest virtual @gva of @v to a guest-physical address, as a supervisor access (a
 * write if @write) at its privilege would: 0, or -EFAULT when the access would fault.
 */
int guest_virt_to_gpa(struct vcpu *v, u64 gva, bool write, u64 *gpa);

#endif
