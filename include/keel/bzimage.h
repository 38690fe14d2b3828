/* Linux bzImage (boot protocol 2.08+): find the compressed kernel ELF inside and decompress it. */
#ifndef KEEL_BZIMAGE_H
#define KEEL_BZIMAGE_H

#include <keel/types.h>

#define BZIMAGE_MIN_PROTOCOL 0x208	    /* payload_offset/payload_length appeared in 2.08 */
#define BZIMAGE_MAX_KERNEL   (512ULL << 20) /* refuse kernels that claim to decompress to more */
#define BZIMAGE_ERR_MAX	     160	    /* a comfortable size for @err */

struct bzimage_format;

struct bzimage_info {
	u16 protocol;	    /* boot protocol version, e.g. 0x20f for 2.15 */
	u32 setup_size;	    /* bytes of real-mode setup before the protected-mode part */
	u64 payload_off;    /* of the compressed kernel, in the image */
	u64 payload_len;    /* its bytes, the 4-byte size trailer included */
	u32 kernel_size;    /* the uncompressed ELF's size, from the trailer */
	size_t work_size;   /* scratch bytes the decompressor needs (0: none) */
	const char *format; /* "gzip", "XZ", ... */
	const struct bzimage_format *fmt; /* private */
};

/* Whether @image looks like a bzImage at all ("HdrS" at 0x202): then bzimage_inspect decides. */
bool bzimage_detect(const void *image, size_t size);

/*
 * Check @image's setup header (boot flag, "HdrS", protocol >= 2.08, setup_sects, the payload
 * inside the image) and its payload (a known format that Keel can decompress, an uncompressed
 * size from 1 byte up to BZIMAGE_MAX_KERNEL). Returns 0, or -EINVAL (-EOPNOTSUPP for a format
 * Keel has no decompressor for) with the reason in @err (@errlen bytes, may be 0).
 */
int bzimage_inspect(const void *image, size_t size, struct bzimage_info *out, char *err,
		    size_t errlen);

/*
 * Decompress the payload @info describes into @out (at least info->kernel_size bytes), with
 * @work (info->work_size bytes; may be NULL when that is 0). The result must be exactly
 * kernel_size bytes. Returns 0, or a negative errno with the reason in @err.
 */
int bzimage_decompress(const void *image, const struct bzimage_info *info, u8 *out, void *work,
		       char *err, size_t errlen);

#endif
