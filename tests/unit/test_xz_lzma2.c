/* XZ unit tests on LZMA2 itself: hand-built chunks, raw xz(1) streams spliced, dictionary limits. */
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

/* ---- hand-built streams around raw LZMA2 data ---- */

static size_t put_vli(u8 *p, u64 v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (u8)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (u8)v;
	return n;
}

/* One .xz stream (CRC32) of one block holding @lz (LZMA2, ending in its 0x00) that gives @data. */
static struct blob wrap(const u8 *lz, size_t lz_len, const u8 *data, size_t len, u8 dict_bits)
{
	size_t pad = (4 - lz_len % 4) % 4, p, index;
	struct blob b;
	u8 *o;

	b.data = o = calloc(1, 12 + 12 + lz_len + pad + 4 + 32 + 12);
	memcpy(o,
	       "\xfd"
	       "7zXZ\0\0\x01",
	       8);
	put_le32(o + 8, ref_crc32(o + 6, 2));
	/* Block header: size 12, no sizes, one filter: LZMA2 with @dict_bits. */
	memcpy(o + 12, "\x02\x00\x21\x01", 4);
	o[16] = dict_bits;
	put_le32(o + 20, ref_crc32(o + 12, 8));
	memcpy(o + 24, lz, lz_len);
	p = 24 + lz_len + pad;
	put_le32(o + p, ref_crc32(data, len));
	p += 4;
	/* Index: one record, padding, CRC32. */
	index = p;
	o[p++] = 0;
	o[p++] = 1;
	p += put_vli(o + p, 12 + lz_len + 4);
	p += put_vli(o + p, len);
	p = (p + 3) & ~(size_t)3;
	put_le32(o + p, ref_crc32(o + index, p - index));
	p += 4;
	put_le32(o + p + 4, (u32)((p - index) / 4 - 1));
	o[p + 8] = 0;
	o[p + 9] = 1;
	put_le32(o + p, ref_crc32(o + p + 4, 6));
	memcpy(o + p + 10, "YZ", 2);
	b.len = p + 12;
	return b;
}

#define WRAP(lz, text) wrap((const u8 *)(lz), sizeof(lz) - 1, (const u8 *)(text), strlen(text), 0)

void test_hand_built_lzma2(void **state)
{
	struct blob b;

	/* Stored chunks: reset + "abc", then "de" keeping the dictionary. */
	b = WRAP("\x01\x00\x02"
		 "abc"
		 "\x02\x00\x01"
		 "de"
		 "\x00",
		 "abcde");
	expect_ok(&b, (const u8 *)"abcde", 5, "stored chunks");
	free(b.data);
	b = WRAP("\x02\x00\x02"
		 "abc\x00",
		 "abc");
	expect_err(&b, 10, -EINVAL, "first chunk does not reset");
	free(b.data);
	b = WRAP("\x01\x00\x02"
		 "abc\x03\x00",
		 "abc");
	expect_err(&b, 10, -EINVAL, "bad chunk control");
	free(b.data);
	/* An LZMA chunk after a dictionary reset must bring properties. */
	b = WRAP("\x01\x00\x00"
		 "a\x80\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00",
		 "aa");
	expect_err(&b, 10, -EINVAL, "without properties");
	free(b.data);
	b = WRAP("\xe0\x00\x00\x00\x04\xe1\x00\x00\x00\x00\x00\x00", "a");
	expect_err(&b, 10, -EINVAL, "bad properties");
	free(b.data);
	b = WRAP("\xe0\x00\x00\x00\x04\x0d\x00\x00\x00\x00\x00\x00", "a"); /* lc 4, lp 1 */
	expect_err(&b, 10, -EINVAL, "lc + lp");
	free(b.data);
	b = WRAP("\xe0\x00\x00\x00\x04\x5d\x01\x00\x00\x00\x00\x00", "a");
	expect_err(&b, 10, -EINVAL, "range coder start");
	free(b.data);
	/* Cut inside a chunk header and inside chunk data; output too small for a chunk. */
	b = WRAP("\x01\x00\x09"
		 "abcdefghij\x00",
		 "abcdefghij");
	expect_ok(&b, (const u8 *)"abcdefghij", 10, "stored chunk");
	b.len = 24 + 2;
	expect_err(&b, 10, -ENODATA, "LZMA2 data truncated");
	b.len = 24 + 8;
	expect_err(&b, 10, -ENODATA, "LZMA2 data truncated");
	free(b.data);
	b = WRAP("\x01\x00\x02"
		 "abc\x00",
		 "abc");
	expect_err(&b, 2, -E2BIG, "too small");
	b.data[16] = 41; /* dictionary size beyond 4 GiB */
	put_le32(b.data + 20, ref_crc32(b.data + 12, 8));
	expect_err(&b, 10, -EINVAL, "dictionary size too big");
	free(b.data);
}

/* Raw LZMA2 (xz --format=raw) of @data, without its end marker. */
static struct blob raw_lzma2(const u8 *data, size_t len, const char *opts)
{
	char args[128];
	struct blob b;

	snprintf(args, sizeof(args), "--format=raw --lzma2=%s", opts);
	b = run_xz(data, len, args);
	assert_true(b.len > 0 && b.data[b.len - 1] == 0);
	b.len--;
	return b;
}

/* A dictionary reset inside one block (two raw streams back to back), and a dictionary size. */
void test_dict_reset_and_size(void **state)
{
	u8 *txt = text_bytes(60000), *rnd = random_bytes(20000, 9), *far = random_bytes(300000, 13);
	struct blob a = raw_lzma2(txt, 60000, "preset=6,dict=1MiB"),
		    c = raw_lzma2(rnd, 20000, "preset=6,dict=1MiB");
	struct blob joined = {malloc(a.len + c.len + 1), a.len + c.len + 1}, xz;
	u8 *both = malloc(80000);

	assert_int_equal(a.data[0], 0xe0);
	memcpy(joined.data, a.data, a.len);
	memcpy(joined.data + a.len, c.data, c.len);
	joined.data[a.len + c.len] = 0;
	memcpy(both, txt, 60000);
	memcpy(both + 60000, rnd, 20000);
	xz = wrap(joined.data, joined.len, both, 80000, 16);
	expect_ok(&xz, both, 80000, "dictionary reset inside a block");
	free(xz.data);
	/* The same, with no dictionary reset first: refused. */
	joined.data[0] = 0xc0;
	xz = wrap(joined.data, joined.len, both, 80000, 16);
	expect_err(&xz, 80000, -EINVAL, "first chunk does not reset");
	free(xz.data);
	/* Matches 200 KB back need a dictionary that big: claim 64 KiB and they are refused. */
	memcpy(far + 200000, far, 100000);
	xz = run_xz(far, 300000, "--lzma2=preset=6,dict=1MiB");
	expect_ok(&xz, far, 300000, "far matches");
	assert_int_equal(xz.data[13], 0x00); /* one filter, no sizes: the dictionary byte is [16] */
	xz.data[16] = 10;		     /* block header: 64 KiB dictionary */
	put_le32(xz.data + 12 + (xz.data[12] + 1) * 4 - 4,
		 ref_crc32(xz.data + 12, (xz.data[12] + 1) * 4 - 4));
	expect_err(&xz, 300000, -EINVAL, "beyond the dictionary");
	free(xz.data);
	free(joined.data);
	free(a.data);
	free(c.data);
	free(both);
	free(txt);
	free(rnd);
	free(far);
}
