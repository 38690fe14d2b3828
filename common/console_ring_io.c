/* PV console ring index handling: taking the guest's output and giving it input, indices checked. */
#include <keel/compiler.h>
#include <keel/console_ring.h>
#include <keel/errno.h>
#include <public/console.h>

/*
 * The guest shares the page and may rewrite any index at any time: each is read once into a
 * local, checked, and every buffer access is masked by the buffer size, so nothing here reads or
 * writes outside the page whatever the guest does. A fence orders the data against the index
 * that publishes or frees it (the guest's side does the same).
 */
int xencons_take_output(struct xencons_interface *r, char *buf, size_t max)
{
	u32 cons = READ_ONCE(r->out_cons);
	u32 prod = READ_ONCE(r->out_prod);
	u32 avail = prod - cons;
	size_t n;

	if (avail > XENCONS_OUT_SIZE) {
		WRITE_ONCE(r->out_cons, prod);
		return -EIO;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the bytes after the index that covers them */
	n = MIN((size_t)avail, max);
	for (size_t i = 0; i < n; i++)
		buf[i] = READ_ONCE(r->out[(cons + (u32)i) & (XENCONS_OUT_SIZE - 1)]);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the bytes are read before they are freed */
	WRITE_ONCE(r->out_cons, cons + (u32)n);
	return (int)n;
}

int xencons_put_input(struct xencons_interface *r, const char *buf, size_t len)
{
	u32 cons = READ_ONCE(r->in_cons);
	u32 prod = READ_ONCE(r->in_prod);
	u32 used = prod - cons;
	size_t n;

	if (used > XENCONS_IN_SIZE) {
		WRITE_ONCE(r->in_prod, cons);
		return -EIO;
	}
	n = MIN((size_t)(XENCONS_IN_SIZE - used), len);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the guest has read what it freed */
	for (size_t i = 0; i < n; i++)
		WRITE_ONCE(r->in[(prod + (u32)i) & (XENCONS_IN_SIZE - 1)], buf[i]);
	__atomic_thread_fence(
	    __ATOMIC_SEQ_CST); /* the bytes before the index that publishes them */
	WRITE_ONCE(r->in_prod, prod + (u32)n);
	return (int)n;
}
