/* libkeel: a guest's virtual network interfaces: netback's xenstore handshake and its bridge port. */
#ifndef LIBKEEL_VIF_H
#define LIBKEEL_VIF_H

#include <stddef.h>
#include <stdint.h>

struct xs_handle;

/* One network interface as the toolstack gives it. */
struct keel_vif {
	unsigned int handle; /* its number: the guest's ethN, dom0's vifD.N */
	const char *mac;     /* "00:16:3e:12:34:56" */
	const char *bridge;  /* the dom0 bridge its backend joins, e.g. "xenbr0" */
	const char *script;  /* NULL: "vif-bridge"; recorded in the backend, never run */
};

/*
 * Give domain @domid interface @v, served by dom0's netback: the backend
 * (/local/domain/0/backend/vif/D/N, readable by D) and frontend (/local/domain/D/device/vif/N,
 * D's own) directories are written in one transaction; when netback has made vifD.N (bounded,
 * @timeout_s), this does what a hotplug script does: vifD.N joins @v->bridge, goes up, and
 * hotplug-status says connected. 0, or -1 with what failed in @err (and nothing left behind).
 */
int keel_vif_attach(struct xs_handle *xs, uint16_t domid, const struct keel_vif *v,
		    double timeout_s, char *err, size_t err_len);

/* Remove every vif of @domid from xenstore (netback then removes vifD.N). How many there were. */
unsigned int keel_vif_remove_all(struct xs_handle *xs, uint16_t domid);

#endif
