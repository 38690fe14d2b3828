/* Log ring: a power-of-two byte ring of text lines that overwrites its oldest lines when full. */
#include <keel/compiler.h>
#include <keel/logbuf.h>
#include <keel/panic.h>
#include <keel/string.h>

void logbuf_init(struct logbuf *lb, char *storage, size_t size)
{
	BUG_ON(!storage || size == 0 || (size & (size - 1)) != 0);
	lb->data = storage;
	lb->size = size;
	lb->head = 0;
	lb->tail = 0;
}

/*
 * The byte at sequence position @pos during an append of @text (@len bytes, starting at
 * @old_head) onto a ring whose held bytes are [@tail, @old_head). @pos must be >= @tail.
 */
static char append_byte_at(const struct logbuf *lb, u64 tail, u64 old_head, const char *text,
			   u64 pos)
{
	if (pos >= old_head)
		return text[pos - old_head];
	if (pos < tail)
		return '\0'; /* not held (cannot happen under printk's lock); not a line end */
	return lb->data[pos & (lb->size - 1)];
}

/*
 * Where the tail must move so that the ring holds at most @size bytes ending at @new_head:
 * the first line start at or after new_head - size. A line longer than the whole ring has no
 * line start in range; then its newest part is kept (readers see a partial line).
 */
static u64 append_new_tail(const struct logbuf *lb, u64 tail, u64 old_head, const char *text,
			   u64 new_head)
{
	u64 min_tail = new_head - lb->size;
	u64 pos;

	if (append_byte_at(lb, tail, old_head, text, min_tail - 1) == '\n')
		return min_tail;
	for (pos = min_tail; pos + 1 < new_head; pos++) {
		if (append_byte_at(lb, tail, old_head, text, pos) == '\n')
			return pos + 1;
	}
	return min_tail;
}

void logbuf_append(struct logbuf *lb, const char *text, size_t len)
{
	u64 old_head = lb->head, tail = lb->tail, new_head = old_head + len, start = old_head;
	size_t mask = lb->size - 1, off, chunk;
	const char *src = text;

	if (len == 0)
		return;
	if (new_head - tail > lb->size)
		lb->tail = append_new_tail(lb, tail, old_head, text, new_head);

	/* Only the newest @size bytes of an oversized append can survive. */
	if (len > lb->size) {
		src += len - lb->size;
		start += len - lb->size;
		len = lb->size;
	}
	off = start & mask;
	chunk = MIN(len, lb->size - off);
	memcpy(lb->data + off, src, chunk);
	memcpy(lb->data, src + chunk, len - chunk);
	lb->head = new_head;
}

size_t logbuf_read(const struct logbuf *lb, u64 *pos, char *out, size_t max)
{
	size_t mask = lb->size - 1, n, off, chunk;
	u64 p = *pos;

	if (p < lb->tail)
		p = lb->tail;
	if (p > lb->head)
		p = lb->head;
	n = (size_t)MIN((u64)max, lb->head - p);
	off = p & mask;
	chunk = MIN(n, lb->size - off);
	memcpy(out, lb->data + off, chunk);
	memcpy(out + chunk, lb->data, n - chunk);
	*pos = p + n;
	return n;
}
