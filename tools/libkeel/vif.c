/* libkeel: a guest's virtual network interfaces: netback's xenstore handshake and its bridge port. */
#include "vif.h"
#include "errf.h"

#include <errno.h>
#include <linux/if_bridge.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdarg.h>
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

static bool put(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *key,
		const char *fmt, ...)
{
	char path[160], val[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_write(xs, t, path, val, strlen(val));
}

static bool write_nodes(struct xs_handle *xs, uint16_t domid, const struct keel_vif *v,
			const char *be, const char *fe)
{
	struct xs_permissions be_perm[2] = {{0, XS_PERM_NONE}, {domid, XS_PERM_READ}};
	struct xs_permissions fe_perm[2] = {{domid, XS_PERM_NONE}, {0, XS_PERM_READ}};

	for (int tries = 0; tries < 10; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		bool ok =
		    t != XBT_NULL && xs_mkdir(xs, t, be) &&
		    xs_set_permissions(xs, t, be, be_perm, 2) && xs_mkdir(xs, t, fe) &&
		    xs_set_permissions(xs, t, fe, fe_perm, 2) &&
		    put(xs, t, be, "frontend", "%s", fe) &&
		    put(xs, t, be, "frontend-id", "%u", domid) && put(xs, t, be, "online", "1") &&
		    put(xs, t, be, "state", "%d", XENBUS_INITIALISING) &&
		    put(xs, t, be, "handle", "%u", v->handle) &&
		    put(xs, t, be, "mac", "%s", v->mac) &&
		    put(xs, t, be, "bridge", "%s", v->bridge) && put(xs, t, be, "type", "vif") &&
		    /* netback refuses a backend without it; Keel runs no script (its own hotplug
		     * step is below), so it only names what that step does. */
		    put(xs, t, be, "script", "%s", v->script ? v->script : "vif-bridge") &&
		    put(xs, t, fe, "backend", "%s", be) && put(xs, t, fe, "backend-id", "0") &&
		    put(xs, t, fe, "state", "%d", XENBUS_INITIALISING) &&
		    put(xs, t, fe, "handle", "%u", v->handle) &&
		    put(xs, t, fe, "mac", "%s", v->mac);

		if (t == XBT_NULL)
			return false;
		if (!ok) {
			xs_transaction_end(xs, t, true);
			return false;
		}
		if (xs_transaction_end(xs, t, false))
			return true;
		if (errno != EAGAIN)
			return false;
	}
	return false;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
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
	double end = now_s() + timeout_s;
	int rc;

	if (!if_nametoindex(v->bridge))
		return keel_errf(err, err_len,
				 "bridge %s: no such interface in dom0 (make it: "
				 "ip link add %s type bridge; ip link set %s up)",
				 v->bridge, v->bridge, v->bridge);
	snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", domid, v->handle);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", domid, v->handle);
	snprintf(ifname, sizeof(ifname), "vif%u.%u", domid, v->handle);
	if (!write_nodes(xs, domid, v, be, fe))
		return keel_errf(err, err_len, "xenstore: writing %s: %s", be, strerror(errno));
	/* netback makes vifD.N as it takes the backend directory. */
	while (!if_nametoindex(ifname) && now_s() < end)
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
