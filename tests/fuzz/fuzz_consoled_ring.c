/* fuzz_consoled_ring.c: keel-consoled's ring queues and pty fifo under guest-chosen indices. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/consoled/ring.h"

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

struct input {
	const uint8_t *p;
	size_t left;
};

static uint32_t take(struct input *in, size_t bytes)
{
	uint32_t v = 0;

	while (bytes-- && in->left) {
		v = v << 8 | *in->p++;
		in->left--;
	}
	return v;
}

/* The fifo's expected contents: the newest bytes pushed and not taken, at most its size. */
struct model {
	uint8_t bytes[256];
	size_t len, size;
};

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static void attach(struct cons_ring *ring, struct xencons_interface *page)
{
	bool ok = cons_ring_attach(ring, page);

	CHECK(ok == (page->out_prod - page->out_cons <= XENCONS_OUT_SIZE &&
		     page->in_prod - page->in_cons <= XENCONS_IN_SIZE));
}

/* The daemon reads up to @max bytes of output: -1 exactly for impossible indices, else all
 * there is up to @max, the bytes where the indices say. */
static void read_out(struct cons_ring *ring, struct xencons_interface *page, size_t max)
{
	static char buf[XENCONS_OUT_SIZE];
	uint32_t before = ring->out_cons, avail = page->out_prod - before;
	bool bad = page->out_cons != before || avail > XENCONS_OUT_SIZE;
	long n = cons_ring_read_out(ring, buf, max);

	CHECK(bad ? n == -1 : n == (long)min_size(avail, max));
	if (n < 0) {
		CHECK(ring->out_cons == before);
		return;
	}
	CHECK(ring->out_cons - before == (uint32_t)n && page->out_cons == ring->out_cons);
	for (long i = 0; i < n; i++)
		CHECK(buf[i] == page->out[(before + (uint32_t)i) % XENCONS_OUT_SIZE]);
}

/* The daemon writes @len bytes of input: as much as there is room for, or -1. */
static void write_in(struct cons_ring *ring, struct xencons_interface *page, const uint8_t *data,
		     size_t len)
{
	uint32_t before = ring->in_prod, used = before - page->in_cons;
	bool bad = page->in_prod != before || used > XENCONS_IN_SIZE;
	long n;

	CHECK(cons_ring_in_space(ring) == (bad ? -1 : (long)(XENCONS_IN_SIZE - used)));
	n = cons_ring_write_in(ring, data, len);
	CHECK(bad ? n == -1 : n == (long)min_size(XENCONS_IN_SIZE - used, len));
	if (n < 0) {
		CHECK(ring->in_prod == before);
		return;
	}
	CHECK(ring->in_prod - before == (uint32_t)n && page->in_prod == ring->in_prod);
	for (long i = 0; i < n; i++)
		CHECK(page->in[(before + (uint32_t)i) % XENCONS_IN_SIZE] == (char)data[i]);
}

static void fifo_push(struct cons_fifo *fifo, struct model *m, const uint8_t *data, size_t len)
{
	size_t was = fifo->len, dropped = cons_fifo_push(fifo, data, len);

	for (size_t i = 0; i < len && m->size; i++) {
		if (m->len == m->size) {
			memmove(m->bytes, m->bytes + 1, m->size - 1);
			m->len--;
		}
		m->bytes[m->len++] = data[i];
	}
	CHECK(fifo->len <= m->size && fifo->len == m->len && was + len - dropped == fifo->len);
}

/* The pty takes @want of the oldest contiguous run. */
static void fifo_take(struct cons_fifo *fifo, struct model *m, size_t want)
{
	const char *chunk;
	size_t got = cons_fifo_peek(fifo, &chunk), n = want % (got + 1);

	CHECK(got <= fifo->len && (!fifo->len || got) && !memcmp(chunk, m->bytes, got));
	cons_fifo_consume(fifo, n);
	memmove(m->bytes, m->bytes + n, m->len - n);
	m->len -= n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	/* Exactly the page's size on the heap, so that any access past it is caught. */
	struct xencons_interface *page = malloc(sizeof(*page));
	struct model model = {.len = 0, .size = take(&in, 1)};
	char *store = malloc(model.size ? model.size : 1);
	struct cons_fifo fifo;
	struct cons_ring ring;

	if (!page || !store)
		abort();
	memset(page, 0, sizeof(*page));
	page->in_cons = take(&in, 4);
	page->in_prod = take(&in, 4);
	page->out_cons = take(&in, 4);
	page->out_prod = take(&in, 4);
	for (size_t i = 0; i < sizeof(page->out); i++)
		page->out[i] = (char)i;
	cons_fifo_init(&fifo, store, model.size);
	attach(&ring, page);
	while (in.left) {
		uint32_t op = take(&in, 1), arg = take(&in, 2),
			 *index[] = {&page->in_cons, &page->in_prod, &page->out_cons,
				     &page->out_prod};
		size_t len = arg % (in.left + 1);

		switch (op % 8) {
		case 0:
			read_out(&ring, page, arg % (XENCONS_OUT_SIZE + 1));
			break;
		case 1:
			write_in(&ring, page, in.p, len);
			in.p += len;
			in.left -= len;
			break;
		case 2: /* the guest sets any index to anything */
			*index[arg % 4] = take(&in, 4);
			break;
		case 3: /* the guest writes output and publishes it */
			for (uint32_t i = 0; i < (arg & 0xfff); i++)
				page->out[(page->out_prod + i) % XENCONS_OUT_SIZE] = (char)(i * 7);
			page->out_prod += arg & 0xfff;
			break;
		case 4: /* the guest reads input (or moves its index back) */
			page->in_cons += (uint32_t)(int32_t)(int16_t)arg;
			break;
		case 5: /* output into the pty fifo */
			fifo_push(&fifo, &model, in.p, len);
			in.p += len;
			in.left -= len;
			break;
		case 6:
			fifo_take(&fifo, &model, arg);
			break;
		default: /* the daemon reconnects */
			attach(&ring, page);
			break;
		}
	}
	free(store);
	free(page);
	return 0;
}
