/* libkeel: a guest's virtual block devices: the loop device behind a file, the xenstore handshake. */
#ifndef LIBKEEL_VBD_H
#define LIBKEEL_VBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xs_handle;

/* One disk as the toolstack gives it: what backs it and how the guest names it. */
struct keel_vbd {
	const char *target; /* an image file (a loop device is set up) or a block device */
	const char *vdev;   /* "xvda" */
	uint32_t devid;	    /* its vbd number (202 << 8 | partition scheme for xvd*) */
	bool readonly;
};

/*
 * Give domain @domid disk @v, served by dom0's blkback: a file goes behind a free loop device;
 * then the backend (/local/domain/0/backend/vbd/D/N, readable by D) and frontend
 * (/local/domain/D/device/vbd/N, D's own) directories are written, physical-device last, and
 * this waits (bounded, @timeout_s) until blkback has taken the vbd (backend state InitWait).
 * 0, or -1 with what failed in @err (and nothing left behind).
 */
int keel_vbd_attach(struct xs_handle *xs, uint16_t domid, const struct keel_vbd *v,
		    double timeout_s, char *err, size_t err_len);

/*
 * Remove every vbd of @domid from xenstore (backend first: blkback closes the device) and let
 * go of their loop devices (freed once blkback has closed them). Returns how many there were.
 */
unsigned int keel_vbd_remove_all(struct xs_handle *xs, uint16_t domid);

#endif
