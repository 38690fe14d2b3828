/* Unit tests for common/loader/decompress/xz.c and lzma2.c: xz(1)'s own output, broken containers. */
/* libc's snprintf, not Keel's (KEEL_HOST_LIB_CFLAGS renames it for common/lib). */
#undef snprintf

#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#include "xz_fixture.h"

static void test_tool_vectors(void **state)
{
	/* Small dictionaries where the preset's would only cost xz(1) memory and time. */
	static const char *const modes[] = {
	    "-0",
	    "--lzma2=preset=6,dict=1MiB",
	    "--lzma2=preset=9e,dict=1MiB --check=crc32",
	    "--lzma2=preset=3,dict=1MiB --check=none",
	    "--lzma2=preset=6,dict=1MiB,lc=4,lp=0,pb=0 --check=crc64",
	    "--lzma2=preset=6,dict=1MiB,lc=0,lp=4,pb=4 --check=sha256",
	    "--lzma2=preset=1,lc=1,lp=3,pb=1,mf=hc3",
	    "--x86 --lzma2=preset=6,dict=1MiB",
	    "--x86=start=4096 --lzma2=preset=2",
	    "--block-size=10000 --check=crc64",
	    "--block-size=7001 -T2 --x86 --lzma2=preset=6,dict=1MiB --check=crc32",
	};
	const size_t big = 120 * 1024;
	u8 *rnd = random_bytes(big, 1), *txt = text_bytes(big), *zero = calloc(1, big);
	u8 *rep = malloc(big), *br = branchy_bytes(big);

	for (size_t i = 0; i < big; i++)
		rep[i] = rnd[i % (30 * 1024)];
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		expect_roundtrip(rnd, big, modes[m]);
		expect_roundtrip(txt, big, modes[m]);
		expect_roundtrip(zero, big, modes[m]);
		expect_roundtrip(rep, big, modes[m]);
		expect_roundtrip(br, big, modes[m]);
		expect_roundtrip(txt, 100, modes[m]);
		expect_roundtrip(br, 5, modes[m]);
		expect_roundtrip((const u8 *)"a", 1, modes[m]);
		expect_roundtrip((const u8 *)"", 0, modes[m]);
	}
	free(rnd);
	free(txt);
	free(zero);
	free(rep);
	free(br);
}

/* As Linux's scripts/xz_wrap.sh makes kernels: real x86 code (this very binary), BCJ, CRC32. */
static void test_kernel_style(void **state)
{
	struct blob self = read_file("/proc/self/exe");
	size_t len = self.len < 3 * 1024 * 1024 ? self.len : 3 * 1024 * 1024;

	expect_roundtrip(self.data, len, "--check=crc32 --x86 --lzma2=dict=32MiB");
	expect_roundtrip(self.data, len,
			 "--block-size=300000 -T2 --x86 --lzma2=preset=9e,dict=1MiB");
	free(self.data);
}

/* Incompressible data goes into stored LZMA2 chunks: control 1 (with a dictionary reset). */
static void test_stored_chunks(void **state)
{
	u8 *rnd = random_bytes(150000, 5);
	struct blob xz = run_xz(rnd, 150000, "--lzma2=preset=6,dict=1MiB");
	size_t hdr = 12 + ((size_t)xz.data[12] + 1) * 4;

	assert_int_equal(xz.data[hdr], 0x01);
	expect_ok(&xz, rnd, 150000, "stored chunks");
	/* A flipped bit in stored bytes decodes, but the CRC64 check catches it. */
	xz.data[hdr + 3 + 1000] ^= 0x10;
	expect_err(&xz, 150000, -EINVAL, "check mismatch");
	free(xz.data);
	free(rnd);
}

/* Recompute the CRC32 of @len bytes at @at, stored right after them (headers, index). */
static void fix_crc_after(struct blob *b, size_t at, size_t len)
{
	put_le32(b->data + at + len, ref_crc32(b->data + at, len));
}

/* The index's offset and length, from the stream footer. */
static size_t index_at(const struct blob *b, size_t *len)
{
	*len = ((size_t)le32(b->data + b->len - 8) + 1) * 4;
	return b->len - 12 - *len;
}

static void test_container_fields(void **state)
{
	u8 *txt = text_bytes(50000);
	struct blob xz = run_xz(txt, 50000, "--block-size=20000 -T2 --check=crc32");
	struct blob orig = {malloc(xz.len), xz.len};
	size_t ilen, iat = index_at(&xz, &ilen), foot = xz.len - 12;

	memcpy(orig.data, xz.data, xz.len);
#define RESTORE() memcpy(xz.data, orig.data, xz.len)
	expect_ok(&xz, txt, 50000, "three blocks");
	xz.data[0] = 0x1f;
	expect_err(&xz, 50000, -EINVAL, "bad magic");
	RESTORE();
	xz.data[6] = 1;
	expect_err(&xz, 50000, -EINVAL, "stream header CRC");
	fix_crc_after(&xz, 6, 2);
	expect_err(&xz, 50000, -EINVAL, "reserved stream flags");
	RESTORE();
	xz.data[7] = 2; /* a reserved 4-byte check */
	fix_crc_after(&xz, 6, 2);
	expect_err(&xz, 50000, -EINVAL, "unsupported check");
	RESTORE();
	/* Block header: reserved flag, wrong declared sizes, padding. */
	xz.data[13] |= 0x04;
	fix_crc_after(&xz, 12, (xz.data[12] + 1) * 4 - 4);
	expect_err(&xz, 50000, -EINVAL, "reserved block flags");
	RESTORE();
	assert_int_equal(xz.data[13] & 0xc0, 0xc0); /* multi-block: both sizes in the header */
	xz.data[14]++;				    /* compressed size */
	fix_crc_after(&xz, 12, (xz.data[12] + 1) * 4 - 4);
	expect_err(&xz, 50000, -EINVAL, "sizes differ");
	RESTORE();
	xz.data[14]--;
	fix_crc_after(&xz, 12, (xz.data[12] + 1) * 4 - 4);
	expect_err(&xz, 50000, -EINVAL, "longer than its header");
	RESTORE();
	xz.data[12 + (xz.data[12] + 1) * 4 - 5] = 1;
	fix_crc_after(&xz, 12, (xz.data[12] + 1) * 4 - 4);
	expect_err(&xz, 50000, -EINVAL, "header padding");
	RESTORE();
	/* Index: record count, a record's size, padding, CRC. */
	xz.data[iat + 1]++;
	fix_crc_after(&xz, iat, ilen - 4);
	expect_err(&xz, 50000, -EINVAL, "different number of blocks");
	RESTORE();
	xz.data[iat + 2] ^= 4;
	fix_crc_after(&xz, iat, ilen - 4);
	expect_err(&xz, 50000, -EINVAL, "index does not match");
	RESTORE();
	xz.data[iat + ilen - 1] ^= 1;
	expect_err(&xz, 50000, -EINVAL, "index CRC");
	RESTORE();
	/* Footer: index size, flags, magic, CRC. */
	xz.data[foot + 4]++; /* the footer's CRC comes first */
	put_le32(xz.data + foot, ref_crc32(xz.data + foot + 4, 6));
	expect_err(&xz, 50000, -EINVAL, "wrong index size");
	RESTORE();
	xz.data[foot + 9] = 4;
	put_le32(xz.data + foot, ref_crc32(xz.data + foot + 4, 6));
	expect_err(&xz, 50000, -EINVAL, "flags differ");
	RESTORE();
	xz.data[foot + 10] = 'Z';
	expect_err(&xz, 50000, -EINVAL, "footer magic");
	RESTORE();
	xz.data[foot + 5] ^= 1;
	expect_err(&xz, 50000, -EINVAL, "footer CRC");
	RESTORE();
#undef RESTORE
	free(xz.data);
	free(orig.data);
	/* Filters Keel does not take. */
	xz = run_xz(txt, 1000, "--delta=dist=4 --lzma2");
	expect_err(&xz, 50000, -EINVAL, "unsupported filter");
	free(xz.data);
	xz = run_xz(txt, 1000, "--arm --lzma2");
	expect_err(&xz, 50000, -EINVAL, "unsupported filter");
	free(xz.data);
	xz = run_xz(txt, 1000, "--format=lzma");
	expect_err(&xz, 50000, -EINVAL, "bad magic");
	free(xz.data);
	free(txt);
}

/* Concatenated streams, stream padding, trailing bytes, the work memory's alignment. */
static void test_streams_and_padding(void **state)
{
	u8 *txt = text_bytes(30000), *out;
	struct blob a = run_xz(txt, 10000, "--check=crc64"), c = run_xz(txt + 10000, 20000, "-0");
	struct blob cat = {malloc(a.len + c.len + 12), 0};
	struct decompress_result res;

	/* a, 8 zero bytes, c, 4 zero bytes: all of it is one file, and decodes to both. */
	memcpy(cat.data, a.data, a.len);
	memset(cat.data + a.len, 0, 8);
	memcpy(cat.data + a.len + 8, c.data, c.len);
	memset(cat.data + a.len + 8 + c.len, 0, 4);
	cat.len = a.len + 8 + c.len;
	expect_ok(&cat, txt, 30000, "two streams");
	/* Padding after the last stream is left to the caller, like any trailing bytes. */
	assert_int_equal(unxz(cat.data, cat.len + 4, &out, 30000, &res), 0);
	assert_int_equal(res.in_used, cat.len);
	free(out);
	/* Padding that is not a multiple of four ends the file after the first stream. */
	memmove(cat.data + a.len + 3, cat.data + a.len + 8, c.len);
	assert_int_equal(unxz(cat.data, a.len + 3 + c.len, &out, 30000, &res), 0);
	assert_int_equal(res.in_used, a.len);
	assert_int_equal(res.out_len, 10000);
	free(out);
	/* A second stream that is broken is an error, not trailing bytes. */
	memmove(cat.data + a.len, cat.data + a.len + 3, c.len);
	cat.data[a.len + 20] ^= 0x40;
	cat.len = a.len + c.len;
	assert_int_not_equal(unxz(cat.data, cat.len, &out, 30000, &res), 0);
	free(out);
	/* Work memory must be there and aligned to 16. */
	out = malloc(10000);
	assert_int_equal(decompress_xz(a.data, a.len, out, 10000, (u8 *)xz_work + 8, &res),
			 -EINVAL);
	assert_non_null(strstr(res.why, "work memory"));
	assert_int_equal(decompress_xz(a.data, a.len, out, 10000, NULL, &res), -EINVAL);
	assert_int_equal(decompress_xz(a.data, 0, out, 10000, xz_work, &res), -ENODATA);
	free(out);
	free(cat.data);
	free(a.data);
	free(c.data);
	free(txt);
}

/* Every truncation is -ENODATA; every flipped bit an error; no write past out_max. */
static void test_truncation_and_corruption(void **state)
{
	static const char *const modes[] = {
	    "--block-size=5000 --x86 --lzma2=preset=6,dict=1MiB --check=crc32",
	    "--lzma2=preset=6,dict=1MiB --check=crc64", "-0 --check=sha256"};
	u8 *txt = text_bytes(20000), *guarded = malloc(20000 + 64);
	struct decompress_result res;

	for (size_t i = 0; i < 4000; i++) /* some incompressible stretches: stored chunks */
		txt[8000 + i] = next_random();
	for (size_t m = 0; m < 3; m++) {
		struct blob xz = run_xz(txt, 20000, modes[m]);

		for (size_t cut = 0; cut < xz.len;
		     cut += (cut < 200 || xz.len - cut < 200) ? 1 : 13) {
			struct blob t = {xz.data, cut};

			expect_err(&t, 20000, -ENODATA, "");
		}
		for (size_t at = 0; at < xz.len; at += (at < 100 || xz.len - at < 100) ? 1 : 7) {
			u8 *out;
			int rc;

			xz.data[at] ^= (u8)(1u << (at % 8));
			rc = unxz(xz.data, xz.len, &out, 20000, &res);
			if (rc == 0)
				fail_msg("%s: bit flipped at %zu of %zu not detected", modes[m], at,
					 xz.len);
			assert_true(rc == -EINVAL || rc == -ENODATA || rc == -E2BIG);
			assert_non_null(res.why);
			free(out);
			xz.data[at] ^= (u8)(1u << (at % 8));
		}
		for (size_t max = 0; max < 20000; max += (max < 100 ? 1 : 331)) {
			memset(guarded, 0xa5, 20000 + 64);
			assert_int_equal(
			    decompress_xz(xz.data, xz.len, guarded, max, xz_work, &res), -E2BIG);
			assert_true(res.out_len <= max);
			for (size_t j = max; j < 20000 + 64; j++)
				assert_int_equal(guarded[j], 0xa5);
		}
		free(xz.data);
	}
	free(guarded);
	free(txt);
}

static int setup(void **state)
{
	xz_work = aligned_alloc(16, DECOMPRESS_WORK_SIZE);
	return xz_work && mkdtemp(xz_workdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	free(xz_work);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", xz_workdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tool_vectors),
	    cmocka_unit_test(test_kernel_style),
	    cmocka_unit_test(test_stored_chunks),
	    cmocka_unit_test(test_hand_built_lzma2),
	    cmocka_unit_test(test_dict_reset_and_size),
	    cmocka_unit_test(test_container_fields),
	    cmocka_unit_test(test_streams_and_padding),
	    cmocka_unit_test(test_truncation_and_corruption),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
