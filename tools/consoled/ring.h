/* ring.h: the console ring's two byte queues and the pty's bounded buffer, on plain memory. */
#ifndef KEEL_CONSOLED_RING_H
#define KEEL_CONSOLED_RING_H

#include <public/console.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One domain's struct xencons_interface. The guest writes out_prod and in_cons; the two others
 * are ours, kept here and only stored to the page, so a guest that moves them is noticed. Every
 * index read from the page is read once; every call returns -1 (and changes nothing) when the
 * page's indices are impossible: more than a ring's worth outstanding, or ours moved.
 */
struct cons_ring {
	struct xencons_interface *page;
	uint32_t out_cons; /* what we consumed of out[] */
	uint32_t in_prod;  /* what we produced into in[] */
};

/* Adopts the page's out_cons and in_prod as ours; false if its indices are already impossible. */
bool cons_ring_attach(struct cons_ring *r, struct xencons_interface *page);
/* Copies up to @max bytes of the guest's output into @buf and consumes them: the count or -1. */
long cons_ring_read_out(struct cons_ring *r, void *buf, size_t max);
/* Free bytes in in[] now, or -1. */
long cons_ring_in_space(const struct cons_ring *r);
/* Copies as much of @buf into in[] as fits, then publishes it: the count or -1. */
long cons_ring_write_in(struct cons_ring *r, const void *buf, size_t len);

/*
 * A bounded byte queue over caller-owned storage: output waiting for a pty nobody reads. Pushing
 * into a full queue drops the oldest bytes, so it always takes everything and never grows.
 */
struct cons_fifo {
	char *buf;
	size_t size; /* capacity */
	size_t head; /* offset of the oldest byte */
	size_t len;  /* bytes queued */
};

void cons_fifo_init(struct cons_fifo *f, char *storage, size_t size);
/* Appends @len bytes; returns how many old (or, past the capacity, new) bytes were dropped. */
size_t cons_fifo_push(struct cons_fifo *f, const void *data, size_t len);
/* The oldest contiguous run of queued bytes: its length (0 when empty) and *@data its start. */
size_t cons_fifo_peek(const struct cons_fifo *f, const char **data);
/* Forgets the @n oldest bytes (at most all of them). */
void cons_fifo_consume(struct cons_fifo *f, size_t n);

#endif
