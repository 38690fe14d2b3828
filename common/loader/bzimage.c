/* Linux bzImage: parse the setup header, recognise the payload's format, decompress the ELF. */
#include <keel/bzimage.h>
#include <keel/compiler.h>
#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>

/* Setup header fields (Documentation/arch/x86/boot.rst: facts of the boot protocol). */
#define HDR_SETUP_SECTS	   0x1f1 /* u8: 512-byte setup sectors after the boot sector; 0 = 4 */
#define HDR_BOOT_FLAG	   0x1fe /* u16: 0xaa55 */
#define HDR_MAGIC	   0x202 /* "HdrS" */
#define HDR_VERSION	   0x206 /* u16: protocol version */
#define HDR_PAYLOAD_OFFSET 0x248 /* u32: from the start of the protected-mode part (2.08+) */
#define HDR_PAYLOAD_LENGTH 0x24c /* u32 (2.08+) */
#define HDR_END		   0x250 /* what must be present to read the fields above */
#define BOOT_FLAG	   0xaa55
#define SETUP_SECTS_ZERO   4 /* what setup_sects = 0 means */
#define SIZE_TRAILER	   4 /* the uncompressed size Linux appends to every payload */
#define MAGIC_MAX	   6

typedef int (*bz_decoder)(const u8 *in, size_t in_len, u8 *out, size_t out_max, void *work,
			  struct decompress_result *res);

struct bzimage_format {
	const char *name;
	u8 magic[MAGIC_MAX];
	u8 magic_len;
	bool own_trailer;  /* the size trailer is part of the stream (gzip's ISIZE) */
	bz_decoder decode; /* NULL: recognised, but Keel has no decompressor for it */
	size_t work_size;  /* scratch the decoder needs from its caller */
};

/* The decoders that take no scratch space, in the table's signature. */
static int dec_gzip(const u8 *in, size_t in_len, u8 *out, size_t out_max, void *work,
		    struct decompress_result *res)
{
	(void)work;
	return decompress_gzip(in, in_len, out, out_max, res);
}

static int dec_lz4(const u8 *in, size_t in_len, u8 *out, size_t out_max, void *work,
		   struct decompress_result *res)
{
	(void)work;
	return decompress_lz4_legacy(in, in_len, out, out_max, res);
}

/*
 * Every format a Linux bzImage may carry. To add a decompressor from include/keel/decompress.h
 * (signature as bz_decoder), put its name and its work size in its line, e.g. for XZ:
 *   {"XZ", {...}, 6, false, decompress_xz, DECOMPRESS_WORK_SIZE},
 * and list its source in tests/unit/bzimage.mk and tests/fuzz/bzimage.mk. Nothing else changes.
 */
static const struct bzimage_format formats[] = {
    {"gzip", {0x1f, 0x8b}, 2, true, dec_gzip, 0},
    {"LZ4", {0x02, 0x21, 0x4c, 0x18}, 4, false, dec_lz4, 0},
    {"XZ", {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}, 6, false, decompress_xz, DECOMPRESS_WORK_SIZE},
    {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4, false, decompress_zstd, DECOMPRESS_WORK_SIZE},
    /* Formats Keel does not plan to decompress: named so the refusal says what it saw. */
    {"bzip2", {'B', 'Z', 'h'}, 3, false, NULL, 0},
    {"LZMA", {0x5d, 0x00, 0x00}, 3, false, NULL, 0},
    {"LZO", {0x89, 'L', 'Z', 'O', 0x00}, 5, false, NULL, 0},
};

static int __printf(3, 4) bz_fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static u32 rd_le(const u8 *p, unsigned int bytes)
{
	u32 v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

bool bzimage_detect(const void *image, size_t size)
{
	return image && size >= HDR_MAGIC + 4 &&
	       memcmp((const u8 *)image + HDR_MAGIC, "HdrS", 4) == 0;
}

/* "gzip, LZ4": the formats this build decompresses, for refusals. */
static void supported_list(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(formats) && used < len; i++) {
		if (!formats[i].decode)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 formats[i].name);
	}
}

static int inspect_payload(const u8 *p, struct bzimage_info *out, char *err, size_t errlen)
{
	const struct bzimage_format *f = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(formats) && !f; i++)
		if (out->payload_len >= (u64)formats[i].magic_len + SIZE_TRAILER &&
		    memcmp(p, formats[i].magic, formats[i].magic_len) == 0)
			f = &formats[i];
	if (!f)
		return bz_fail(err, errlen,
			       "bzImage payload: unknown compression (magic %02x %02x %02x %02x)",
			       p[0], p[1], p[2], p[3]);
	out->format = f->name;
	if (!f->decode) {
		char have[48];

		supported_list(have, sizeof(have));
		bz_fail(err, errlen,
			"bzImage payload is %s: Keel has no %s decompressor (it has %s)", f->name,
			f->name, have);
		return -EOPNOTSUPP;
	}
	out->kernel_size = rd_le(p + out->payload_len - SIZE_TRAILER, SIZE_TRAILER);
	if (out->kernel_size == 0)
		return bz_fail(err, errlen, "bzImage payload (%s): uncompressed size is 0",
			       f->name);
	if (out->kernel_size > BZIMAGE_MAX_KERNEL)
		return bz_fail(err, errlen,
			       "bzImage payload (%s): uncompressed size %u MiB is above the %llu "
			       "MiB limit",
			       f->name, out->kernel_size >> 20, BZIMAGE_MAX_KERNEL >> 20);
	out->work_size = f->work_size;
	out->fmt = f;
	return 0;
}

int bzimage_inspect(const void *image, size_t size, struct bzimage_info *out, char *err,
		    size_t errlen)
{
	const u8 *p = image;
	unsigned int sects;
	u64 pm_size;
	u32 off, len;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!bzimage_detect(image, size))
		return bz_fail(err, errlen, "not a bzImage (no \"HdrS\" at 0x%x)", HDR_MAGIC);
	if (size < HDR_END)
		return bz_fail(err, errlen, "bzImage truncated: %zu bytes, its header needs %u",
			       size, HDR_END);
	if (rd_le(p + HDR_BOOT_FLAG, 2) != BOOT_FLAG)
		return bz_fail(err, errlen, "bzImage boot flag is 0x%04x, not 0xaa55",
			       rd_le(p + HDR_BOOT_FLAG, 2));
	out->protocol = (u16)rd_le(p + HDR_VERSION, 2);
	if (out->protocol < BZIMAGE_MIN_PROTOCOL)
		return bz_fail(err, errlen,
			       "bzImage boot protocol %u.%02u is too old (need 2.08 or later, for "
			       "the payload fields)",
			       out->protocol >> 8, out->protocol & 0xff);
	sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : SETUP_SECTS_ZERO;
	out->setup_size = (sects + 1) * 512;
	if (out->setup_size >= size)
		return bz_fail(
		    err, errlen,
		    "bzImage setup (%u sectors, %u bytes) leaves nothing of its %zu bytes", sects,
		    out->setup_size, size);
	pm_size = size - out->setup_size;
	off = rd_le(p + HDR_PAYLOAD_OFFSET, 4);
	len = rd_le(p + HDR_PAYLOAD_LENGTH, 4);
	if (off > pm_size || len > pm_size - off)
		return bz_fail(err, errlen,
			       "bzImage payload (offset 0x%x, 0x%x bytes) ends past the "
			       "protected-mode part (0x%llx bytes)",
			       off, len, pm_size);
	out->payload_off = out->setup_size + (u64)off;
	out->payload_len = len;
	if (len < SIZE_TRAILER + 2)
		return bz_fail(err, errlen, "bzImage payload is only %u bytes", len);
	return inspect_payload(p + out->payload_off, out, err, errlen);
}

int bzimage_decompress(const void *image, const struct bzimage_info *info, u8 *out, void *work,
		       char *err, size_t errlen)
{
	const struct bzimage_format *f;
	struct decompress_result res = {0};
	const u8 *in;
	size_t in_len;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!image || !info || !info->fmt || !out || (info->work_size && !work))
		return -EINVAL;
	f = info->fmt;
	in = (const u8 *)image + info->payload_off;
	in_len = (size_t)info->payload_len - (f->own_trailer ? 0 : SIZE_TRAILER);
	rc = f->decode(in, in_len, out, info->kernel_size, work, &res);
	if (rc == -E2BIG)
		return bz_fail(err, errlen,
			       "bzImage payload: %s data decompresses to more than the %u bytes "
			       "its size trailer says",
			       f->name, info->kernel_size);
	if (rc)
		return bz_fail(err, errlen, "bzImage payload: %s data %s%s%s%s", f->name,
			       rc == -ENODATA ? "truncated" : "corrupt", res.why ? " (" : "",
			       res.why ? res.why : "", res.why ? ")" : "");
	if (res.out_len != info->kernel_size)
		return bz_fail(err, errlen,
			       "bzImage payload: %s data gave %zu bytes, its size trailer says %u",
			       f->name, res.out_len, info->kernel_size);
	return 0;
}
