/* ring.c: the xenstore ring's byte queues: free-running u32 indices masked into 1024 bytes. */
#include <string.h>

#include "ring.h"

#define MASK(i) ((i) & (XS_RING_SIZE - 1))

long xs_ring_read_requests(struct xs_ring_page *page, void *buf, size_t max)
{
	uint32_t cons = __atomic_load_n(&page->req_cons, __ATOMIC_RELAXED);
	uint32_t prod = __atomic_load_n(&page->req_prod, __ATOMIC_ACQUIRE);
	uint32_t avail = prod - cons;
	size_t done = 0;

	if (avail > XS_RING_SIZE)
		return -1;
	while (done < max && done < avail) {
		uint32_t at = MASK(cons + (uint32_t)done);
		size_t chunk = XS_RING_SIZE - at;

		if (chunk > avail - done)
			chunk = avail - done;
		if (chunk > max - done)
			chunk = max - done;
		memcpy((char *)buf + done, page->req + at, chunk);
		done += chunk;
	}
	__atomic_store_n(&page->req_cons, cons + (uint32_t)done, __ATOMIC_RELEASE);
	return (long)done;
}

long xs_ring_write_replies(struct xs_ring_page *page, const void *buf, size_t len)
{
	uint32_t cons = __atomic_load_n(&page->rsp_cons, __ATOMIC_ACQUIRE);
	uint32_t prod = __atomic_load_n(&page->rsp_prod, __ATOMIC_RELAXED);
	uint32_t used = prod - cons;
	size_t done = 0;

	if (used > XS_RING_SIZE)
		return -1;
	while (done < len && used + done < XS_RING_SIZE) {
		uint32_t at = MASK(prod + (uint32_t)done);
		size_t chunk = XS_RING_SIZE - at;
		size_t space = XS_RING_SIZE - used - done;

		if (chunk > space)
			chunk = space;
		if (chunk > len - done)
			chunk = len - done;
		memcpy(page->rsp + at, (const char *)buf + done, chunk);
		done += chunk;
	}
	__atomic_store_n(&page->rsp_prod, prod + (uint32_t)done, __ATOMIC_RELEASE);
	return (long)done;
}
