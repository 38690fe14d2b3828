/* gzip (RFC 1952) member decoding: header, the deflate stream (inflate.c), CRC32 and ISIZE. */
#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#include "inflate.h"

#define GZIP_ID1	 0x1f
#define GZIP_ID2	 0x8b
#define GZIP_CM_DEFLATE	 8
#define GZIP_HEADER_LEN	 10
#define GZIP_TRAILER_LEN 8

#define FLG_FTEXT    0x01u
#define FLG_FHCRC    0x02u
#define FLG_FEXTRA   0x04u
#define FLG_FNAME    0x08u
#define FLG_FCOMMENT 0x10u
#define FLG_RESERVED 0xe0u

/* CRC-32 (polynomial 0xedb88320, reflected), four bits at a time from a 16-entry table. */
static const u32 crc32_nibble[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c};

static u32 crc32(const u8 *buf, size_t len)
{
	u32 crc = 0xffffffffu;
	size_t i;

	for (i = 0; i < len; i++) {
		crc ^= buf[i];
		crc = crc32_nibble[crc & 0xf] ^ (crc >> 4);
		crc = crc32_nibble[crc & 0xf] ^ (crc >> 4);
	}
	return ~crc;
}

static u32 get_le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static int refuse(struct decompress_result *res, int err, const char *why)
{
	res->why = why;
	return err;
}

/* Skip a zero-terminated field starting at *@pos. */
static int skip_string(const u8 *in, size_t in_len, size_t *pos)
{
	while (*pos < in_len)
		if (in[(*pos)++] == 0)
			return 0;
	return -ENODATA;
}

/* Parse the member header; *@pos is where the deflate stream starts. */
static int parse_header(const u8 *in, size_t in_len, size_t *pos, struct decompress_result *res)
{
	static const u8 magic[3] = {GZIP_ID1, GZIP_ID2, GZIP_CM_DEFLATE};
	size_t i;
	u8 flags;

	for (i = 0; i < sizeof(magic); i++) {
		if (i >= in_len)
			return refuse(res, -ENODATA, "gzip header truncated");
		if (in[i] != magic[i])
			return refuse(res, -EINVAL,
				      i < 2 ? "not gzip (bad magic)"
					    : "gzip: not deflate (CM != 8)");
	}
	if (in_len < GZIP_HEADER_LEN)
		return refuse(res, -ENODATA, "gzip header truncated");
	flags = in[3];
	if (flags & FLG_RESERVED)
		return refuse(res, -EINVAL, "gzip: reserved flag bits set");
	*pos = GZIP_HEADER_LEN;
	if (flags & FLG_FEXTRA) {
		if (in_len - *pos < 2)
			return refuse(res, -ENODATA, "gzip header truncated");
		size_t xlen = in[*pos] | (size_t)in[*pos + 1] << 8;
		*pos += 2;
		if (in_len - *pos < xlen)
			return refuse(res, -ENODATA, "gzip header truncated");
		*pos += xlen;
	}
	if ((flags & FLG_FNAME) && skip_string(in, in_len, pos))
		return refuse(res, -ENODATA, "gzip header truncated");
	if ((flags & FLG_FCOMMENT) && skip_string(in, in_len, pos))
		return refuse(res, -ENODATA, "gzip header truncated");
	if (flags & FLG_FHCRC) {
		if (in_len - *pos < 2)
			return refuse(res, -ENODATA, "gzip header truncated");
		if ((crc32(in, *pos) & 0xffffu) != (in[*pos] | (u32)in[*pos + 1] << 8))
			return refuse(res, -EINVAL, "gzip: header CRC mismatch");
		*pos += 2;
	}
	/* FTEXT is only a hint about the content; nothing to do. */
	return 0;
}

int decompress_gzip(const u8 *in, size_t in_len, u8 *out, size_t out_max,
		    struct decompress_result *res)
{
	size_t pos = 0, used = 0;
	int rc;

	res->out_len = 0;
	res->in_used = 0;
	res->why = NULL;
	rc = parse_header(in, in_len, &pos, res);
	if (rc)
		return rc;
	rc = inflate_raw(in + pos, in_len - pos, &used, out, out_max, &res->out_len, &res->why);
	pos += used;
	res->in_used = pos;
	if (rc)
		return rc;
	if (in_len - pos < GZIP_TRAILER_LEN)
		return refuse(res, -ENODATA, "gzip trailer truncated");
	if (get_le32(in + pos) != crc32(out, res->out_len))
		return refuse(res, -EINVAL, "gzip: CRC32 mismatch");
	if (get_le32(in + pos + 4) != (u32)res->out_len)
		return refuse(res, -EINVAL, "gzip: ISIZE mismatch");
	res->in_used = pos + GZIP_TRAILER_LEN;
	return 0;
}
