/* libkeel: Keel's management hypercalls (domctl, sysctl) from dom0 user space, through privcmd. */
#ifndef LIBKEEL_H
#define LIBKEEL_H

#include <public/domctl.h>
#include <public/sysctl.h>
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

int keel_physinfo(struct keel_handle *h, struct keel_sysctl_physinfo *out);
/* Up to @max domains with id >= @first into @out; *@n says how many. */
int keel_domain_list(struct keel_handle *h, uint16_t first, struct keel_domain_info *out,
		     unsigned int max, unsigned int *n);

#endif
