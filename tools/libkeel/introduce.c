/* libkeel: a built domain's xenstore home (its nodes and permissions) and its introduction. */
#include "introduce.h"
#include "errf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <xenstore.h>

static bool put(struct xs_handle *xs, uint16_t d, const char *rel, const char *fmt, ...)
{
	char path[128], val[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "/local/domain/%u/%s", d, rel);
	return xs_write(xs, XBT_NULL, path, val, strlen(val));
}

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
	if (!put(xs, d, "name", "%s", b->name) || !put(xs, d, "domid", "%u", d) ||
	    !put(xs, d, "memory/target", "%llu", (unsigned long long)target_kib) ||
	    !put(xs, d, "memory/static-max", "%llu", (unsigned long long)max_kib) ||
	    !put(xs, d, "console/ring-ref", "%llu", (unsigned long long)b->console_gfn) ||
	    !put(xs, d, "console/port", "%u", b->console_port) ||
	    !put(xs, d, "console/type", "xenconsoled") || !owned_dir(xs, d, "control") ||
	    !owned_dir(xs, d, "data") || !owned_dir(xs, d, "device"))
		return keel_errf(err, err_len, "xenstore: writing d%u's home: %s", d,
				 strerror(errno));
	if (!xs_introduce_domain(xs, d, b->store_gfn, b->store_port))
		return keel_errf(err, err_len, "xenstore: introducing d%u: %s", d, strerror(errno));
	return 0;
}
