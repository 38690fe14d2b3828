/* Writing ACPI tables into a buffer: bounded appends, headers, lengths and checksums. */
#ifndef KEEL_LOADER_ACPI_OUT_H
#define KEEL_LOADER_ACPI_OUT_H

#include <keel/string.h>
#include <keel/types.h>

struct out {
	u8 *buf;
	size_t len, cap;
	bool overflow;
};

static inline void put(struct out *o, const void *p, size_t n)
{
	if (o->overflow || o->len > o->cap || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static inline void put8(struct out *o, u8 v)
{
	put(o, &v, 1);
}

static inline void put_le(struct out *o, u64 v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		put8(o, (u8)(v >> (8 * i)));
}

static inline void put_zeros(struct out *o, size_t n)
{
	while (n--)
		put8(o, 0);
}

static inline void set_le(u8 *p, u64 v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (u8)(v >> (8 * i));
}

static inline u8 checksum_byte(const u8 *p, size_t len)
{
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return (u8)(0x100 - sum);
}

static inline void align16(struct out *o)
{
	while (!o->overflow && o->len % 16)
		put8(o, 0);
}

/* The common header; length and checksum are set by table_end(). Returns the table offset. */
static inline size_t table_begin(struct out *o, const char *sig, u8 rev)
{
	size_t at;

	align16(o);
	at = o->len;
	put(o, sig, 4);
	put_le(o, 0, 4); /* length */
	put8(o, rev);
	put8(o, 0); /* checksum */
	put(o, "KEEL  ", 6);
	put(o, "KEELVM  ", 8);
	put_le(o, 1, 4);   /* OEM revision */
	put(o, "KEEL", 4); /* creator */
	put_le(o, 1, 4);
	return at;
}

static inline void table_end(struct out *o, size_t at)
{
	if (o->overflow)
		return;
	set_le(o->buf + at + 4, o->len - at, 4);
	o->buf[at + 9] = checksum_byte(o->buf + at, o->len - at);
}

#endif
