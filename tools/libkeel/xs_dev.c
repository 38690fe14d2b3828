/* libkeel: a split device's xenstore directories, written in one transaction. */
#include "xs_dev.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool keel_xs_put(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *key,
		 const char *fmt, ...)
{
	char path[160], val[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_write(xs, t, path, val, strlen(val));
}

bool keel_xs_device_write(struct xs_handle *xs, uint16_t domid, const char *be, const char *fe,
			  bool (*fill)(struct xs_handle *xs, xs_transaction_t t, const char *be,
				       const char *fe, const void *ctx),
			  const void *ctx)
{
	struct xs_permissions be_perm[2] = {{0, XS_PERM_NONE}, {domid, XS_PERM_READ}};
	struct xs_permissions fe_perm[2] = {{domid, XS_PERM_NONE}, {0, XS_PERM_READ}};

	for (int tries = 0; tries < 10; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		bool ok = t != XBT_NULL && xs_mkdir(xs, t, be) &&
			  xs_set_permissions(xs, t, be, be_perm, 2) && xs_mkdir(xs, t, fe) &&
			  xs_set_permissions(xs, t, fe, fe_perm, 2) && fill(xs, t, be, fe, ctx);

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

double keel_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
