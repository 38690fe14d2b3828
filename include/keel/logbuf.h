/* The log ring: every printk record, kept for later readers (dom0's tools will read it). */
#ifndef KEEL_LOGBUF_H
#define KEEL_LOGBUF_H

#include <keel/types.h>

/*
 * A byte ring of fixed capacity holding whole text lines. When full, the oldest bytes are
 * overwritten and readers that fell behind are moved forward to the next line start.
 * Positions are free-running 64-bit sequence numbers of bytes.
 */
struct logbuf {
	char *data;
	size_t size; /* power of two */
	u64 head;    /* next byte to write */
	u64 tail;    /* oldest byte still held */
};

void logbuf_init(struct logbuf *lb, char *storage, size_t size);
void logbuf_append(struct logbuf *lb, const char *text, size_t len);
/*
 * Copy bytes from sequence position *@pos into @out (at most @max), advancing *@pos.
 * A position older than the tail is first moved up to the tail. Returns bytes copied.
 */
size_t logbuf_read(const struct logbuf *lb, u64 *pos, char *out, size_t max);

/* The hypervisor's own log ring (common/printk.c). */
extern struct logbuf keel_log;

#endif
