/* Unit tests for common/loader/decompress/zstd*.c: hand-built frames, blocks, sequences, tables. */
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

#include "../../common/loader/decompress/zstd_internal.h"

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* Decompress from an exact-size heap copy into an exact-size buffer and work area (ASan). */
static int unzstd(const u8 *in, size_t len, u8 **out, size_t out_max, struct decompress_result *res)
{
	u8 *copy = malloc(len ? len : 1);
	void *work = aligned_alloc(16, DECOMPRESS_WORK_SIZE);
	int rc;

	memcpy(copy, in, len);
	*out = malloc(out_max ? out_max : 1);
	memset(res, 0x5a, sizeof(*res));
	rc = decompress_zstd(copy, len, *out, out_max, work, res);
	assert_true(rc == 0 || rc == -EINVAL || rc == -ENODATA || rc == -E2BIG);
	assert_true((rc == 0) == (res->why == NULL));
	assert_true(res->out_len <= out_max);
	assert_true(res->in_used <= len);
	free(work);
	free(copy);
	return rc;
}

/* ---- hand-built frames ---- */
struct frame {
	u8 buf[512];
	size_t len;
};

static void put(struct frame *f, const void *p, size_t n)
{
	assert_true(f->len + n <= sizeof(f->buf));
	memcpy(f->buf + f->len, p, n);
	f->len += n;
}

static void put_byte(struct frame *f, u8 b)
{
	put(f, &b, 1);
}

/* Magic, a header with a 1 KiB window and a 4-byte content size @fcs (no checksum). */
static void frame_start(struct frame *f, u32 fcs)
{
	f->len = 0;
	put(f, "\x28\xb5\x2f\xfd\x80\x00", 6);
	for (int i = 0; i < 4; i++)
		put_byte(f, (u8)(fcs >> (8 * i)));
}

/* Magic and a frame header of descriptor @fhd and the @n bytes after it. */
static void frame_header(struct frame *f, u8 fhd, const void *rest, size_t n)
{
	f->len = 0;
	put(f, "\x28\xb5\x2f\xfd", 4);
	put_byte(f, fhd);
	put(f, rest, n);
}

static void block(struct frame *f, bool last, unsigned int type, const u8 *content, size_t size)
{
	u32 hdr = last | type << 1 | (u32)size << 3;

	put_byte(f, (u8)hdr);
	put_byte(f, (u8)(hdr >> 8));
	put_byte(f, (u8)(hdr >> 16));
	put(f, content, type == 1 ? 1 : size);
}

/*
 * A compressed block: raw literals "ab", then one sequence with all three tables in RLE mode
 * (codes @ll_code, @of_code, @ml_code) whose extra bits are @bits (@nbits of them).
 */
static size_t seq_block(u8 *b, unsigned int ll_code, unsigned int of_code, unsigned int ml_code,
			u32 bits, unsigned int nbits)
{
	size_t n = 0;

	b[n++] = 2 << 3; /* raw literals, 2 bytes */
	b[n++] = 'a';
	b[n++] = 'b';
	b[n++] = 1;    /* one sequence */
	b[n++] = 0x54; /* LL, OF, ML all RLE_Mode */
	b[n++] = (u8)ll_code;
	b[n++] = (u8)of_code;
	b[n++] = (u8)ml_code;
	/* The bitstream: extra bits under the final 1-bit, least significant byte first. */
	u32 v = bits | 1u << nbits;
	do {
		b[n++] = (u8)v;
		v >>= 8;
	} while (v);
	return n;
}

static int run_frame(const struct frame *f, size_t out_max, const u8 *want, size_t want_len,
		     struct decompress_result *res)
{
	u8 *out;
	int rc = unzstd(f->buf, f->len, &out, out_max, res);

	if (rc == 0) {
		assert_int_equal(res->out_len, want_len);
		assert_memory_equal(out, want, want_len);
	}
	free(out);
	return rc;
}

#define expect_bad(f, max, text)                                                        \
	do {                                                                            \
		struct decompress_result r_;                                            \
		int rc_ = run_frame((f), (max), NULL, 0, &r_);                          \
		if (rc_ != -EINVAL || !strstr(r_.why, (text)))                          \
			fail_msg("rc %d, reason '%s', want '%s'", rc_, r_.why, (text)); \
	} while (0)

#define expect_good(f, max, want)                                                         \
	do {                                                                              \
		struct decompress_result r_;                                              \
		int rc_ = run_frame((f), (max), (const u8 *)(want), strlen(want), &r_);   \
		if (rc_ != 0)                                                             \
			fail_msg("rc %d, reason '%s', want \"%s\"", rc_, r_.why, (want)); \
	} while (0)

static void one_seq_frame(struct frame *f, u8 fcs, unsigned int ll_code, unsigned int of_code,
			  unsigned int ml_code, u32 bits, unsigned int nbits)
{
	u8 b[32];
	size_t n = seq_block(b, ll_code, of_code, ml_code, bits, nbits);

	frame_start(f, fcs);
	block(f, true, 2, b, n);
}

static void test_sequences_by_hand(void **state)
{
	struct decompress_result res;
	struct frame f;
	u8 b[64];
	size_t n;

	/* "ab" + match length 3 at Offset_Value 4 + v: offset 1 + v. */
	one_seq_frame(&f, 5, 2, 2, 0, 0, 2);
	expect_good(&f, 5, "abbbb");
	one_seq_frame(&f, 5, 2, 2, 0, 1, 2);
	expect_good(&f, 5, "ababa");
	one_seq_frame(&f, 5, 2, 2, 0, 2, 2);
	expect_bad(&f, 5, "offset before the start");
	/* Repeat offsets: value 1 with literals is Repeated_Offset1 = 1; value 2 is 4: too far. */
	one_seq_frame(&f, 5, 2, 0, 0, 0, 0);
	expect_good(&f, 5, "abbbb");
	one_seq_frame(&f, 5, 2, 1, 0, 0, 1);
	expect_bad(&f, 5, "offset before the start");
	/* No literals: value 3 is Repeated_Offset1 - 1 = 0. */
	one_seq_frame(&f, 5, 0, 1, 0, 1, 1);
	expect_bad(&f, 5, "offset before the start");
	/* Match length code 5 is 8 bytes: 10 in all, more than the frame says, or the buffer. */
	one_seq_frame(&f, 10, 2, 2, 5, 0, 2);
	expect_good(&f, 10, "abbbbbbbbb");
	assert_int_equal(run_frame(&f, 9, NULL, 0, &res), -E2BIG);
	one_seq_frame(&f, 5, 2, 2, 5, 0, 2);
	expect_bad(&f, 100, "content size mismatch");
	/* Literal length 3 of 2 literals; codes out of range; leftover and missing bits. */
	one_seq_frame(&f, 6, 3, 2, 0, 0, 2);
	expect_bad(&f, 6, "literal length beyond");
	one_seq_frame(&f, 5, 36, 2, 0, 0, 2);
	expect_bad(&f, 5, "code out of range");
	one_seq_frame(&f, 5, 2, 32, 0, 0, 2);
	expect_bad(&f, 5, "code out of range");
	one_seq_frame(&f, 5, 2, 2, 53, 0, 2);
	expect_bad(&f, 5, "code out of range");
	one_seq_frame(&f, 5, 2, 2, 0, 0, 5);
	expect_bad(&f, 5, "not consumed exactly");
	one_seq_frame(&f, 5, 2, 2, 0, 0, 0);
	expect_bad(&f, 5, "overrun");
	/* Large offset code: 2^30 + bits - 3 is far before the start. */
	one_seq_frame(&f, 5, 2, 30, 0, 5, 30);
	expect_bad(&f, 5, "offset before the start");

	/* Reserved bits in the modes byte; Repeat_Mode with nothing to repeat. */
	n = seq_block(b, 2, 2, 0, 0, 2);
	b[4] |= 1;
	frame_start(&f, 5);
	block(&f, true, 2, b, n);
	expect_bad(&f, 5, "reserved bits");
	b[4] = 0xd4; /* LL repeat */
	frame_start(&f, 5);
	block(&f, true, 2, b, n);
	expect_bad(&f, 5, "without a previous one");
	/* ...but in a second block the first block's RLE table repeats. */
	n = seq_block(b, 2, 2, 0, 0, 2);
	frame_start(&f, 10);
	block(&f, false, 2, b, n);
	b[4] = 0xfc; /* all three repeat: no table bytes */
	memmove(b + 5, b + 8, n - 8);
	block(&f, true, 2, b, n - 3);
	expect_good(&f, 10, "abbbbabbbb");

	/* RLE literals "aa" and a predefined-table sequence of all-zero states and bits. */
	frame_start(&f, 5);
	b[0] = 2 << 3 | 1;
	b[1] = 'a';
	b[2] = 1;
	b[3] = 0; /* predefined LL, OF, ML */
	/* States 0: LL code 0, OF code 0, ML code 0 -> ll 0, Offset_Value 1, ml 3 */
	b[4] = 0;
	b[5] = 0;
	b[6] = 0x80 >> 0 >> 0; /* 6 + 5 + 6 = 17 state bits: marker at bit 17 */
	block(&f, true, 2, b, 7);
	/* ll 0 with Offset_Value 1 means Repeated_Offset2 = 4: before the start */
	expect_bad(&f, 5, "offset before the start");

	/* Treeless literals first in a frame; raw literals past the block; empty block. */
	frame_start(&f, 5);
	b[0] = 3 | 0 << 2 | 5 << 4; /* treeless, 1 stream, regenerated 5 */
	b[1] = 1 << 6;		    /* compressed size 1 */
	b[2] = 0;
	b[3] = 0x80;
	block(&f, true, 2, b, 4);
	expect_bad(&f, 5, "without a previous Huffman tree");
	frame_start(&f, 5);
	b[0] = 9 << 3;
	block(&f, true, 2, b, 4);
	expect_bad(&f, 100, "raw literals overrun");
	frame_start(&f, 0);
	block(&f, true, 2, b, 0);
	expect_bad(&f, 5, "empty compressed block");
}

/* Table descriptions out of bounds: FSE accuracy logs, Huffman weights. */
static void test_tables_by_hand(void **state)
{
	static const struct {
		u8 w;
		const char *why;
	} trees[] = {{0xf1, "weight too large"},
		     {0x00, "one symbol"},
		     {0x31, "do not complete a tree"},
		     {0x22, "without weight 1"}};
	struct frame f;
	u8 b[64];
	size_t n;

	/* LL in FSE_Compressed_Mode with Accuracy_Log 10 (> 9), or too many symbols. */
	n = seq_block(b, 2, 2, 0, 0, 2);
	b[4] = 0x94;
	b[5] = 0x05;
	frame_start(&f, 5);
	block(&f, true, 2, b, n);
	expect_bad(&f, 5, "accuracy log too large");
	/* Offsets at Accuracy_Log 9 (> 8). */
	n = seq_block(b, 2, 2, 0, 0, 2);
	b[4] = 0x64;
	b[6] = 0x04;
	frame_start(&f, 5);
	block(&f, true, 2, b, n);
	expect_bad(&f, 5, "accuracy log too large");
	/* Log 5: first value read is 33 (+1): more than the 32 points there are. */
	b[4] = 0x94;
	b[5] = 0xf0;
	b[6] = 0xff;
	b[7] = 0xff;
	frame_start(&f, 5);
	block(&f, true, 2, b, n);
	expect_bad(&f, 5, "zstd: ");
	/* Compressed literals, one stream of 2, with a direct two-weight tree. */
	for (size_t i = 0; i < ARRAY_SIZE(trees); i++) {
		const u8 lits[] = {0x22, 0xc0, 0x00, 0x81, trees[i].w, 0x01, 0x00};

		frame_start(&f, 2);
		block(&f, true, 2, lits, sizeof(lits));
		expect_bad(&f, 2, trees[i].why);
	}
	/* A tree description longer than the literals. */
	const u8 lits[] = {0x22, 0xc0, 0x00, 0xff, 0x11, 0x01, 0x00};
	frame_start(&f, 2);
	block(&f, true, 2, lits, sizeof(lits));
	expect_bad(&f, 2, "Huffman tree truncated");
}

/* Raw and RLE blocks, window limits, reserved fields, dictionaries, checksums. */
static void test_frames_by_hand(void **state)
{
	struct decompress_result res;
	struct frame f;

	frame_start(&f, 8);
	block(&f, false, 0, (const u8 *)"keel", 4);
	block(&f, true, 1, (const u8 *)"z", 4);
	expect_good(&f, 8, "keelzzzz");
	assert_int_equal(run_frame(&f, 7, NULL, 0, &res), -E2BIG);
	assert_string_equal(res.why, "zstd: output larger than the buffer");
	/* Without a content size the raw or RLE block itself finds the buffer too small. */
	frame_header(&f, 0x00, "", 1); /* a window descriptor (1 KiB), no size */
	block(&f, false, 0, (const u8 *)"keel", 4);
	block(&f, true, 1, (const u8 *)"z", 4);
	expect_good(&f, 8, "keelzzzz");
	assert_int_equal(run_frame(&f, 7, NULL, 0, &res), -E2BIG);
	assert_int_equal(run_frame(&f, 3, NULL, 0, &res), -E2BIG);
	/* A block larger than the window (content size 3 in a single segment). */
	frame_header(&f, 0x20, "\x03", 1);
	block(&f, true, 0, (const u8 *)"keel", 4);
	expect_bad(&f, 100, "Block_Maximum_Size");
	frame_start(&f, 4);
	block(&f, true, 3, (const u8 *)"keel", 4);
	expect_bad(&f, 100, "reserved block type");
	frame_start(&f, 4);
	f.buf[4] |= 0x08;
	block(&f, true, 0, (const u8 *)"keel", 4);
	expect_bad(&f, 100, "reserved frame header bit");
	/* The unused bit is ignored. */
	f.buf[4] ^= 0x08 | 0x10;
	expect_good(&f, 4, "keel");
	/* Dictionary_ID 7 needs a dictionary; 0 is none. */
	for (u8 id = 0; id < 8; id += 7) {
		u8 rest[2] = {id, 4};

		frame_header(&f, 0x21, rest, 2); /* single segment, 1-byte Dictionary_ID */
		block(&f, true, 0, (const u8 *)"keel", 4);
		if (id)
			expect_bad(&f, 100, "dictionary needed");
		else
			expect_good(&f, 4, "keel");
	}
	/* (the checksum is tested on zstd(1) output in test_zstd.c) */
}

static void test_predefined_tables(void **state)
{
	static struct zstd_dec d;
	u8 log;

	zstd_fse_predefined(&d, ZSTD_TABLE_LL, d.ll, &log);
	assert_int_equal(log, 6);
	assert_int_equal(d.ll[0].base, 0);
	assert_int_equal(d.ll[0].nbits, 4);
	assert_int_equal(d.ll[1].next, 16);
	assert_int_equal(d.ll[2].base, 1);
	assert_int_equal(d.ll[2].next, 32);
	assert_int_equal(d.ll[10].base, 14);
	assert_int_equal(d.ll[10].nbits, 6);
	assert_int_equal(d.ll[60].base, 65536);
	assert_int_equal(d.ll[60].extra, 16);
	assert_int_equal(d.ll[63].base, 8192);
	assert_int_equal(d.ll[39].next, 16);
	zstd_fse_predefined(&d, ZSTD_TABLE_ML, d.ml, &log);
	assert_int_equal(d.ml[0].base, 3);
	assert_int_equal(d.ml[0].nbits, 6);
	assert_int_equal(d.ml[44].base, 4);
	assert_int_equal(d.ml[44].next, 48);
	assert_int_equal(d.ml[57].base, 65539);
	assert_int_equal(d.ml[63].base, 1027);
	zstd_fse_predefined(&d, ZSTD_TABLE_OF, d.of, &log);
	assert_int_equal(log, 5);
	assert_int_equal(d.of[1].base, 64);
	assert_int_equal(d.of[1].extra, 6);
	assert_int_equal(d.of[1].nbits, 4);
	assert_int_equal(d.of[15].next, 16);
	assert_int_equal(d.of[21].base, 1u << 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_predefined_tables),
	    cmocka_unit_test(test_frames_by_hand),
	    cmocka_unit_test(test_sequences_by_hand),
	    cmocka_unit_test(test_tables_by_hand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
