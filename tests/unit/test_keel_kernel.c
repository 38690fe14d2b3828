/* test_keel_kernel.c: libkeel's bzImage unwrapping: each compression, and broken images refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "../../tools/libkeel/kernel_image.h"

#define ELF_LEN	    (300u * 1024) /* one legacy-lz4 block */
#define PAYLOAD_OFF (2 * 512)	  /* setup_sects 1: the payload after two sectors */

static uint8_t elf[ELF_LEN];
static uint8_t packed[ELF_LEN + 4096];
static uint8_t image[PAYLOAD_OFF + sizeof(packed) + 8];
static char why[200];

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void make_elf(void)
{
	memcpy(elf, "\177ELF", 4);
	for (size_t i = 4; i < ELF_LEN; i++)
		elf[i] = (uint8_t)((i * 7) ^ (i >> 9)); /* compressible, not trivial */
}

static size_t pack_gzip(void)
{
	z_stream s = {0};

	assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	s.next_in = elf;
	s.avail_in = ELF_LEN;
	s.next_out = packed;
	s.avail_out = sizeof(packed);
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	deflateEnd(&s);
	return sizeof(packed) - s.avail_out;
}

static size_t pack_xz(void)
{
	size_t n = 0;

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, elf, ELF_LEN, packed,
						 &n, sizeof(packed)),
			 LZMA_OK);
	return n;
}

static size_t pack_zstd(void)
{
	size_t n = ZSTD_compress(packed, sizeof(packed), elf, ELF_LEN, 3);

	assert_false(ZSTD_isError(n));
	return n;
}

static size_t pack_lz4(void)
{
	int n;

	wr32(packed, 0x184C2102u);
	n = LZ4_compress_default((const char *)elf, (char *)packed + 8, ELF_LEN,
				 (int)sizeof(packed) - 8);
	assert_true(n > 0);
	wr32(packed + 4, (uint32_t)n);
	return 8 + (size_t)n;
}

/* A bzImage around @n packed bytes (the size word appended, as the kernel's build does). */
static size_t wrap(size_t n)
{
	memset(image, 0, sizeof(image));
	image[0x1f1] = 1;
	memcpy(image + 0x202, "HdrS", 4);
	image[0x206] = 0x0f;
	image[0x207] = 0x02;
	wr32(image + 0x248, 0);
	wr32(image + 0x24c, (uint32_t)n + 4);
	memcpy(image + PAYLOAD_OFF, packed, n);
	wr32(image + PAYLOAD_OFF + n, ELF_LEN);
	return PAYLOAD_OFF + n + 4;
}

static void round_trip(size_t (*pack)(void))
{
	size_t len = wrap(pack()), out_len;
	void *out;

	assert_int_equal(keel_kernel_image(image, len, &out, &out_len, why, sizeof(why)), 0);
	assert_int_equal(out_len, ELF_LEN);
	assert_memory_equal(out, elf, ELF_LEN);
	free(out);
}

static void test_formats(void **state)
{
	(void)state;
	make_elf();
	round_trip(pack_gzip);
	round_trip(pack_xz);
	round_trip(pack_zstd);
	round_trip(pack_lz4);
}

static void test_plain_elf_copied(void **state)
{
	size_t out_len;
	void *out;

	(void)state;
	make_elf();
	assert_int_equal(keel_kernel_image(elf, 64, &out, &out_len, why, sizeof(why)), 0);
	assert_int_equal(out_len, 64);
	assert_memory_equal(out, elf, 64);
	free(out);
}

/* A vmlinux compressed whole, as `xz` or `zstd` leave it: the ELF comes out; other data not. */
static void test_compressed_elf(void **state)
{
	size_t (*packs[])(void) = {pack_gzip, pack_xz, pack_zstd, pack_lz4};
	size_t out_len;
	void *out;

	(void)state;
	make_elf();
	for (unsigned int i = 0; i < 4; i++) {
		size_t n = packs[i]();

		assert_int_equal(keel_kernel_image(packed, n, &out, &out_len, why, sizeof(why)), 0);
		assert_int_equal(out_len, ELF_LEN);
		assert_memory_equal(out, elf, ELF_LEN);
		free(out);
		if (i >= 2)
			continue; /* zstd frames without a checksum and legacy lz4 have none to fail */
		packed[n / 2] ^= 0x5a; /* corrupt: refused (the CRC), not a damaged kernel */
		assert_int_equal(keel_kernel_image(packed, n, &out, &out_len, why, sizeof(why)),
				 -1);
		assert_non_null(strstr(why, "compressed file"));
	}
	elf[0] = 'X'; /* a compressed file that is no ELF */
	assert_int_equal(keel_kernel_image(packed, pack_xz(), &out, &out_len, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "holding no ELF"));
}

static void refused(size_t len, const char *what)
{
	size_t out_len = 1;
	void *out = (void *)1;

	assert_int_equal(keel_kernel_image(image, len, &out, &out_len, why, sizeof(why)), -1);
	assert_null(out);
	assert_int_equal(out_len, 0);
	assert_non_null(strstr(why, what));
}

static void test_broken(void **state)
{
	size_t n, len;

	(void)state;
	make_elf();
	memset(image, 0, sizeof(image));
	refused(4096, "no HdrS header");
	refused(10, "no HdrS header");
	n = pack_gzip();
	len = wrap(n);
	image[0x206] = 0x07; /* protocol 2.07: no payload fields */
	refused(len, "2.08 or later");
	len = wrap(n);
	wr32(image + 0x24c, (uint32_t)len); /* payload runs past the file */
	refused(len, "outside");
	len = wrap(n);
	wr32(image + 0x248, 0xFFFFFFF0u);
	refused(len, "outside");
	len = wrap(n);
	image[PAYLOAD_OFF + n / 2] ^= 0x55; /* corrupt deflate data or its CRC */
	refused(len, "gzip data corrupt");
	len = wrap(n);
	refused(len - n / 2, "outside"); /* the file cut short */
	len = wrap(pack_xz());
	wr32(image + 0x24c, 200); /* the xz stream cut short */
	refused(len, "xz data corrupt");
	len = wrap(pack_zstd());
	wr32(image + 0x24c, 100);
	refused(len, "zstd data corrupt");
	len = wrap(n);
	image[PAYLOAD_OFF] = 'B'; /* bzip2 and others: not supported */
	image[PAYLOAD_OFF + 1] = 'Z';
	refused(len, "not supported");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_plain_elf_copied),
	    cmocka_unit_test(test_compressed_elf),
	    cmocka_unit_test(test_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
