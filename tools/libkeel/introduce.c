/* libkeel: a built domain's xenstore home, its introduction, and waiting for its end. */
#include "introduce.h"
#include "errf.h"
#include "xs_dev.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

/* /local/domain/D/@rel: a directory the domain owns (it may write below it). */
static bool owned_dir(struct xs_handle *xs, uint16_t d, const char *rel)
{
	struct xs_permissions own[1] = {{d, XS_PERM_NONE}};
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u%s%s", d, *rel ? "/" : "", rel);
	return xs_mkdir(xs, XBT_NULL, path) && xs_set_permissions(xs, XBT_NULL, path, own, 1);
}

int keel_xs_introduce(struct xs_handle *xs, const struct keel_build *b, uint64_t target_kib,
		      uint64_t max_kib, char *err, size_t err_len)
{
	struct xs_permissions home[2] = {{0, XS_PERM_NONE}, {b->domid, XS_PERM_READ}};
	char path[64];
	uint16_t d = b->domid;

	snprintf(path, sizeof(path), "/local/domain/%u", d);
	if (!xs_mkdir(xs, XBT_NULL, path) || !xs_set_permissions(xs, XBT_NULL, path, home, 2))
		return keel_errf(err, err_len, "xenstore %s: %s", path, strerror(errno));
	if (!keel_xs_put(xs, XBT_NULL, path, "name", "%s", b->name) ||
	    !keel_xs_put(xs, XBT_NULL, path, "domid", "%u", d) ||
	    !keel_xs_put(xs, XBT_NULL, path, "start-time", "%lld", (long long)time(NULL)) ||
	    !keel_xs_put(xs, XBT_NULL, path, "memory/target", "%llu",
			 (unsigned long long)target_kib) ||
	    !keel_xs_put(xs, XBT_NULL, path, "memory/static-max", "%llu",
			 (unsigned long long)max_kib) ||
	    !keel_xs_put(xs, XBT_NULL, path, "console/ring-ref", "%llu",
			 (unsigned long long)b->console_gfn) ||
	    !keel_xs_put(xs, XBT_NULL, path, "console/port", "%u", b->console_port) ||
	    !keel_xs_put(xs, XBT_NULL, path, "console/type", "xenconsoled") ||
	    !owned_dir(xs, d, "control") || !owned_dir(xs, d, "data") ||
	    !owned_dir(xs, d, "device"))
		return keel_errf(err, err_len, "xenstore: writing d%u's home: %s", d,
				 strerror(errno));
	if (!xs_introduce_domain(xs, d, b->store_gfn, b->store_port))
		return keel_errf(err, err_len, "xenstore: introducing d%u: %s", d, strerror(errno));
	return 0;
}

int keel_wait_ended(struct keel_handle *h, struct xs_handle *xs, uint16_t domid, double timeout_s,
		    void (*each)(void *ctx), void *ctx, struct keel_domain_info *info)
{
	const uint32_t ended = KEEL_DOMINFO_SHUTDOWN | KEEL_DOMINFO_CRASHED | KEEL_DOMINFO_DYING;
	double end = keel_now_s() + timeout_s;
	int rc;

	if (!xs_watch(xs, "@releaseDomain", "keel-wait"))
		return -errno;
	for (;;) {
		struct pollfd p = {xs_fileno(xs), POLLIN, 0};

		rc = keel_domain_getinfo(h, domid, info);
		if (rc || (info->flags & ended))
			break;
		if (keel_now_s() > end) {
			rc = -ETIMEDOUT;
			break;
		}
		if (each)
			each(ctx);
		if (poll(&p, 1, 200) > 0) {
			char **ev;

			while ((ev = xs_check_watch(xs)) != NULL)
				free(ev);
		}
	}
	xs_unwatch(xs, "@releaseDomain", "keel-wait");
	return rc;
}
