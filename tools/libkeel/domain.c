/* libkeel: typed domctl calls, populating another domain's RAM and its toolstack ports. */
#include "libkeel.h"

#include <errno.h>
#include <public/event_channel.h>
#include <public/hypercall.h>
#include <public/memory.h>
#include <string.h>

static int domctl(struct keel_handle *h, uint32_t cmd, uint16_t domid, struct keel_domctl *op)
{
	op->cmd = cmd;
	op->domain = domid;
	return keel_domctl(h, op);
}

int keel_domain_create(struct keel_handle *h, const char *name, unsigned int nr_vcpus,
		       uint64_t max_pages, uint32_t flags, uint16_t *domid)
{
	struct keel_domctl op = {0};
	int rc;

	if (!name[0] || strlen(name) >= sizeof(op.u.create.name))
		return -EINVAL;
	memcpy(op.u.create.name, name, strlen(name) + 1);
	op.u.create.nr_vcpus = nr_vcpus;
	op.u.create.flags = flags;
	op.u.create.max_pages = max_pages;
	rc = domctl(h, KEEL_DOMCTL_create, 0, &op);
	if (!rc)
		*domid = op.domain;
	return rc;
}

int keel_domain_destroy(struct keel_handle *h, uint16_t domid)
{
	struct keel_domctl op = {0};

	return domctl(h, KEEL_DOMCTL_destroy, domid, &op);
}

int keel_domain_pause(struct keel_handle *h, uint16_t domid)
{
	struct keel_domctl op = {0};

	return domctl(h, KEEL_DOMCTL_pause, domid, &op);
}

int keel_domain_unpause(struct keel_handle *h, uint16_t domid)
{
	struct keel_domctl op = {0};

	return domctl(h, KEEL_DOMCTL_unpause, domid, &op);
}

int keel_domain_getinfo(struct keel_handle *h, uint16_t domid, struct keel_domain_info *out)
{
	struct keel_domctl op = {0};
	int rc = domctl(h, KEEL_DOMCTL_getinfo, domid, &op);

	if (!rc)
		*out = op.u.info;
	return rc;
}

int keel_domain_max_mem(struct keel_handle *h, uint16_t domid, uint64_t max_pages)
{
	struct keel_domctl op = {0};

	op.u.max_mem.max_pages = max_pages;
	return domctl(h, KEEL_DOMCTL_max_mem, domid, &op);
}

int keel_domain_set_hvm_param(struct keel_handle *h, uint16_t domid, uint32_t index, uint64_t value)
{
	struct keel_domctl op = {0};

	op.u.hvm_param.index = index;
	op.u.hvm_param.value = value;
	return domctl(h, KEEL_DOMCTL_set_hvm_param, domid, &op);
}

int keel_domain_set_vcpu_context(struct keel_handle *h, uint16_t domid, uint32_t vcpu,
				 uint32_t entry, uint32_t ebx)
{
	struct keel_domctl op = {0};

	op.u.vcpu_context.vcpu = vcpu;
	op.u.vcpu_context.entry = entry;
	op.u.vcpu_context.ebx = ebx;
	return domctl(h, KEEL_DOMCTL_set_vcpu_context, domid, &op);
}

int keel_populate(struct keel_handle *h, uint16_t domid, const uint64_t *gfns, size_t n,
		  unsigned int order, size_t *done)
{
	size_t size;
	uint8_t *buf = keel_buffer(h, &size);
	struct memory_reservation *r = (struct memory_reservation *)buf;
	uint64_t *list = (uint64_t *)(buf + sizeof(*r));
	size_t batch = (size - sizeof(*r)) / sizeof(*list);

	*done = 0;
	while (*done < n) {
		size_t k = n - *done < batch ? n - *done : batch;
		long rc;

		memset(r, 0, sizeof(*r));
		r->extent_start = (uint64_t)(uintptr_t)list;
		r->nr_extents = k;
		r->extent_order = order;
		r->domid = domid;
		memcpy(list, gfns + *done, k * sizeof(*list));
		rc = keel_hypercall(h, HYPERCALL_memory_op, XENMEM_populate_physmap,
				    (uint64_t)(uintptr_t)r);
		if (rc < 0)
			return (int)rc;
		if (rc == 0)
			return -ENOMEM; /* the first page refused: the domain's limit, or the pool */
		*done += (size_t)rc;	/* Keel does a bounded number per call: go on from there */
	}
	return 0;
}

int keel_evtchn_alloc_unbound(struct keel_handle *h, uint16_t domid, uint16_t remote,
			      uint32_t *port)
{
	size_t size;
	struct evtchn_alloc_unbound *a = keel_buffer(h, &size);
	long rc;

	memset(a, 0, sizeof(*a));
	a->dom = domid;
	a->remote_dom = remote;
	rc = keel_hypercall(h, HYPERCALL_event_channel_op, EVTCHNOP_alloc_unbound,
			    (uint64_t)(uintptr_t)a);
	if (rc < 0)
		return (int)rc;
	*port = a->port;
	return 0;
}
