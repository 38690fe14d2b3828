/* libkeel: a guest's virtual network interfaces: netback's xenstore handshake and its bridge port. */
#include "vif.h"
#include "errf.h"
#include "xs_dev.h"

#include <errno.h>
#include <linux/if_bridge.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#define XENBUS_INITIALISING 1

/* What a vif's directories hold (keel_xs_device_write's filler). */
struct vif_nodes {
	uint16_t domid;
	const struct keel_vif *v;
};

static bool fill_nodes(struct xs_handle *xs, xs_transaction_t t, const char *be, const char *fe,
		       const void *ctx)
{
	const struct vif_nodes *n = ctx;
	const struct keel_vif *v = n->v;
	uint16_t domid = n->domid;

	return keel_xs_put(xs, t, be, "frontend", "%s", fe) &&
	       keel_xs_put(xs, t, be, "frontend-id", "%u", domid) &&
	       keel_xs_put(xs, t, be, "online", "1") &&
	       keel_xs_put(xs, t, be, "state", "%d", XENBUS_INITIALISING) &&
	       keel_xs_put(xs, t, be, "handle", "%u", v->handle) &&
	       keel_xs_put(xs, t, be, "mac", "%s", v->mac) &&
	       keel_xs_put(xs, t, be, "bridge", "%s", v->bridge) &&
	       keel_xs_put(xs, t, be, "type", "vif") &&
	       /* netback refuses a backend without it; Keel runs no script (its own hotplug
		     * step is below), so it only names what that step does. */
	       keel_xs_put(xs, t, be, "script", "%s", v->script ? v->script : "vif-bridge") &&
	       keel_xs_put(xs, t, fe, "backend", "%s", be) &&
	       keel_xs_put(xs, t, fe, "backend-id", "0") &&
	       keel_xs_put(xs, t, fe, "state", "%d", XENBUS_INITIALISING) &&
	       keel_xs_put(xs, t, fe, "handle", "%u", v->handle) &&
	       keel_xs_put(xs, t, fe, "mac", "%s", v->mac);
}

/* The hotplug step: @ifname joins @bridge and goes up. 0 or -errno. */
static int join_bridge(const char *ifname, const char *bridge)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;
	unsigned int index = if_nametoindex(ifname);

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
	ifr.ifr_ifindex = (int)index;
	if (!index || ioctl(s, SIOCBRADDIF, &ifr) < 0)
		rc = -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!rc && ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		rc = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!rc && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		rc = -errno;
	close(s);
	return rc;
}

int keel_vif_attach(struct xs_handle *xs, uint16_t domid, const struct keel_vif *v,
		    double timeout_s, char *err, size_t err_len)
{
	char be[96], fe[96], ifname[IFNAMSIZ], path[128];
	double end = keel_now_s() + timeout_s;
	int rc;

	if (!if_nametoindex(v->bridge))
		return keel_errf(err, err_len,
				 "bridge %s: no such interface in dom0 (make it: "
				 "ip link add %s type bridge; ip link set %s up)",
				 v->bridge, v->bridge, v->bridge);
	snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", domid, v->handle);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", domid, v->handle);
	snprintf(ifname, sizeof(ifname), "vif%u.%u", domid, v->handle);
	if (!keel_xs_device_write(xs, domid, be, fe, fill_nodes, &(struct vif_nodes){domid, v}))
		return keel_errf(err, err_len, "xenstore: writing %s: %s", be, strerror(errno));
	/* netback makes vifD.N as it takes the backend directory. */
	while (!if_nametoindex(ifname) && keel_now_s() < end)
		nanosleep(&(struct timespec){0, 50000000}, NULL);
	if (!if_nametoindex(ifname)) {
		keel_errf(err, err_len, "netback made no %s within %.0f s (is xen-netback loaded?)",
			  ifname, timeout_s);
		goto fail;
	}
	if ((rc = join_bridge(ifname, v->bridge))) {
		keel_errf(err, err_len, "%s joining bridge %s: %s", ifname, v->bridge,
			  strerror(-rc));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/hotplug-status", be);
	if (!xs_write(xs, XBT_NULL, path, "connected", 9)) {
		keel_errf(err, err_len, "xenstore: writing %s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	xs_rm(xs, XBT_NULL, be);
	xs_rm(xs, XBT_NULL, fe);
	return -1;
}

unsigned int keel_vif_remove_all(struct xs_handle *xs, uint16_t domid)
{
	char path[80];
	unsigned int n = 0;
	char **ids;

	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
	ids = xs_directory(xs, XBT_NULL, path, &n);
	free(ids);
	xs_rm(xs, XBT_NULL, path); /* netback sees its directories go and removes vifD.N */
	snprintf(path, sizeof(path), "/local/domain/%u/device/vif", domid);
	xs_rm(xs, XBT_NULL, path);
	return ids ? n : 0;
}
