/* Kernel payload decompressors (common/loader/decompress/): one file per format, one interface. */
#ifndef KEEL_DECOMPRESS_H
#define KEEL_DECOMPRESS_H

#include <keel/types.h>

/*
 * What a decompressor reports: 0 and the output length, or a negative errno with a short
 * reason (a static string) saying what was wrong with the input:
 *   -EINVAL   the input is not this format, or is corrupt (bad header, code, distance, checksum)
 *   -ENODATA  the input ends before the stream does (truncated)
 *   -E2BIG    the output would exceed @out_max
 * A decompressor never reads @in beyond @in_len nor writes @out beyond @out_max, keeps its
 * working state on the caller's stack or in @out, allocates nothing, and is deterministic.
 */
struct decompress_result {
	size_t out_len;	 /* bytes written to @out */
	size_t in_used;	 /* bytes of @in the stream took (trailing bytes are the caller's) */
	const char *why; /* NULL on success */
};

/* gzip (RFC 1952) holding one deflate stream (RFC 1951); CRC32 and ISIZE are checked. */
int decompress_gzip(const u8 *in, size_t in_len, u8 *out, size_t out_max,
		    struct decompress_result *res);
/* LZ4 "legacy" frames as Linux's kernel images use them (magic 0x184C2102). */
int decompress_lz4_legacy(const u8 *in, size_t in_len, u8 *out, size_t out_max,
			  struct decompress_result *res);

#endif
