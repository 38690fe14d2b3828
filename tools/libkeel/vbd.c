/* libkeel: a guest's virtual block devices: the loop device behind a file, the xenstore handshake. */
#include "vbd.h"
#include "errf.h"
#include "xs_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#define XENBUS_INITIALISING 1
#define XENBUS_INITWAIT	    2

/* A loop device holding @file: its path in @dev and an open descriptor of it (or -1). */
static int loop_setup(const char *file, bool ro, char *dev, size_t dev_len, char *err,
		      size_t err_len)
{
	struct loop_config lc = {0};
	int ctl, nr, fd, back;

	back = open(file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (back < 0)
		return keel_errf(err, err_len, "%s: %s", file, strerror(errno));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	nr = ctl < 0 ? -1 : ioctl(ctl, LOOP_CTL_GET_FREE);
	if (ctl >= 0)
		close(ctl);
	if (nr < 0) {
		close(back);
		return keel_errf(err, err_len,
				 "no free loop device for %s (/dev/loop-control: %s; "
				 "is the loop module loaded?)",
				 file, strerror(errno));
	}
	snprintf(dev, dev_len, "/dev/loop%d", nr);
	fd = open(dev, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	lc.fd = (uint32_t)back;
	lc.info.lo_flags = ro ? LO_FLAGS_READ_ONLY : 0;
	snprintf((char *)lc.info.lo_file_name, sizeof(lc.info.lo_file_name), "%s", file);
	if (fd < 0 || ioctl(fd, LOOP_CONFIGURE, &lc) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		close(back);
		return keel_errf(err, err_len, "%s behind %s: %s", file, dev, strerror(e));
	}
	close(back);
	return fd;
}

/* What a vbd's directories hold (keel_xs_device_write's filler). */
struct vbd_nodes {
	uint16_t domid;
	const struct keel_vbd *v;
	const char *params;
	unsigned int major, minor;
};

static bool fill_nodes(struct xs_handle *xs, xs_transaction_t t, const char *be, const char *fe,
		       const void *ctx)
{
	const struct vbd_nodes *n = ctx;
	const struct keel_vbd *v = n->v;
	uint16_t domid = n->domid;
	const char *params = n->params;
	unsigned int major = n->major, minor = n->minor;

	return keel_xs_put(xs, t, be, "frontend", "%s", fe) &&
	       keel_xs_put(xs, t, be, "frontend-id", "%u", domid) &&
	       keel_xs_put(xs, t, be, "online", "1") && keel_xs_put(xs, t, be, "removable", "0") &&
	       keel_xs_put(xs, t, be, "bootable", "1") &&
	       keel_xs_put(xs, t, be, "state", "%d", XENBUS_INITIALISING) &&
	       keel_xs_put(xs, t, be, "dev", "%s", v->vdev) &&
	       keel_xs_put(xs, t, be, "type", "phy") &&
	       keel_xs_put(xs, t, be, "mode", "%s", v->readonly ? "r" : "w") &&
	       keel_xs_put(xs, t, be, "device-type", "disk") &&
	       keel_xs_put(xs, t, be, "params", "%s", params) &&
	       keel_xs_put(xs, t, fe, "backend", "%s", be) &&
	       keel_xs_put(xs, t, fe, "backend-id", "0") &&
	       keel_xs_put(xs, t, fe, "state", "%d", XENBUS_INITIALISING) &&
	       keel_xs_put(xs, t, fe, "virtual-device", "%u", v->devid) &&
	       keel_xs_put(xs, t, fe, "device-type", "disk") &&
	       /* What a hotplug script writes: blkback opens the device on seeing it. */
	       keel_xs_put(xs, t, be, "physical-device", "%x:%x", major, minor);
}

static int backend_state(struct xs_handle *xs, const char *be)
{
	char path[160];
	unsigned int len;
	char *s;
	int st;

	snprintf(path, sizeof(path), "%s/state", be);
	s = xs_read(xs, XBT_NULL, path, &len);
	st = s ? atoi(s) : -1;
	free(s);
	return st;
}

static void remove_nodes(struct xs_handle *xs, const char *be, const char *fe)
{
	xs_rm(xs, XBT_NULL, be);
	xs_rm(xs, XBT_NULL, fe);
}

int keel_vbd_attach(struct xs_handle *xs, uint16_t domid, const struct keel_vbd *v,
		    double timeout_s, char *err, size_t err_len)
{
	char be[96], fe[96], dev[32];
	struct stat st;
	int loop = -1, state = -1;

	if (stat(v->target, &st) < 0)
		return keel_errf(err, err_len, "%s: %s", v->target, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		loop = loop_setup(v->target, v->readonly, dev, sizeof(dev), err, err_len);
		if (loop < 0)
			return -1;
		if (fstat(loop, &st) < 0)
			st.st_rdev = 0;
	} else if (S_ISBLK(st.st_mode)) {
		snprintf(dev, sizeof(dev), "%s", v->target);
	} else {
		return keel_errf(err, err_len, "%s: neither a file nor a block device", v->target);
	}
	snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u/%u", domid, v->devid);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%u", domid, v->devid);
	if (!keel_xs_device_write(
		xs, domid, be, fe, fill_nodes,
		&(struct vbd_nodes){domid, v, dev, major(st.st_rdev), minor(st.st_rdev)})) {
		keel_errf(err, err_len, "xenstore: writing %s: %s", be, strerror(errno));
		goto fail;
	}
	/* blkback takes the device and says InitWait; its module missing, nothing happens. */
	for (double end = keel_now_s() + timeout_s;;) {
		state = backend_state(xs, be);
		if (state >= XENBUS_INITWAIT || keel_now_s() > end)
			break;
		nanosleep(&(struct timespec){0, 50000000}, NULL);
	}
	if (state != XENBUS_INITWAIT) {
		keel_errf(err, err_len,
			  "%s: blkback did not take %s (backend state %d after %.0f s; is "
			  "xen-blkback loaded?)",
			  v->vdev, dev, state, timeout_s);
		remove_nodes(xs, be, fe);
		goto fail;
	}
	if (loop >= 0)
		close(loop); /* configured until keel_vbd_remove_all (params names it) */
	return 0;
fail:
	if (loop >= 0) {
		ioctl(loop, LOOP_CLR_FD, 0);
		close(loop);
	}
	return -1;
}

/* Let go of a loop device: cleared now, or (blkback still holding it) when blkback closes it. */
static void loop_release(const char *dev)
{
	int fd;

	if (strncmp(dev, "/dev/loop", 9))
		return;
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, LOOP_CLR_FD, 0);
		close(fd);
	}
}

unsigned int keel_vbd_remove_all(struct xs_handle *xs, uint16_t domid)
{
	char be[80], fe[80], path[160];
	unsigned int n = 0, len;
	char **ids;

	snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u", domid);
	ids = xs_directory(xs, XBT_NULL, be, &n);
	for (unsigned int i = 0; ids && i < n; i++) {
		char *params;

		snprintf(path, sizeof(path), "%s/%s/params", be, ids[i]);
		params = xs_read(xs, XBT_NULL, path, &len);
		snprintf(path, sizeof(path), "%s/%s", be, ids[i]);
		xs_rm(xs, XBT_NULL, path); /* blkback sees its directory go and closes the device */
		if (params)
			loop_release(params);
		free(params);
	}
	free(ids);
	xs_rm(xs, XBT_NULL, be);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd", domid);
	xs_rm(xs, XBT_NULL, fe);
	return ids ? n : 0;
}
