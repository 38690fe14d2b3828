/* Zstandard literals: the Literals_Section header, Huffman tree descriptions, 1 and 4 streams. */
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#include "zstd_internal.h"

#define MAX_WEIGHTS 255 /* the last symbol's weight is implied */

static int bad(struct zstd_dec *d, const char *why)
{
	return zstd_fail(d, -EINVAL, why);
}

/* Turn d->weights[0..n-1] (plus the implied last one) into the lookup table d->huf. */
static int build_table(struct zstd_dec *d, unsigned int n)
{
	u32 rank_count[ZSTD_HUF_MAX_BITS + 1] = {0}, start[ZSTD_HUF_MAX_BITS + 1];
	u32 total = 0, rest, pos = 0;
	unsigned int bits, last, s, w;

	for (s = 0; s < n; s++) {
		w = d->weights[s];
		if (w > ZSTD_HUF_MAX_BITS)
			return bad(d, "zstd: Huffman weight too large");
		if (w) {
			total += 1u << (w - 1);
			rank_count[w]++;
		}
	}
	if (total == 0)
		return bad(d, "zstd: Huffman tree has one symbol");
	bits = zstd_highbit32(total) + 1;
	if (bits > ZSTD_HUF_MAX_BITS)
		return bad(d, "zstd: Huffman codes longer than 11 bits");
	rest = (1u << bits) - total;
	if (rest & (rest - 1))
		return bad(d, "zstd: Huffman weights do not complete a tree");
	last = zstd_highbit32(rest) + 1;
	d->weights[n++] = (u8)last;
	rank_count[last]++;
	if (rank_count[1] < 2)
		return bad(d, "zstd: Huffman tree without weight 1");
	/* Codes go out in order of increasing weight, then symbol: a run of cells per weight. */
	for (w = 1; w <= bits; w++) {
		start[w] = pos;
		pos += rank_count[w] << (w - 1);
	}
	for (s = 0; s < n; s++) {
		w = d->weights[s];
		if (!w)
			continue;
		u16 e = (u16)(s | (bits + 1 - w) << 8);
		u32 len = 1u << (w - 1);
		u16 *cell = d->huf + start[w];

		start[w] += len;
		while (len--)
			*cell++ = e;
	}
	d->huf_bits = (u8)bits;
	d->have_huf = true;
	return 0;
}

/* Weights compressed with FSE: two interleaved states sharing one table (RFC 8878 4.2.1.2). */
static int read_fse_weights(struct zstd_dec *d, const u8 *src, size_t len, unsigned int *count)
{
	const struct zstd_fse_entry *t = d->wt;
	struct zstd_bits b;
	unsigned int n = 0;
	u32 s1, s2;
	u8 log;
	int used;

	used =
	    zstd_fse_read_table(d, src, len, ZSTD_WT_MAX_LOG, ZSTD_WT_MAX_SYM, NULL, d->wt, &log);
	if (used < 0)
		return used;
	if (zstd_bits_init(&b, src + used, len - (size_t)used))
		return bad(d, "zstd: bad Huffman weight bitstream");
	s1 = zstd_bits_read(&b, log);
	s2 = zstd_bits_read(&b, log);
	zstd_bits_reload(&b);
	if (zstd_bits_overflow(&b))
		return bad(d, "zstd: Huffman weight bitstream truncated");
	for (;;) {
		if (n > MAX_WEIGHTS - 2)
			return bad(d, "zstd: too many Huffman weights");
		d->weights[n++] = (u8)t[s1].base;
		s1 = t[s1].next + zstd_bits_read(&b, t[s1].nbits);
		zstd_bits_reload(&b);
		if (zstd_bits_overflow(&b)) {
			d->weights[n++] = (u8)t[s2].base;
			break;
		}
		d->weights[n++] = (u8)t[s2].base;
		s2 = t[s2].next + zstd_bits_read(&b, t[s2].nbits);
		zstd_bits_reload(&b);
		if (zstd_bits_overflow(&b)) {
			d->weights[n++] = (u8)t[s1].base;
			break;
		}
	}
	*count = n;
	return 0;
}

/* Huffman_Tree_Description at @src; returns the bytes it takes. */
static int read_tree(struct zstd_dec *d, const u8 *src, size_t len)
{
	unsigned int n, hdr;
	size_t size;
	int rc;

	if (len < 1)
		return bad(d, "zstd: Huffman tree truncated");
	hdr = src[0];
	if (hdr >= 128) {
		n = hdr - 127;
		size = (n + 1) / 2;
		if (len - 1 < size)
			return bad(d, "zstd: Huffman tree truncated");
		for (unsigned int i = 0; i < n; i++)
			d->weights[i] = i & 1 ? src[1 + i / 2] & 15 : src[1 + i / 2] >> 4;
	} else {
		size = hdr;
		if (len - 1 < size)
			return bad(d, "zstd: Huffman tree truncated");
		rc = read_fse_weights(d, src + 1, size, &n);
		if (rc)
			return rc;
	}
	rc = build_table(d, n);
	return rc ? rc : (int)(1 + size);
}

/* Decode @count literals from one Huffman stream into @dst; the stream must end exactly. */
static int decode_stream(struct zstd_dec *d, u8 *dst, size_t count, const u8 *src, size_t len)
{
	const u16 *tab = d->huf;
	unsigned int nb = d->huf_bits;
	u8 *o = dst, *end = dst + count;
	struct zstd_bits b;
	u16 e;

	if (zstd_bits_init(&b, src, len))
		return bad(d, "zstd: bad Huffman stream");
	/* Five 11-bit codes fit in the window while it can move back a whole 8 bytes. */
	while (end - o >= 5 && b.ptr >= b.fast) {
		u64 cur = b.cur;
		unsigned int used = b.used;

		for (int i = 0; i < 5; i++) {
			e = tab[cur >> (64 - nb)];
			*o++ = (u8)e;
			cur <<= e >> 8;
			used += e >> 8;
		}
		b.used = used;
		zstd_bits_reload(&b);
	}
	while (o < end) {
		e = tab[zstd_bits_peek(&b, nb)];
		*o++ = (u8)e;
		zstd_bits_skip(&b, e >> 8);
		zstd_bits_reload(&b);
	}
	if (!zstd_bits_done(&b))
		return bad(d, "zstd: Huffman stream not consumed exactly");
	return 0;
}

static int decode_huffman(struct zstd_dec *d, u8 *dst, size_t regen, const u8 *src, size_t len,
			  bool four)
{
	size_t s1, s2, s3, seg;
	int rc;

	if (!four)
		return decode_stream(d, dst, regen, src, len);
	if (len < 10)
		return bad(d, "zstd: Huffman jump table truncated");
	s1 = src[0] | (size_t)src[1] << 8;
	s2 = src[2] | (size_t)src[3] << 8;
	s3 = src[4] | (size_t)src[5] << 8;
	if (s1 + s2 + s3 + 6 + 1 > len)
		return bad(d, "zstd: Huffman jump table overruns the literals");
	seg = (regen + 3) / 4;
	if (3 * seg > regen)
		return bad(d, "zstd: too few literals for four streams");
	src += 6;
	len -= 6;
	rc = decode_stream(d, dst, seg, src, s1);
	if (!rc)
		rc = decode_stream(d, dst + seg, seg, src + s1, s2);
	if (!rc)
		rc = decode_stream(d, dst + 2 * seg, seg, src + s1 + s2, s3);
	if (!rc)
		rc = decode_stream(d, dst + 3 * seg, regen - 3 * seg, src + s1 + s2 + s3,
				   len - s1 - s2 - s3);
	return rc;
}

/* Point the block's literals at @n bytes ending where the block's room ends. */
static u8 *literals_in_out(struct zstd_dec *d, size_t n)
{
	u8 *dst = d->oend - n;

	d->lit = dst;
	d->lit_end = d->oend;
	d->lit_read_end = d->out + d->out_max;
	d->lit_in_out = true;
	return dst;
}

int zstd_decode_literals(struct zstd_dec *d, const u8 *src, size_t len)
{
	unsigned int type = src[0] & 3, format = (src[0] >> 2) & 3;
	size_t hs, regen, csize;
	u64 hdr = 0;
	int rc;

	if (type <= 1) { /* Raw or RLE: only Regenerated_Size */
		hs = format == 1 ? 2 : format == 3 ? 3 : 1;
		if (len < hs + type)
			return bad(d, "zstd: literals section truncated");
		regen = format == 1 ? (src[0] >> 4) + ((size_t)src[1] << 4)
			: format == 3
			    ? (src[0] >> 4) + ((size_t)src[1] << 4) + ((size_t)src[2] << 12)
			    : (size_t)(src[0] >> 3);
		if (regen > (size_t)(d->oend - d->op))
			return zstd_too_big(d);
		if (type == 1) {
			memset(literals_in_out(d, regen), src[hs], regen);
			return (int)(hs + 1);
		}
		if (len - hs < regen)
			return bad(d, "zstd: raw literals overrun the block");
		d->lit = src + hs;
		d->lit_end = src + hs + regen;
		d->lit_read_end = src + len;
		d->lit_in_out = false;
		return (int)(hs + regen);
	}
	/* Compressed or treeless: Regenerated_Size and Compressed_Size, 1 or 4 streams. */
	unsigned int field = format <= 1 ? 10 : format == 2 ? 14 : 18;
	hs = format <= 1 ? 3 : format == 2 ? 4 : 5;
	if (len < hs)
		return bad(d, "zstd: literals section truncated");
	for (size_t i = 0; i < hs; i++)
		hdr |= (u64)src[i] << (8 * i);
	regen = (hdr >> 4) & ((1u << field) - 1);
	csize = (hdr >> (4 + field)) & ((1u << field) - 1);
	if (len - hs < csize)
		return bad(d, "zstd: compressed literals overrun the block");
	if (regen > (size_t)(d->oend - d->op))
		return zstd_too_big(d);
	src += hs;
	size_t tree = 0;
	if (type == 2) {
		rc = read_tree(d, src, csize);
		if (rc < 0)
			return rc;
		tree = (size_t)rc;
	} else if (!d->have_huf) {
		return bad(d, "zstd: treeless literals without a previous Huffman tree");
	}
	rc = decode_huffman(d, literals_in_out(d, regen), regen, src + tree, csize - tree,
			    format != 0);
	return rc ? rc : (int)(hs + csize);
}
