/* Raw deflate (RFC 1951) decoding into a flat buffer: the interface gzip.c wraps. */
#ifndef KEEL_LOADER_INFLATE_H
#define KEEL_LOADER_INFLATE_H

#include <keel/types.h>

/*
 * Decode one deflate stream from @in into @out. On return *@in_used is the number of whole bytes
 * of @in the stream took (its last byte's unused bits count as taken) and *@out_len the bytes
 * written. Returns 0, -EINVAL (corrupt), -ENODATA (truncated) or -E2BIG (more than @out_max
 * bytes), with *@why a static reason on error. Never reads or writes outside the given buffers.
 */
int inflate_raw(const u8 *in, size_t in_len, size_t *in_used, u8 *out, size_t out_max,
		size_t *out_len, const char **why);

#endif
