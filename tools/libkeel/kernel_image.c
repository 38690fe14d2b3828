/* libkeel: Linux bzImages unwrapped (setup header, payload) and decompressed in user space. */
#include "kernel_image.h"
#include "errf.h"

#include <lz4.h>
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* Boot protocol facts (Linux's Documentation/x86/boot.rst). */
#define SETUP_SECTS    0x1f1
#define HDR_MAGIC      0x202 /* "HdrS" */
#define HDR_VERSION    0x206
#define PAYLOAD_OFFSET 0x248
#define PAYLOAD_LENGTH 0x24c
#define MIN_VERSION    0x0208
#define LZ4_LEGACY     0x184C2102u
#define LZ4_LEGACY_BLK (8u << 20)

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* An output buffer of at most KEEL_KERNEL_MAX_ELF bytes, grown as a decoder needs. */
struct out {
	uint8_t *buf;
	size_t len, size;
};

static int grow(struct out *o, size_t want)
{
	size_t n = o->size ? o->size : 64u << 10;
	uint8_t *b;

	if (want > KEEL_KERNEL_MAX_ELF)
		return -1;
	while (n < want)
		n *= 2;
	if (n > KEEL_KERNEL_MAX_ELF)
		n = KEEL_KERNEL_MAX_ELF;
	if (n <= o->size)
		return 0;
	b = realloc(o->buf, n);
	if (!b)
		return -1;
	o->buf = b;
	o->size = n;
	return 0;
}

static int gunzip(const uint8_t *in, size_t len, struct out *o)
{
	z_stream s = {0};
	int rc;

	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return -1;
	s.next_in = (uint8_t *)(uintptr_t)in;
	s.avail_in = (uInt)len;
	do {
		if (o->len == o->size && grow(o, o->size + 1)) {
			rc = Z_MEM_ERROR;
			break;
		}
		s.next_out = o->buf + o->len;
		s.avail_out = (uInt)(o->size - o->len);
		rc = inflate(&s, Z_NO_FLUSH);
		o->len = o->size - s.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&s);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int unxz(const uint8_t *in, size_t len, struct out *o)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret rc;

	if (lzma_stream_decoder(&s, 256u << 20, 0) != LZMA_OK)
		return -1;
	s.next_in = in;
	s.avail_in = len;
	do {
		if (o->len == o->size && grow(o, o->size + 1)) {
			rc = LZMA_MEM_ERROR;
			break;
		}
		s.next_out = o->buf + o->len;
		s.avail_out = o->size - o->len;
		rc = lzma_code(&s, LZMA_FINISH);
		o->len = o->size - s.avail_out;
	} while (rc == LZMA_OK);
	lzma_end(&s);
	return rc == LZMA_STREAM_END ? 0 : -1;
}

static int unzstd(const uint8_t *in, size_t len, struct out *o)
{
	ZSTD_DStream *s = ZSTD_createDStream();
	ZSTD_inBuffer ib = {in, len, 0};
	size_t rc = 1;

	if (!s)
		return -1;
	while (rc) {
		ZSTD_outBuffer ob;

		if (o->len == o->size && grow(o, o->size + 1))
			break;
		ob = (ZSTD_outBuffer){o->buf, o->size, o->len};
		rc = ZSTD_decompressStream(s, &ob, &ib);
		o->len = ob.pos;
		if (ZSTD_isError(rc) || (rc && ib.pos == ib.size && ob.pos < ob.size))
			break; /* an error, or input ended inside a frame */
	}
	ZSTD_freeDStream(s);
	return rc == 0 ? 0 : -1;
}

/* Legacy LZ4 (what the kernel's build makes): magic, then blocks of u32 size + data. */
static int unlz4(const uint8_t *in, size_t len, struct out *o)
{
	size_t at = 4;

	while (len - at >= 4) {
		uint32_t n = rd32(in + at);
		int k;

		if (n == LZ4_LEGACY)
			break; /* a second stream: not in a kernel */
		if (n > len - at - 4 || n > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLK))
			return o->len ? 0 : -1; /* trailing bytes (the size word): done */
		if (grow(o, o->len + LZ4_LEGACY_BLK))
			return -1;
		k = LZ4_decompress_safe((const char *)in + at + 4, (char *)o->buf + o->len, (int)n,
					(int)(o->size - o->len));
		if (k < 0)
			return -1;
		o->len += (size_t)k;
		at += 4 + n;
	}
	return o->len ? 0 : -1;
}

static int decompress(const uint8_t *p, size_t n, struct out *o, const char **fmt)
{
	static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return *fmt = "gzip", gunzip(p, n, o);
	if (n >= 6 && !memcmp(p, xz_magic, 6))
		return *fmt = "xz", unxz(p, n, o);
	if (n >= 4 && rd32(p) == 0xFD2FB528u)
		return *fmt = "zstd", unzstd(p, n, o);
	if (n >= 4 && rd32(p) == LZ4_LEGACY)
		return *fmt = "lz4", unlz4(p, n, o);
	*fmt = NULL;
	return -1;
}

int keel_kernel_image(const void *file, size_t len, void **elf, size_t *elf_len, char *why,
		      size_t why_len)
{
	const uint8_t *f = file;
	struct out o = {0};
	const char *fmt;
	uint64_t off, hint;
	uint32_t plen;

	*elf = NULL;
	*elf_len = 0;
	if (len >= 4 && !memcmp(f, "\177ELF", 4)) {
		o.buf = malloc(len);
		if (!o.buf)
			return keel_errf(why, why_len, "no memory for a %zu-byte kernel", len);
		memcpy(o.buf, f, len);
		*elf = o.buf;
		*elf_len = len;
		return 0;
	}
	if (!decompress(f, len, &o, &fmt)) { /* a compressed file: an ELF inside, as xl takes it */
		if (o.len < 4 || memcmp(o.buf, "\177ELF", 4)) {
			free(o.buf);
			return keel_errf(why, why_len, "%s-compressed file holding no ELF kernel",
					 fmt);
		}
		*elf = o.buf;
		*elf_len = o.len;
		return 0;
	}
	free(o.buf);
	o = (struct out){0};
	if (fmt)
		return keel_errf(why, why_len, "%s-compressed file: data corrupt or over %u MiB",
				 fmt, KEEL_KERNEL_MAX_ELF >> 20);
	if (len < PAYLOAD_LENGTH + 4 || memcmp(f + HDR_MAGIC, "HdrS", 4))
		return keel_errf(why, why_len,
				 "neither an ELF file nor a Linux bzImage (no HdrS header)");
	if ((f[HDR_VERSION] | f[HDR_VERSION + 1] << 8) < MIN_VERSION)
		return keel_errf(why, why_len, "bzImage boot protocol %#x: 2.08 or later needed",
				 f[HDR_VERSION] | f[HDR_VERSION + 1] << 8);
	off =
	    (uint64_t)((f[SETUP_SECTS] ? f[SETUP_SECTS] : 4) + 1) * 512 + rd32(f + PAYLOAD_OFFSET);
	plen = rd32(f + PAYLOAD_LENGTH);
	if (off > len || plen > len - off || plen < 8)
		return keel_errf(why, why_len,
				 "bzImage payload %#llx+%#x outside the %zu-byte file",
				 (unsigned long long)off, plen, len);
	/* The size the kernel's build appended is a hint (bounded: data can lie), growth the rule. */
	hint = rd32(f + off + plen - 4);
	if (hint > (uint64_t)plen * 64)
		hint = (uint64_t)plen * 64;
	if (grow(&o, (size_t)hint) && grow(&o, 1))
		return keel_errf(why, why_len, "no memory to decompress the kernel");
	if (decompress(f + off, plen, &o, &fmt)) {
		free(o.buf);
		if (!fmt)
			return keel_errf(why, why_len,
					 "bzImage payload compressed in a format not supported "
					 "(gzip, xz, zstd, lz4)");
		return keel_errf(why, why_len, "bzImage payload: %s data corrupt or over %u MiB",
				 fmt, KEEL_KERNEL_MAX_ELF >> 20);
	}
	*elf = o.buf;
	*elf_len = o.len;
	return 0;
}
