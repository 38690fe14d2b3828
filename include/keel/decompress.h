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
 * A decompressor never reads @in beyond @in_len nor writes @out beyond @out_max, allocates
 * nothing, and is deterministic. Its state lives in @out, in @work (for those that take it) and
 * on the stack (a few hundred bytes of stack at most; Keel stacks are small).
 */
struct decompress_result {
	size_t out_len;	 /* bytes written to @out */
	size_t in_used;	 /* bytes of @in the stream took (trailing bytes are the caller's) */
	const char *why; /* NULL on success */
};

/* Working memory xz and zstd need besides @out (probability models, decoding tables): the
 * caller passes DECOMPRESS_WORK_SIZE bytes, aligned to 16, and frees them afterwards. */
#define DECOMPRESS_WORK_SIZE (128UL * 1024)

/* gzip (RFC 1952) holding one deflate stream (RFC 1951); CRC32 and ISIZE are checked. */
int decompress_gzip(const u8 *in, size_t in_len, u8 *out, size_t out_max,
		    struct decompress_result *res);
/* LZ4 "legacy" frames as Linux's kernel images use them (magic 0x184C2102). */
int decompress_lz4_legacy(const u8 *in, size_t in_len, u8 *out, size_t out_max,
			  struct decompress_result *res);
/* Zstandard (RFC 8878): one or more frames, skippable frames ignored; checksums verified. */
int decompress_zstd(const u8 *in, size_t in_len, u8 *out, size_t out_max, void *work,
		    struct decompress_result *res);

/* XZ (.xz container: LZMA2 with an optional BCJ x86 filter); block checks verified. */
int decompress_xz(const u8 *in, size_t in_len, u8 *out, size_t out_max, void *work,
		  struct decompress_result *res);

#endif
