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

/* The fifo against a plain model: the newest @size bytes of everything pushed and not taken. */
struct model {
	uint8_t bytes[256];
	size_t len;
};

static void model_push(struct model *m, size_t size, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (m->len == size && size) {
			memmove(m->bytes, m->bytes + 1, size - 1);
			m->len--;
		}
		if (size)
			m->bytes[m->len++] = data[i];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	/* Exactly the page's size on the heap, so that any access past it is caught. */
	struct xencons_interface *page = malloc(sizeof(*page));
	size_t fifo_size = take(&in, 1); /* 0..255 */
	char *store = malloc(fifo_size ? fifo_size : 1);
	struct cons_fifo fifo;
	struct model model = {.len = 0};
	struct cons_ring ring;
	static char buf[XENCONS_OUT_SIZE];
	bool attached;

	if (!page || !store)
		abort();
	memset(page, 0, sizeof(*page));
	page->in_cons = take(&in, 4);
	page->in_prod = take(&in, 4);
	page->out_cons = take(&in, 4);
	page->out_prod = take(&in, 4);
	for (size_t i = 0; i < sizeof(page->out); i++)
		page->out[i] = (char)i;
	cons_fifo_init(&fifo, store, fifo_size);
	attached = cons_ring_attach(&ring, page);
	CHECK(attached == (page->out_prod - page->out_cons <= XENCONS_OUT_SIZE &&
			   page->in_prod - page->in_cons <= XENCONS_IN_SIZE));
	while (in.left) {
		uint32_t op = take(&in, 1), arg = take(&in, 2), before, cons;
		long n;

		switch (op % 8) {
		case 0: { /* the daemon reads output */
			size_t max = arg % (sizeof(buf) + 1);
			uint32_t avail = page->out_prod - ring.out_cons;
			bool bad = page->out_cons != ring.out_cons || avail > XENCONS_OUT_SIZE;

			before = ring.out_cons;
			n = cons_ring_read_out(&ring, buf, max);
			/* -1 exactly for impossible indices, else all there is up to max. */
			CHECK(bad ? n == -1 : n == (long)(avail < max ? avail : max));
			if (n < 0) {
				CHECK(ring.out_cons == before);
				break;
			}
			CHECK(ring.out_cons - before == (uint32_t)n &&
			      page->out_cons == ring.out_cons);
			for (long i = 0; i < n; i++)
				CHECK(buf[i] ==
				      page->out[(before + (uint32_t)i) % XENCONS_OUT_SIZE]);
			break;
		}
		case 1: { /* the daemon writes input */
			size_t len = arg % (in.left + 1);

			uint32_t used = ring.in_prod - page->in_cons;
			bool bad = page->in_prod != ring.in_prod || used > XENCONS_IN_SIZE;

			before = ring.in_prod;
			cons = page->in_cons;
			CHECK(cons_ring_in_space(&ring) ==
			      (bad ? -1 : (long)(XENCONS_IN_SIZE - used)));
			n = cons_ring_write_in(&ring, in.p, len);
			CHECK(bad ? n == -1
				  : n == (long)(XENCONS_IN_SIZE - used < len
						    ? XENCONS_IN_SIZE - used
						    : len));
			if (n < 0) {
				CHECK(ring.in_prod == before);
				break;
			}
			CHECK(ring.in_prod - before == (uint32_t)n &&
			      page->in_prod == ring.in_prod);
			CHECK(ring.in_prod - cons <= XENCONS_IN_SIZE);
			for (long i = 0; i < n; i++)
				CHECK(page->in[(before + (uint32_t)i) % XENCONS_IN_SIZE] ==
				      (char)in.p[i]);
			in.p += len;
			in.left -= len;
			break;
		}
		case 2: { /* the guest sets any index to anything */
			uint32_t *index[] = {&page->in_cons, &page->in_prod, &page->out_cons,
					     &page->out_prod};

			*index[arg % 4] = take(&in, 4);
			break;
		}
		case 3: /* the guest writes output and publishes it */
			for (uint32_t i = 0; i < (arg & 0xfff); i++)
				page->out[(page->out_prod + i) % XENCONS_OUT_SIZE] = (char)(i * 7);
			page->out_prod += arg & 0xfff;
			break;
		case 4: /* the guest reads input (or moves its index back) */
			page->in_cons += (uint32_t)(int32_t)(int16_t)arg;
			break;
		case 5: { /* output into the pty fifo */
			size_t len = arg % (in.left + 1), dropped, was = fifo.len;

			dropped = cons_fifo_push(&fifo, in.p, len);
			model_push(&model, fifo_size, in.p, len);
			CHECK(fifo.len <= fifo_size && fifo.len == model.len);
			CHECK(was + len - dropped == fifo.len);
			in.p += len;
			in.left -= len;
			break;
		}
		case 6: { /* the pty takes some */
			const char *chunk;
			size_t got = cons_fifo_peek(&fifo, &chunk), take_n = arg % (got + 1);

			CHECK(got <= fifo.len && (!fifo.len || got));
			CHECK(!memcmp(chunk, model.bytes, got));
			cons_fifo_consume(&fifo, take_n);
			memmove(model.bytes, model.bytes + take_n, model.len - take_n);
			model.len -= take_n;
			break;
		}
		default: /* the daemon reconnects */
			attached = cons_ring_attach(&ring, page);
			CHECK(attached == (page->out_prod - page->out_cons <= XENCONS_OUT_SIZE &&
					   page->in_prod - page->in_cons <= XENCONS_IN_SIZE));
			break;
		}
	}
	free(store);
	free(page);
	return 0;
}
