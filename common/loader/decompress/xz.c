/* The .xz container: stream header and footer, block headers and filters, checks, the index. */
#include <keel/compiler.h>
#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#include "lzma2.h"
#include "xz_check.h"

#define XZ_HEADER_LEN	    12
#define XZ_FOOTER_LEN	    12
#define XZ_MAGIC_LEN	    6
#define XZ_CHECK_NONE	    0
#define XZ_CHECK_CRC32	    1
#define XZ_CHECK_CRC64	    4
#define XZ_CHECK_SHA256	    10
#define XZ_CHECK_MAX_LEN    64
#define XZ_VLI_MAX_BYTES    9
#define XZ_FILTER_X86	    0x04
#define XZ_FILTER_LZMA2	    0x21
#define XZ_BLOCK_RESERVED   0x3c
#define XZ_BLOCK_CSIZE	    0x40
#define XZ_BLOCK_USIZE	    0x80
#define XZ_SIZE_UNKNOWN	    (~0ull)
#define LZMA2_DICT_BITS_MAX 40

static const u8 xz_magic[XZ_MAGIC_LEN] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const u8 xz_footer_magic[2] = {'Y', 'Z'};

/* What the work memory holds. */
struct xz_work {
	struct lzma2_dec lzma2;
	struct xz_check_tables tables;
};
BUILD_BUG_ON(sizeof(struct xz_work) > (size_t)DECOMPRESS_WORK_SIZE);

/*
 * The blocks of one stream as the index must list them, summed up: the index is only met after
 * the blocks, and there is no memory to keep them one by one.
 */
struct xz_records {
	u64 count;
	u64 unpadded_sum;
	u64 uncompressed_sum;
	u32 crc; /* over each record as two little-endian u64 */
};

struct xz_dec {
	const u8 *in;
	size_t in_len;
	size_t pos; /* next input byte */
	u8 *out;
	size_t out_max;
	size_t out_pos; /* output bytes so far */
	struct xz_work *w;
	const char *why;
	u8 flags[2]; /* this stream's flags (the check type) */
	struct xz_records blocks;
};

static u32 get_le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static int fail(struct xz_dec *s, int err, const char *why)
{
	s->why = why;
	return err;
}

/* Bytes of the check @type; types the format reserves have fixed sizes too. */
static size_t check_len(unsigned int type)
{
	return type ? (size_t)4 << ((type - 1) / 3) : 0;
}

/*
 * A variable-length integer (7 bits a byte, low first, at most 9 bytes, no needless zero byte)
 * at *@pos, which may not reach @end. Running into @end is @end_err (truncated or corrupt).
 */
static int read_vli(struct xz_dec *s, size_t *pos, size_t end, int end_err, u64 *val)
{
	unsigned int i;

	*val = 0;
	for (i = 0; i < XZ_VLI_MAX_BYTES; i++) {
		u8 b;

		if (*pos >= end)
			return fail(s, end_err,
				    end_err == -ENODATA ? "xz: truncated"
							: "xz: field runs past its header");
		b = s->in[(*pos)++];
		*val |= (u64)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			if (b == 0 && i)
				return fail(s, -EINVAL, "xz: integer with a needless zero byte");
			return 0;
		}
	}
	return fail(s, -EINVAL, "xz: integer longer than 9 bytes");
}

static void add_record(struct xz_dec *s, struct xz_records *r, u64 unpadded, u64 usize)
{
	u8 rec[16];
	unsigned int i;

	for (i = 0; i < 8; i++) {
		rec[i] = (u8)(unpadded >> (8 * i));
		rec[8 + i] = (u8)(usize >> (8 * i));
	}
	r->count++;
	r->unpadded_sum += unpadded;
	r->uncompressed_sum += usize;
	r->crc = xz_crc32(&s->w->tables, rec, sizeof(rec)) ^ (r->crc * 31);
}

/*
 * BCJ x86 decoding in place: the encoder turned the rel32 operands of E8 (CALL) and E9 (JMP)
 * into absolute targets when their top byte was 0x00 or 0xff; @start is @buf's stream offset.
 * A 3-bit mask remembers which of the last three bytes were E8/E9 left alone, so that a run of
 * such bytes is treated exactly as the encoder treated it.
 */
static bool x86_top_byte(u8 b)
{
	return b == 0x00 || b == 0xff;
}

/* The first offset from @i below @limit holding E8 or E9 (or @limit): eight bytes a step. */
static size_t x86_find_branch(const u8 *buf, size_t i, size_t limit)
{
	const u64 ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (i < limit && limit - i >= 8) {
		u64 w, x;

		__builtin_memcpy(&w, buf + i, 8);
		x = (w & ~ones) ^ (0xe8 * ones); /* a zero byte where (byte & 0xfe) == 0xe8 */
		if ((x - ones) & ~x & highs)
			break;
		i += 8;
	}
	while (i < limit && (buf[i] & 0xfe) != 0xe8)
		i++;
	return i;
}

static void bcj_x86_decode(u8 *buf, size_t len, u32 start)
{
	/* For each mask: may a candidate be converted at all, and which operand byte to test. */
	static const bool mask_ok[8] = {true, true, true, false, true, false, false, false};
	static const u8 mask_byte[8] = {0, 1, 2, 2, 3, 3, 3, 3};
	size_t i = 0, last = (size_t)-1; /* last candidate's offset */
	unsigned int mask = 0;

	if (len < 5)
		return;
	for (;;) {
		size_t gap;

		i = x86_find_branch(buf, i, len - 4);
		if (i >= len - 4)
			break;
		gap = i - last;
		last = i;
		if (gap > 3) {
			mask = 0;
		} else {
			mask = (mask << (gap - 1)) & 7;
			if (mask &&
			    (!mask_ok[mask] || x86_top_byte(buf[i + 4 - mask_byte[mask]]))) {
				mask = ((mask << 1) & 7) | 1;
				i++;
				continue;
			}
		}
		if (!x86_top_byte(buf[i + 4])) {
			mask = ((mask << 1) & 7) | 1;
			i++;
			continue;
		}
		u32 target = get_le32(buf + i + 1), rel;

		for (;;) {
			unsigned int shift;

			rel = target - (start + (u32)i + 5);
			if (!mask)
				break;
			shift = 24 - 8 * mask_byte[mask];
			if (!x86_top_byte((u8)(rel >> shift)))
				break;
			target = rel ^ ((1u << shift << 8) - 1);
		}
		buf[i + 1] = (u8)rel;
		buf[i + 2] = (u8)(rel >> 8);
		buf[i + 3] = (u8)(rel >> 16);
		buf[i + 4] = (rel & 0x01000000u) ? 0xff : 0x00;
		i += 5;
	}
}

/* Stream header at s->pos: magic, flags (the check type), their CRC32. */
static int stream_header(struct xz_dec *s)
{
	const u8 *h = s->in + s->pos;
	size_t avail = s->in_len - s->pos, i;
	unsigned int check;

	for (i = 0; i < XZ_MAGIC_LEN; i++) {
		if (i >= avail)
			return fail(s, -ENODATA, "xz: stream header truncated");
		if (h[i] != xz_magic[i])
			return fail(s, -EINVAL, "not xz (bad magic)");
	}
	if (avail < XZ_HEADER_LEN)
		return fail(s, -ENODATA, "xz: stream header truncated");
	if (xz_crc32(&s->w->tables, h + 6, 2) != get_le32(h + 8))
		return fail(s, -EINVAL, "xz: stream header CRC mismatch");
	check = h[7];
	if (h[6] != 0 || check > 0x0f)
		return fail(s, -EINVAL, "xz: reserved stream flags set");
	if (check != XZ_CHECK_NONE && check != XZ_CHECK_CRC32 && check != XZ_CHECK_CRC64 &&
	    check != XZ_CHECK_SHA256)
		return fail(s, -EINVAL, "xz: unsupported check type");
	s->flags[0] = h[6];
	s->flags[1] = h[7];
	s->pos += XZ_HEADER_LEN;
	return 0;
}

/* What a block header says. */
struct xz_block {
	size_t header_len;
	u64 csize, usize; /* XZ_SIZE_UNKNOWN unless the header gives them */
	u32 dict_size;
	bool x86;
	u32 x86_start;
};

static int block_header(struct xz_dec *s, struct xz_block *b)
{
	const u8 *h = s->in + s->pos;
	size_t end, p;
	unsigned int flags, nfilters, i;
	int err;

	b->header_len = ((size_t)h[0] + 1) * 4;
	if (s->in_len - s->pos < b->header_len)
		return fail(s, -ENODATA, "xz: block header truncated");
	end = s->pos + b->header_len - 4;
	if (xz_crc32(&s->w->tables, h, b->header_len - 4) != get_le32(s->in + end))
		return fail(s, -EINVAL, "xz: block header CRC mismatch");
	flags = h[1];
	if (flags & XZ_BLOCK_RESERVED)
		return fail(s, -EINVAL, "xz: reserved block flags set");
	p = s->pos + 2;
	b->csize = b->usize = XZ_SIZE_UNKNOWN;
	if (flags & XZ_BLOCK_CSIZE) {
		err = read_vli(s, &p, end, -EINVAL, &b->csize);
		if (err)
			return err;
		if (b->csize == 0)
			return fail(s, -EINVAL, "xz: block with no compressed data");
	}
	if (flags & XZ_BLOCK_USIZE) {
		err = read_vli(s, &p, end, -EINVAL, &b->usize);
		if (err)
			return err;
	}
	/* Filters: an optional BCJ x86, then LZMA2 (which must come last). */
	nfilters = (flags & 3) + 1;
	b->x86 = false;
	b->x86_start = 0;
	for (i = 0; i < nfilters; i++) {
		u64 id, plen;

		err = read_vli(s, &p, end, -EINVAL, &id);
		if (!err)
			err = read_vli(s, &p, end, -EINVAL, &plen);
		if (err)
			return err;
		if (plen > end - p)
			return fail(s, -EINVAL, "xz: filter properties run past the block header");
		if (id == XZ_FILTER_LZMA2) {
			unsigned int bits;

			if (i != nfilters - 1 || plen != 1)
				return fail(s, -EINVAL, "xz: bad LZMA2 filter flags");
			bits = s->in[p];
			if (bits > LZMA2_DICT_BITS_MAX)
				return fail(s, -EINVAL, "xz: LZMA2 dictionary size too big");
			b->dict_size = bits == LZMA2_DICT_BITS_MAX
					   ? 0xffffffffu
					   : (2u | (bits & 1)) << (bits / 2 + 11);
		} else if (id == XZ_FILTER_X86) {
			if (i != 0 || i == nfilters - 1 || (plen != 0 && plen != 4))
				return fail(s, -EINVAL, "xz: bad BCJ x86 filter flags");
			b->x86 = true;
			if (plen)
				b->x86_start = get_le32(s->in + p);
		} else {
			return fail(s, -EINVAL, "xz: unsupported filter (only BCJ x86 and LZMA2)");
		}
		p += plen;
	}
	for (; p < end; p++)
		if (s->in[p])
			return fail(s, -EINVAL, "xz: block header padding not zero");
	s->pos += b->header_len;
	return 0;
}

/* The block's check, computed over its output, against the stored one at s->pos. */
static int block_check(struct xz_dec *s, const u8 *data, size_t len)
{
	const u8 *stored = s->in + s->pos;
	unsigned int type = s->flags[1];
	u8 digest[SHA256_DIGEST_LEN];
	bool ok = true;
	u64 crc64;

	if (type == XZ_CHECK_CRC32) {
		ok = xz_crc32(&s->w->tables, data, len) == get_le32(stored);
	} else if (type == XZ_CHECK_CRC64) {
		crc64 = xz_crc64(&s->w->tables, data, len);
		ok = (u32)crc64 == get_le32(stored) && (u32)(crc64 >> 32) == get_le32(stored + 4);
	} else if (type == XZ_CHECK_SHA256) {
		xz_sha256(data, len, digest);
		ok = memcmp(digest, stored, SHA256_DIGEST_LEN) == 0;
	}
	return ok ? 0 : fail(s, -EINVAL, "xz: block check mismatch (corrupt data)");
}

static int decode_block(struct xz_dec *s)
{
	size_t data_start, in_avail, in_limit, room, out_limit, used, produced, check;
	struct xz_block b;
	u8 *data;
	int err;

	err = block_header(s, &b);
	if (err)
		return err;
	data_start = s->pos;
	data = s->out + s->out_pos;
	/* Declared sizes bound the LZMA2 stream; past them it is corrupt, not truncated. */
	in_avail = s->in_len - data_start;
	in_limit = b.csize <= in_avail ? (size_t)b.csize : in_avail;
	room = s->out_max - s->out_pos;
	out_limit = b.usize <= room ? (size_t)b.usize : room;
	err = lzma2_decode(&s->w->lzma2, s->in + data_start, in_limit, &used, data, out_limit,
			   &produced, b.dict_size, &s->why);
	s->out_pos += produced;
	s->pos += used;
	if (err == -ENODATA && b.csize <= in_avail)
		return fail(s, -EINVAL, "xz: block data longer than its header says");
	if (err == -E2BIG && b.usize <= room)
		return fail(s, -EINVAL, "xz: block output longer than its header says");
	if (err)
		return err;
	if ((b.csize != XZ_SIZE_UNKNOWN && used != b.csize) ||
	    (b.usize != XZ_SIZE_UNKNOWN && produced != b.usize))
		return fail(s, -EINVAL, "xz: block sizes differ from its header");
	/* Padding to a multiple of four, then the check. */
	for (; (s->pos - data_start) & 3; s->pos++) {
		if (s->pos >= s->in_len)
			return fail(s, -ENODATA, "xz: block padding truncated");
		if (s->in[s->pos])
			return fail(s, -EINVAL, "xz: block padding not zero");
	}
	check = check_len(s->flags[1]);
	if (s->in_len - s->pos < check)
		return fail(s, -ENODATA, "xz: block check truncated");
	if (b.x86)
		bcj_x86_decode(data, produced, b.x86_start);
	err = block_check(s, data, produced);
	if (err)
		return err;
	s->pos += check;
	add_record(s, &s->blocks, b.header_len + used + check, produced);
	return 0;
}

/* The index at s->pos (its indicator byte is zero): the blocks' sizes, padding, CRC32. */
static int stream_index(struct xz_dec *s, size_t *index_len)
{
	struct xz_records listed = {0};
	size_t start = s->pos;
	u64 count, unpadded, usize, i;
	int err;

	s->pos++;
	err = read_vli(s, &s->pos, s->in_len, -ENODATA, &count);
	if (err)
		return err;
	if (count != s->blocks.count)
		return fail(s, -EINVAL, "xz: index lists a different number of blocks");
	for (i = 0; i < count; i++) {
		err = read_vli(s, &s->pos, s->in_len, -ENODATA, &unpadded);
		if (!err)
			err = read_vli(s, &s->pos, s->in_len, -ENODATA, &usize);
		if (err)
			return err;
		add_record(s, &listed, unpadded, usize);
	}
	if (listed.unpadded_sum != s->blocks.unpadded_sum ||
	    listed.uncompressed_sum != s->blocks.uncompressed_sum || listed.crc != s->blocks.crc)
		return fail(s, -EINVAL, "xz: index does not match the blocks");
	for (; (s->pos - start) & 3; s->pos++) {
		if (s->pos >= s->in_len)
			return fail(s, -ENODATA, "xz: truncated");
		if (s->in[s->pos])
			return fail(s, -EINVAL, "xz: index padding not zero");
	}
	if (s->in_len - s->pos < 4)
		return fail(s, -ENODATA, "xz: truncated");
	if (xz_crc32(&s->w->tables, s->in + start, s->pos - start) != get_le32(s->in + s->pos))
		return fail(s, -EINVAL, "xz: index CRC mismatch");
	s->pos += 4;
	*index_len = s->pos - start;
	return 0;
}

/* Stream footer: CRC32, the index size, the same flags as the header, "YZ". */
static int stream_footer(struct xz_dec *s, size_t index_len)
{
	const u8 *f = s->in + s->pos;

	if (s->in_len - s->pos < XZ_FOOTER_LEN)
		return fail(s, -ENODATA, "xz: stream footer truncated");
	if (memcmp(f + 10, xz_footer_magic, 2) != 0)
		return fail(s, -EINVAL, "xz: bad stream footer magic");
	if (xz_crc32(&s->w->tables, f + 4, 6) != get_le32(f))
		return fail(s, -EINVAL, "xz: stream footer CRC mismatch");
	if (((u64)get_le32(f + 4) + 1) * 4 != index_len)
		return fail(s, -EINVAL, "xz: stream footer gives the wrong index size");
	if (f[8] != s->flags[0] || f[9] != s->flags[1])
		return fail(s, -EINVAL, "xz: stream footer flags differ from the header's");
	s->pos += XZ_FOOTER_LEN;
	return 0;
}

static int decode_stream(struct xz_dec *s)
{
	size_t index_len;
	int err;

	memset(&s->blocks, 0, sizeof(s->blocks));
	err = stream_header(s);
	while (!err) {
		if (s->pos >= s->in_len)
			return fail(s, -ENODATA, "xz: truncated");
		if (s->in[s->pos] == 0)
			break;
		err = decode_block(s);
	}
	if (!err)
		err = stream_index(s, &index_len);
	if (!err)
		err = stream_footer(s, index_len);
	return err;
}

/* Another stream after @pos, past stream padding (zeros, four at a time)? Where it starts. */
static bool next_stream(const struct xz_dec *s, size_t *pos)
{
	size_t p = *pos;

	while (s->in_len - p >= 4 && get_le32(s->in + p) == 0)
		p += 4;
	if (s->in_len - p < XZ_MAGIC_LEN || memcmp(s->in + p, xz_magic, XZ_MAGIC_LEN) != 0)
		return false;
	*pos = p;
	return true;
}

int decompress_xz(const u8 *in, size_t in_len, u8 *out, size_t out_max, void *work,
		  struct decompress_result *res)
{
	struct xz_dec s = {.in = in, .in_len = in_len, .out = out, .out_max = out_max, .w = work};
	size_t end;
	int err;

	res->out_len = 0;
	res->in_used = 0;
	res->why = NULL;
	if (!work || ((unsigned long)work & 15)) {
		res->why = "xz: work memory missing or misaligned";
		return -EINVAL;
	}
	xz_check_init(&s.w->tables);
	do {
		err = decode_stream(&s);
		end = s.pos;
	} while (!err && next_stream(&s, &s.pos));
	res->out_len = s.out_pos;
	res->in_used = err ? s.pos : end;
	res->why = err ? s.why : NULL;
	return err;
}
