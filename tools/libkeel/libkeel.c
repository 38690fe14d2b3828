/* libkeel: management hypercalls through Linux's privcmd, with locked hypercall buffers. */
#include "libkeel.h"

#include <public/hypercall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* Linux's privcmd hypercall ioctl (include/uapi/xen/privcmd.h): number and arguments. */
struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};
#define IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

#define BUF_SIZE (64 * 1024) /* the struct and the largest list the calls fill */

struct keel_handle {
	int fd;
	void *buf; /* locked: Keel copies from dom0's page tables and a swapped-out page fails */
};

struct keel_handle *keel_open(void)
{
	struct keel_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		h->fd = open("/proc/xen/privcmd", O_RDWR | O_CLOEXEC);
	h->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->fd < 0 || h->buf == MAP_FAILED || mlock(h->buf, BUF_SIZE)) {
		int e = errno;

		keel_close(h);
		errno = e;
		return NULL;
	}
	memset(h->buf, 0, BUF_SIZE);
	return h;
}

void keel_close(struct keel_handle *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);
	if (h->buf && h->buf != MAP_FAILED)
		munmap(h->buf, BUF_SIZE);
	free(h);
}

long keel_hypercall(struct keel_handle *h, unsigned int nr, uint64_t a0, uint64_t a1)
{
	struct privcmd_hypercall hc = {.op = nr, .arg = {a0, a1}};
	long rc = ioctl(h->fd, IOCTL_PRIVCMD_HYPERCALL, &hc);

	return rc < 0 ? -errno : rc;
}

void *keel_buffer(struct keel_handle *h, size_t *size)
{
	*size = BUF_SIZE;
	return h->buf;
}

/* @op through the locked buffer, its address the hypercall's first argument. */
static int call(struct keel_handle *h, unsigned int nr, void *op, size_t len)
{
	long rc;

	memcpy(h->buf, op, len);
	rc = keel_hypercall(h, nr, (uint64_t)(uintptr_t)h->buf, 0);
	if (rc < 0)
		return (int)rc;
	memcpy(op, h->buf, len);
	return 0;
}

int keel_sysctl(struct keel_handle *h, struct keel_sysctl *op)
{
	op->interface_version = KEEL_SYSCTL_VERSION;
	return call(h, HYPERCALL_sysctl, op, sizeof(*op));
}

int keel_domctl(struct keel_handle *h, struct keel_domctl *op)
{
	op->interface_version = KEEL_DOMCTL_VERSION;
	return call(h, HYPERCALL_domctl, op, sizeof(*op));
}

int keel_physinfo(struct keel_handle *h, struct keel_sysctl_physinfo *out)
{
	struct keel_sysctl op = {.cmd = KEEL_SYSCTL_physinfo};
	int rc = keel_sysctl(h, &op);

	if (!rc)
		*out = op.u.physinfo;
	return rc;
}

int keel_domain_list(struct keel_handle *h, uint16_t first, struct keel_domain_info *out,
		     unsigned int max, unsigned int *n)
{
	struct keel_sysctl op = {.cmd = KEEL_SYSCTL_domain_list};
	uint8_t *list = (uint8_t *)h->buf + sizeof(op);
	size_t room = (BUF_SIZE - sizeof(op)) / sizeof(*out);
	int rc;

	if (max > room)
		max = (unsigned int)room;
	op.u.domain_list.first_domid = first;
	op.u.domain_list.max_entries = max;
	op.u.domain_list.buffer = (uint64_t)(uintptr_t)list;
	rc = keel_sysctl(h, &op);
	if (rc)
		return rc;
	*n = op.u.domain_list.nr_entries <= max ? op.u.domain_list.nr_entries : max;
	memcpy(out, list, *n * sizeof(*out));
	return 0;
}
