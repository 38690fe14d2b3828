/* libkeel: Keel's management hypercalls (domctl, sysctl) from dom0 user space, through privcmd. */
#ifndef LIBKEEL_H
#define LIBKEEL_H

#include <public/domctl.h>
#include <public/sysctl.h>
#include <stddef.h>
#include <stdint.h>

struct keel_handle;

/* Open /dev/xen/privcmd (or /proc/xen/privcmd); NULL with errno set when neither opens. */
struct keel_handle *keel_open(void);
void keel_close(struct keel_handle *h);

/*
 * One call with @op (its interface_version filled in here), read and written back by Keel.
 * Return 0 or a negative errno (the hypercall's, or the ioctl's).
 */
int keel_sysctl(struct keel_handle *h, struct keel_sysctl *op);
int keel_domctl(struct keel_handle *h, struct keel_domctl *op);

/* Hypercall @nr with two plain arguments; its return value, or -errno from the ioctl. */
long keel_hypercall(struct keel_handle *h, unsigned int nr, uint64_t a0, uint64_t a1);
/* The handle's locked hypercall buffer (Keel reads arguments there) and its size. */
void *keel_buffer(struct keel_handle *h, size_t *size);

int keel_physinfo(struct keel_handle *h, struct keel_sysctl_physinfo *out);
/* Up to @max domains with id >= @first into @out; *@n says how many. */
int keel_domain_list(struct keel_handle *h, uint16_t first, struct keel_domain_info *out,
		     unsigned int max, unsigned int *n);

/* tools/libkeel/domain.c: one domctl each; 0 or a negative errno. */
int keel_domain_create(struct keel_handle *h, const char *name, unsigned int nr_vcpus,
		       uint64_t max_pages, uint32_t flags, uint16_t *domid);
int keel_domain_destroy(struct keel_handle *h, uint16_t domid);
int keel_domain_pause(struct keel_handle *h, uint16_t domid);
int keel_domain_unpause(struct keel_handle *h, uint16_t domid);
int keel_domain_getinfo(struct keel_handle *h, uint16_t domid, struct keel_domain_info *out);
int keel_domain_max_mem(struct keel_handle *h, uint16_t domid, uint64_t max_pages);
int keel_domain_set_hvm_param(struct keel_handle *h, uint16_t domid, uint32_t index,
			      uint64_t value);
/* vCPU @vcpu starts at 32-bit @entry with EBX = @ebx (vCPU 0: the start_info GPA). */
int keel_domain_set_vcpu_context(struct keel_handle *h, uint16_t domid, uint32_t vcpu,
				 uint32_t entry, uint32_t ebx);
/* Populate @n extents of 2^@order RAM pages of @domid at the (aligned) GFNs in @gfns; 0, or a
 * negative errno (none or some done: *@done says how many, from the start of the list). */
int keel_populate(struct keel_handle *h, uint16_t domid, const uint64_t *gfns, size_t n,
		  unsigned int order, size_t *done);
/* A port of @domid, unbound, for @remote to bind (the toolstack's console and xenstore ports). */
int keel_evtchn_alloc_unbound(struct keel_handle *h, uint16_t domid, uint16_t remote,
			      uint32_t *port);

#endif
