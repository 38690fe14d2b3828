/* Zstandard (RFC 8878) frames: headers, blocks, skippable frames and the XXH64 content checksum. */
#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#include "zstd_internal.h"

BUILD_BUG_ON(sizeof(struct zstd_dec) > (size_t)DECOMPRESS_WORK_SIZE);

#define ZSTD_MAGIC	   0xfd2fb528u
#define SKIPPABLE_MAGIC	   0x184d2a50u /* low 4 bits free */
#define FHD_RESERVED	   0x08u
#define FHD_CHECKSUM	   0x04u
#define FHD_SINGLE_SEGMENT 0x20u
#define BLOCK_HEADER_LEN   3
#define BLOCK_RAW	   0
#define BLOCK_RLE	   1
#define BLOCK_COMPRESSED   2

/* ---- XXH64 (seed 0), fed a frame's output in 32-byte stripes as blocks complete ---- */
#define P1 0x9e3779b185ebca87ull
#define P2 0xc2b2ae3d27d4eb4full
#define P3 0x165667b19e3779f9ull
#define P4 0x85ebca77c2b2ae63ull
#define P5 0x27d4eb2f165667c5ull

struct xxh64 {
	u64 v[4];
	const u8 *start; /* the frame's first output byte */
	const u8 *next;	 /* first byte not yet folded into v (always start + a multiple of 32) */
};

static inline u64 rotl64(u64 x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline u64 xxh_round(u64 acc, u64 lane)
{
	return rotl64(acc + lane * P2, 31) * P1;
}

static void xxh_init(struct xxh64 *h, const u8 *start)
{
	h->v[0] = P1 + P2;
	h->v[1] = P2;
	h->v[2] = 0;
	h->v[3] = 0 - P1;
	h->start = h->next = start;
}

/* Fold in every whole stripe before @end. */
static void xxh_update(struct xxh64 *h, const u8 *end)
{
	const u8 *p = h->next;
	u64 v0 = h->v[0], v1 = h->v[1], v2 = h->v[2], v3 = h->v[3];

	while (end - p >= 32) {
		v0 = xxh_round(v0, zstd_le64(p));
		v1 = xxh_round(v1, zstd_le64(p + 8));
		v2 = xxh_round(v2, zstd_le64(p + 16));
		v3 = xxh_round(v3, zstd_le64(p + 24));
		p += 32;
	}
	h->v[0] = v0;
	h->v[1] = v1;
	h->v[2] = v2;
	h->v[3] = v3;
	h->next = p;
}

static u64 xxh_final(struct xxh64 *h, const u8 *end)
{
	size_t len = (size_t)(end - h->start);
	const u8 *p;
	u64 acc;

	xxh_update(h, end);
	p = h->next;
	if (len >= 32) {
		acc = rotl64(h->v[0], 1) + rotl64(h->v[1], 7) + rotl64(h->v[2], 12) +
		      rotl64(h->v[3], 18);
		for (int i = 0; i < 4; i++)
			acc = (acc ^ xxh_round(0, h->v[i])) * P1 + P4;
	} else {
		acc = P5;
	}
	acc += len;
	for (; end - p >= 8; p += 8)
		acc = rotl64(acc ^ xxh_round(0, zstd_le64(p)), 27) * P1 + P4;
	if (end - p >= 4) {
		u32 w = p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;

		acc = rotl64(acc ^ (w * P1), 23) * P2 + P3;
		p += 4;
	}
	for (; p < end; p++)
		acc = rotl64(acc ^ (*p * P5), 11) * P1;
	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	acc ^= acc >> 32;
	return acc;
}

/* ---- frames ---- */
static u64 get_le(const u8 *p, unsigned int n)
{
	u64 v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

struct frame_header {
	u64 window;	  /* Window_Size */
	u64 content_size; /* Frame_Content_Size, if has_size */
	bool has_size;
	bool checksum;
	size_t len; /* bytes from the magic number to the first block */
};

static int parse_frame_header(struct zstd_dec *d, const u8 *in, size_t len, struct frame_header *fh)
{
	static const u8 did_len[4] = {0, 1, 2, 4};
	static const u8 fcs_len[4] = {0, 2, 4, 8};
	unsigned int fhd, fcs_bytes, did_bytes;
	size_t pos = 5;

	if (len < 5)
		return zstd_fail(d, -ENODATA, "zstd: frame header truncated");
	fhd = in[4];
	if (fhd & FHD_RESERVED)
		return zstd_fail(d, -EINVAL, "zstd: reserved frame header bit set");
	did_bytes = did_len[fhd & 3];
	fcs_bytes = fcs_len[fhd >> 6];
	if (fcs_bytes == 0 && (fhd & FHD_SINGLE_SEGMENT))
		fcs_bytes = 1;
	fh->checksum = fhd & FHD_CHECKSUM;
	fh->has_size = fcs_bytes != 0;
	fh->len = pos + !(fhd & FHD_SINGLE_SEGMENT) + did_bytes + fcs_bytes;
	if (len < fh->len)
		return zstd_fail(d, -ENODATA, "zstd: frame header truncated");
	if (!(fhd & FHD_SINGLE_SEGMENT)) {
		unsigned int exponent = in[pos] >> 3, mantissa = in[pos] & 7;
		u64 base = 1ull << (10 + exponent);

		fh->window = base + (base / 8) * mantissa;
		pos++;
	}
	if (did_bytes && get_le(in + pos, did_bytes) != 0)
		return zstd_fail(d, -EINVAL, "zstd: dictionary needed");
	pos += did_bytes;
	fh->content_size = get_le(in + pos, fcs_bytes) + (fcs_bytes == 2 ? 256 : 0);
	if (fhd & FHD_SINGLE_SEGMENT)
		fh->window = fh->content_size;
	return 0;
}

/* One frame at @in (magic already checked); *@used is how many bytes it took. */
static int decode_frame(struct zstd_dec *d, const u8 *in, size_t len, size_t *used)
{
	struct frame_header fh;
	struct xxh64 xxh;
	size_t pos, block_max;
	bool last = false;
	int rc;

	rc = parse_frame_header(d, in, len, &fh);
	if (rc)
		return rc;
	if (fh.has_size && fh.content_size > (u64)(d->out + d->out_max - d->op))
		return zstd_fail(d, -E2BIG, "zstd: output larger than the buffer");
	block_max = fh.window < ZSTD_BLOCK_MAX ? (size_t)fh.window : ZSTD_BLOCK_MAX;
	d->frame = d->op;
	d->rep[0] = 1;
	d->rep[1] = 4;
	d->rep[2] = 8;
	d->have_ll = d->have_ml = d->have_of = d->have_huf = false;
	xxh_init(&xxh, d->op);
	pos = fh.len;
	while (!last) {
		size_t room = (size_t)(d->out + d->out_max - d->op), size;
		u32 hdr;

		if (len - pos < BLOCK_HEADER_LEN)
			return zstd_fail(d, -ENODATA, "zstd: block header truncated");
		hdr = (u32)get_le(in + pos, 3);
		pos += BLOCK_HEADER_LEN;
		last = hdr & 1;
		size = hdr >> 3;
		if (size > block_max)
			return zstd_fail(d, -EINVAL, "zstd: block larger than Block_Maximum_Size");
		switch ((hdr >> 1) & 3) {
		case BLOCK_RAW:
			if (len - pos < size)
				return zstd_fail(d, -ENODATA, "zstd: raw block truncated");
			if (size > room)
				return zstd_fail(d, -E2BIG, "zstd: output larger than the buffer");
			memcpy(d->op, in + pos, size);
			d->op += size;
			pos += size;
			break;
		case BLOCK_RLE:
			if (len - pos < 1)
				return zstd_fail(d, -ENODATA, "zstd: RLE block truncated");
			if (size > room)
				return zstd_fail(d, -E2BIG, "zstd: output larger than the buffer");
			memset(d->op, in[pos], size);
			d->op += size;
			pos++;
			break;
		case BLOCK_COMPRESSED:
			if (len - pos < size)
				return zstd_fail(d, -ENODATA, "zstd: compressed block truncated");
			if (size == 0)
				return zstd_fail(d, -EINVAL, "zstd: empty compressed block");
			d->oend_is_out_max = room < block_max;
			d->oend = d->op + (d->oend_is_out_max ? room : block_max);
			rc = zstd_decode_literals(d, in + pos, size);
			if (rc < 0)
				return rc;
			rc = zstd_decode_sequences(d, in + pos + (size_t)rc, size - (size_t)rc);
			if (rc)
				return rc;
			pos += size;
			break;
		default:
			return zstd_fail(d, -EINVAL, "zstd: reserved block type");
		}
		if (fh.checksum)
			xxh_update(&xxh, d->op);
	}
	if (fh.has_size && (u64)(d->op - d->frame) != fh.content_size)
		return zstd_fail(d, -EINVAL, "zstd: frame content size mismatch");
	if (fh.checksum) {
		if (len - pos < 4)
			return zstd_fail(d, -ENODATA, "zstd: content checksum truncated");
		if ((u32)xxh_final(&xxh, d->op) != (u32)get_le(in + pos, 4))
			return zstd_fail(d, -EINVAL, "zstd: content checksum mismatch");
		pos += 4;
	}
	*used = pos;
	return 0;
}

int decompress_zstd(const u8 *in, size_t in_len, u8 *out, size_t out_max, void *work,
		    struct decompress_result *res)
{
	struct zstd_dec *d = work;
	size_t pos = 0, used;
	bool first = true;
	int rc = 0;

	res->out_len = 0;
	res->in_used = 0;
	res->why = NULL;
	d->out = out;
	d->out_max = out_max;
	d->op = out;
	d->why = NULL;
	/* Frames follow each other until the input ends or what follows is not a frame. */
	while (in_len - pos >= 4 || first) {
		u32 magic;

		if (in_len - pos < 4) {
			rc = zstd_fail(d, -ENODATA, "zstd: input truncated");
			break;
		}
		magic = (u32)get_le(in + pos, 4);
		if ((magic & ~0xfu) == SKIPPABLE_MAGIC) {
			if (in_len - pos < 8) {
				rc = zstd_fail(d, -ENODATA, "zstd: skippable frame truncated");
				break;
			}
			size_t skip = (size_t)get_le(in + pos + 4, 4);
			if (in_len - pos - 8 < skip) {
				rc = zstd_fail(d, -ENODATA, "zstd: skippable frame truncated");
				break;
			}
			pos += 8 + skip;
		} else if (magic == ZSTD_MAGIC) {
			rc = decode_frame(d, in + pos, in_len - pos, &used);
			if (rc)
				break;
			pos += used;
		} else if (first) {
			rc = zstd_fail(d, -EINVAL, "not zstd (bad magic)");
			break;
		} else {
			break; /* trailing bytes: the caller's */
		}
		first = false;
	}
	res->out_len = (size_t)(d->op - out);
	res->in_used = pos;
	res->why = rc ? d->why : NULL;
	return rc;
}
