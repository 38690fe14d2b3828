/* libkeel: a built domain's xenstore home written and the domain introduced to xenstored. */
#ifndef LIBKEEL_INTRODUCE_H
#define LIBKEEL_INTRODUCE_H

#include <stddef.h>
#include <stdint.h>

#include "build.h"
#include "libkeel.h"

struct xs_handle;

/*
 * /local/domain/D: readable by D, with name, domid, memory/target and static-max (KiB), the
 * console nodes keel-consoled serves (console/ring-ref, port, type) and control/, data/ and
 * device/ the domain may write (Linux's xenbus writes control/feature-* and device state); then
 * XS_INTRODUCE with the xenstore ring's GFN and port. 0, or -1 with what failed in @err.
 */
int keel_xs_introduce(struct xs_handle *xs, const struct keel_build *b, uint64_t target_kib,
		      uint64_t max_kib, char *err, size_t err_len);

/*
 * Until domain @domid has shut down, crashed or is being destroyed (0, *@info as last read), or
 * @timeout_s passed (-ETIMEDOUT), or getinfo failed (its -errno: -ESRCH once it is gone). Woken
 * by @releaseDomain (keel-xenstored fires it on each VIRQ_DOM_EXC), polled at 5 Hz besides;
 * @each (may be NULL) runs on every round, for a caller serving the domain meanwhile.
 */
int keel_wait_ended(struct keel_handle *h, struct xs_handle *xs, uint16_t domid, double timeout_s,
		    void (*each)(void *ctx), void *ctx, struct keel_domain_info *info);

#endif
