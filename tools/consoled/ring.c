/* ring.c: the console ring's queues (free-running u32 indices, guest-hostile) and the pty fifo. */
#include <string.h>

#include "ring.h"

#define OUT_MASK(i) ((i) & (XENCONS_OUT_SIZE - 1))
#define IN_MASK(i)  ((i) & (XENCONS_IN_SIZE - 1))

_Static_assert((XENCONS_OUT_SIZE & (XENCONS_OUT_SIZE - 1)) == 0, "out[] size a power of two");
_Static_assert((XENCONS_IN_SIZE & (XENCONS_IN_SIZE - 1)) == 0, "in[] size a power of two");

/* Bytes the guest has produced into out[] and we have not consumed, or -1. */
static long out_avail(const struct cons_ring *r)
{
	struct xencons_interface *p = r->page;
	uint32_t prod;

	if (__atomic_load_n(&p->out_cons, __ATOMIC_RELAXED) != r->out_cons)
		return -1;
	/* Once, and before the bytes it covers (acquire: the guest wrote them first). */
	prod = __atomic_load_n(&p->out_prod, __ATOMIC_ACQUIRE);
	if (prod - r->out_cons > XENCONS_OUT_SIZE)
		return -1;
	return (long)(prod - r->out_cons);
}

long cons_ring_in_space(const struct cons_ring *r)
{
	struct xencons_interface *p = r->page;
	uint32_t cons;

	if (__atomic_load_n(&p->in_prod, __ATOMIC_RELAXED) != r->in_prod)
		return -1;
	/* Once, and before we write where it says the guest has read (acquire). */
	cons = __atomic_load_n(&p->in_cons, __ATOMIC_ACQUIRE);
	if (r->in_prod - cons > XENCONS_IN_SIZE)
		return -1;
	return (long)(XENCONS_IN_SIZE - (r->in_prod - cons));
}

bool cons_ring_attach(struct cons_ring *r, struct xencons_interface *page)
{
	r->page = page;
	r->out_cons = __atomic_load_n(&page->out_cons, __ATOMIC_RELAXED);
	r->in_prod = __atomic_load_n(&page->in_prod, __ATOMIC_RELAXED);
	return out_avail(r) >= 0 && cons_ring_in_space(r) >= 0;
}

long cons_ring_read_out(struct cons_ring *r, void *buf, size_t max)
{
	long avail = out_avail(r);
	uint32_t n, at, first;

	if (avail < 0)
		return -1;
	n = (size_t)avail < max ? (uint32_t)avail : (uint32_t)max;
	at = OUT_MASK(r->out_cons);
	first = XENCONS_OUT_SIZE - at < n ? XENCONS_OUT_SIZE - at : n;
	if (!n)
		return 0;
	memcpy(buf, r->page->out + at, first);
	memcpy((char *)buf + first, r->page->out, n - first);
	r->out_cons += n;
	/* Release: the copies are done before the guest may reuse those bytes. */
	__atomic_store_n(&r->page->out_cons, r->out_cons, __ATOMIC_RELEASE);
	return (long)n;
}

long cons_ring_write_in(struct cons_ring *r, const void *buf, size_t len)
{
	long space = cons_ring_in_space(r);
	uint32_t n, at, first;

	if (space < 0)
		return -1;
	n = (size_t)space < len ? (uint32_t)space : (uint32_t)len;
	at = IN_MASK(r->in_prod);
	first = XENCONS_IN_SIZE - at < n ? XENCONS_IN_SIZE - at : n;
	if (!n)
		return 0;
	memcpy(r->page->in + at, buf, first);
	memcpy(r->page->in, (const char *)buf + first, n - first);
	r->in_prod += n;
	/* Release (the write barrier): the bytes are in in[] before the guest sees the index. */
	__atomic_store_n(&r->page->in_prod, r->in_prod, __ATOMIC_RELEASE);
	return (long)n;
}

void cons_fifo_init(struct cons_fifo *f, char *storage, size_t size)
{
	f->buf = storage;
	f->size = size;
	f->head = f->len = 0;
}

size_t cons_fifo_push(struct cons_fifo *f, const void *data, size_t len)
{
	const char *src = data;
	size_t dropped = 0, tail, first;

	if (len >= f->size) { /* only the newest size bytes can stay */
		dropped = f->len + (len - f->size);
		src += len - f->size;
		len = f->size;
		f->head = f->len = 0;
	} else if (f->len + len > f->size) {
		dropped = f->len + len - f->size;
		cons_fifo_consume(f, dropped);
	}
	if (!len)
		return dropped;
	tail = (f->head + f->len) % f->size;
	first = f->size - tail < len ? f->size - tail : len;
	memcpy(f->buf + tail, src, first);
	memcpy(f->buf, src + first, len - first);
	f->len += len;
	return dropped;
}

size_t cons_fifo_peek(const struct cons_fifo *f, const char **data)
{
	*data = f->buf + f->head;
	return f->size - f->head < f->len ? f->size - f->head : f->len;
}

void cons_fifo_consume(struct cons_fifo *f, size_t n)
{
	if (n >= f->len) {
		f->head = f->len = 0;
		return;
	}
	f->head = (f->head + n) % f->size;
	f->len -= n;
}
