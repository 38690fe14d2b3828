/* ring.h: the xenstore ring's byte queues, on a plain struct xs_ring_page (testable anywhere). */
#ifndef KEEL_XS_RING_H
#define KEEL_XS_RING_H

#include <stdbool.h>
#include <stddef.h>

#include "xs_proto.h"

/* Copies up to max request bytes out of the ring; returns the count, or -1 if the guest's
 * indices are impossible (more than a ring's worth outstanding). */
long xs_ring_read_requests(struct xs_ring_page *page, void *buf, size_t max);
/* Copies as much of buf into the reply ring as fits; returns the count, or -1 on bad indices. */
long xs_ring_write_replies(struct xs_ring_page *page, const void *buf, size_t len);

#endif
