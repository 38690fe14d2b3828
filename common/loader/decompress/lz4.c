/* The LZ4 block decoder and the LZ4 "legacy" framing that Linux's LZ4 kernel images use. */
#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#define LZ4_LEGACY_MAGIC     0x184C2102u
#define LZ4_LEGACY_BLOCK_MAX (8u << 20) /* a legacy block decompresses to at most 8 MiB */
/* The most a compressor emits for an 8 MiB block: a size above this is no block's size. */
#define LZ4_LEGACY_CBLOCK_MAX (LZ4_LEGACY_BLOCK_MAX + LZ4_LEGACY_BLOCK_MAX / 255 + 16)
#define LZ4_MIN_MATCH	      4

/* One block's input and output cursors; the output may grow to @limit bytes past @start. */
struct lz4_block {
	const u8 *in;
	size_t in_len;
	size_t in_pos;
	u8 *out;
	size_t start;	     /* this block's first byte in @out: matches reach no further back */
	size_t pos;	     /* next byte written in @out */
	size_t limit;	     /* @out's usable end for this block: min(out_max, start + 8 MiB) */
	bool limit_is_block; /* @limit is the 8 MiB block bound, not the caller's out_max */
	const char *why;
};

static int lz4_fail(struct lz4_block *b, int err, const char *why)
{
	b->why = why;
	return err;
}

static int lz4_too_long(struct lz4_block *b)
{
	if (b->limit_is_block)
		return lz4_fail(b, -EINVAL, "lz4: a block decompresses to more than 8 MiB");
	return lz4_fail(b, -E2BIG, "lz4: output larger than the buffer");
}

/*
 * A length: the token's nibble, and if that is 15, more bytes added until one is not 255.
 * Anything longer than @cap is reported as @cap + 1: the caller refuses it anyway.
 */
static int lz4_read_length(struct lz4_block *b, unsigned int nibble, size_t cap, size_t *len)
{
	size_t n = nibble;

	if (nibble == 15) {
		u8 byte;

		do {
			if (b->in_pos >= b->in_len)
				return lz4_fail(b, -EINVAL, "lz4: block ends inside a length");
			byte = b->in[b->in_pos++];
			if (n <= cap)
				n += byte;
		} while (byte == 255);
	}
	*len = n <= cap ? n : cap + 1;
	return 0;
}

static int lz4_copy_literals(struct lz4_block *b, unsigned int nibble)
{
	size_t len;
	int rc = lz4_read_length(b, nibble, b->in_len, &len);

	if (rc)
		return rc;
	if (len > b->in_len - b->in_pos)
		return lz4_fail(b, -EINVAL, "lz4: literals run past the block's end");
	if (len > b->limit - b->pos)
		return lz4_too_long(b);
	memcpy(b->out + b->pos, b->in + b->in_pos, len);
	b->in_pos += len;
	b->pos += len;
	return 0;
}

static int lz4_copy_match(struct lz4_block *b, unsigned int nibble)
{
	size_t offset, len;
	u8 *dst;
	const u8 *src;
	int rc;

	if (b->in_len - b->in_pos < 2)
		return lz4_fail(b, -EINVAL, "lz4: block ends inside a match offset");
	offset = (size_t)b->in[b->in_pos] | (size_t)b->in[b->in_pos + 1] << 8;
	b->in_pos += 2;
	if (offset == 0)
		return lz4_fail(b, -EINVAL, "lz4: match offset 0");
	if (offset > b->pos - b->start)
		return lz4_fail(b, -EINVAL, "lz4: match offset before the block's start");
	rc = lz4_read_length(b, nibble, b->limit - b->pos, &len);
	if (rc)
		return rc;
	len += LZ4_MIN_MATCH;
	if (len > b->limit - b->pos)
		return lz4_too_long(b);
	dst = b->out + b->pos;
	src = dst - offset;
	if (offset >= len) {
		memcpy(dst, src, len);
	} else {
		/* Overlapping: each byte may be one this copy just wrote (a repeated pattern). */
		for (size_t i = 0; i < len; i++)
			dst[i] = src[i];
	}
	b->pos += len;
	return 0;
}

/* Sequences until the block's input ends, which it must do right after a sequence's literals. */
static int lz4_decode_block(struct lz4_block *b)
{
	if (b->in_len == 0)
		return lz4_fail(b, -EINVAL, "lz4: empty block");
	for (;;) {
		if (b->in_pos >= b->in_len)
			return lz4_fail(b, -EINVAL, "lz4: block ends before its last literals");
		u8 token = b->in[b->in_pos++];
		int rc = lz4_copy_literals(b, token >> 4);

		if (rc)
			return rc;
		if (b->in_pos == b->in_len)
			return 0; /* the last sequence: literals only */
		rc = lz4_copy_match(b, token & 15);
		if (rc)
			return rc;
	}
}

static u32 lz4_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static int lz4_result(struct decompress_result *res, int rc, size_t out_len, size_t in_used,
		      const char *why)
{
	res->out_len = out_len;
	res->in_used = in_used;
	res->why = rc ? why : NULL;
	return rc;
}

/*
 * The magic, then blocks (le32 compressed size, an independent LZ4 block). The stream ends at
 * the input's end, at a zero size (padding) or at a word too large to be a block's size (as the
 * uncompressed size the kernel build appends is, for a kernel above 8 MiB). A further magic
 * (concatenated streams) is skipped. A size that could be a block's but overruns the input, or
 * 1-3 stray bytes, is a truncated stream. A caller knowing of a small appended size strips it.
 */
int decompress_lz4_legacy(const u8 *in, size_t in_len, u8 *out, size_t out_max,
			  struct decompress_result *res)
{
	struct lz4_block b = {.out = out};
	size_t pos, out_pos = 0;

	if (in_len < 4)
		return lz4_result(res, -ENODATA, 0, 0, "lz4: input ends inside the magic");
	if (lz4_le32(in) != LZ4_LEGACY_MAGIC)
		return lz4_result(res, -EINVAL, 0, 0, "lz4: not an LZ4 legacy stream (bad magic)");
	pos = 4;
	while (pos < in_len) {
		if (in_len - pos < 4)
			return lz4_result(res, -ENODATA, out_pos, pos,
					  "lz4: input ends inside a block size");
		u32 word = lz4_le32(in + pos);
		int rc;

		if (word == LZ4_LEGACY_MAGIC) {
			pos += 4;
			continue;
		}
		if (word == 0 || word > LZ4_LEGACY_CBLOCK_MAX)
			break;
		if (word > in_len - pos - 4)
			return lz4_result(res, -ENODATA, out_pos, pos,
					  "lz4: input ends inside a block");
		b.in = in + pos + 4;
		b.in_len = word;
		b.in_pos = 0;
		b.start = out_pos;
		b.pos = out_pos;
		b.limit_is_block = out_max - out_pos > LZ4_LEGACY_BLOCK_MAX;
		b.limit = b.limit_is_block ? out_pos + LZ4_LEGACY_BLOCK_MAX : out_max;
		rc = lz4_decode_block(&b);
		if (rc)
			return lz4_result(res, rc, b.pos, pos, b.why);
		out_pos = b.pos;
		pos += 4 + (size_t)word;
	}
	return lz4_result(res, 0, out_pos, pos, NULL);
}
