/* libkeel: a built domain's xenstore home written and the domain introduced to xenstored. */
#ifndef LIBKEEL_INTRODUCE_H
#define LIBKEEL_INTRODUCE_H

#include <stddef.h>
#include <stdint.h>

#include "build.h"

struct xs_handle;

/*
 * /local/domain/D: readable by D, with name, domid, memory/target and static-max (KiB), the
 * console nodes keel-consoled serves (console/ring-ref, port, type) and control/, data/ and
 * device/ the domain may write (Linux's xenbus writes control/feature-* and device state); then
 * XS_INTRODUCE with the xenstore ring's GFN and port. 0, or -1 with what failed in @err.
 */
int keel_xs_introduce(struct xs_handle *xs, const struct keel_build *b, uint64_t target_kib,
		      uint64_t max_kib, char *err, size_t err_len);

#endif
