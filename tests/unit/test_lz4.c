/* Unit tests for common/loader/decompress/lz4.c: `lz4 -l` streams, truncation, corruption, limits. */
#include <keel/decompress.h>
#include <keel/errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#define GUARD	   64
#define GUARD_BYTE 0xa5
#define MAGIC	   0x02, 0x21, 0x4c, 0x18

struct blob {
	u8 *data;
	size_t len;
};

static struct blob load(const char *name)
{
	char path[4096];
	struct blob b = {0};
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", LZ4_DATA_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.len = (size_t)len;
	b.data = malloc(b.len ? b.len : 1);
	if (b.len && fread(b.data, 1, b.len, f) != b.len)
		fail_msg("short read of %s", path);
	fclose(f);
	return b;
}

/* Decompress from an exact-size heap copy into an exact-size heap buffer: ASan sees any overrun. */
static int run(const u8 *in, size_t in_len, size_t out_max, u8 **out, struct decompress_result *res)
{
	u8 *copy = malloc(in_len ? in_len : 1);
	int rc;

	memcpy(copy, in, in_len);
	*out = malloc(out_max ? out_max : 1);
	memset(res, 0x5a, sizeof(*res));
	rc = decompress_lz4_legacy(copy, in_len, *out, out_max, res);
	free(copy);
	assert_true(res->out_len <= out_max);
	assert_true(res->in_used <= in_len);
	if (rc == 0)
		assert_null(res->why);
	else
		assert_non_null(res->why);
	return rc;
}

static void check_exact(const char *name, const char *suffix)
{
	char cname[64];
	struct blob raw = load(name), z;
	struct decompress_result res;
	u8 *out;

	snprintf(cname, sizeof(cname), "%s.%s", name, suffix);
	z = load(cname);
	assert_int_equal(run(z.data, z.len, raw.len, &out, &res), 0);
	assert_int_equal(res.out_len, raw.len);
	assert_int_equal(res.in_used, z.len);
	assert_memory_equal(out, raw.data, raw.len);
	free(out);
	/* A larger buffer: the same output, nothing more. */
	assert_int_equal(run(z.data, z.len, raw.len + 4096, &out, &res), 0);
	assert_int_equal(res.out_len, raw.len);
	assert_memory_equal(out, raw.data, raw.len);
	free(out);
	free(raw.data);
	free(z.data);
}

static void test_lz4_tool_output(void **state)
{
	static const char *const names[] = {"empty", "text", "random", "runs", "big"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		check_exact(names[i], "lz4");
		check_exact(names[i], "lz4hc");
	}
}

/* The big input spans three legacy blocks: check the stream really has them. */
static void test_big_has_several_blocks(void **state)
{
	struct blob z = load("big.lz4hc");
	size_t pos = 4, blocks = 0;

	while (pos + 4 <= z.len) {
		u32 size = z.data[pos] | z.data[pos + 1] << 8 | z.data[pos + 2] << 16 |
			   (u32)z.data[pos + 3] << 24;
		pos += 4 + size;
		blocks++;
	}
	assert_int_equal(pos, z.len);
	assert_int_equal(blocks, 3);
	free(z.data);
}

/* The kernel build appends the le32 uncompressed size: for a payload above 8 MiB it ends the stream. */
static void test_appended_size_ends_stream(void **state)
{
	struct blob raw = load("big"), z = load("big.lz4");
	struct decompress_result res;
	u8 *in = malloc(z.len + 4), *out;

	memcpy(in, z.data, z.len);
	for (int i = 0; i < 4; i++)
		in[z.len + i] = (u8)(raw.len >> (8 * i));
	assert_int_equal(run(in, z.len + 4, raw.len, &out, &res), 0);
	assert_int_equal(res.out_len, raw.len);
	assert_int_equal(res.in_used, z.len);
	assert_memory_equal(out, raw.data, raw.len);
	free(out);
	free(in);
	free(raw.data);
	free(z.data);
}

/* Two streams back to back (a second magic) decode as one; zero padding after ends the stream. */
static void test_concatenated_and_padded(void **state)
{
	struct blob t = load("text"), tz = load("text.lz4hc"), r = load("runs"),
		    rz = load("runs.lz4");
	size_t in_len = tz.len + rz.len + 8;
	u8 *in = calloc(1, in_len), *out;
	struct decompress_result res;

	memcpy(in, tz.data, tz.len);
	memcpy(in + tz.len, rz.data, rz.len);
	assert_int_equal(run(in, in_len, t.len + r.len, &out, &res), 0);
	assert_int_equal(res.out_len, t.len + r.len);
	assert_int_equal(res.in_used, tz.len + rz.len);
	assert_memory_equal(out, t.data, t.len);
	assert_memory_equal(out + t.len, r.data, r.len);
	free(out);
	free(in);
	free(t.data);
	free(tz.data);
	free(r.data);
	free(rz.data);
}

/* Every truncation is an error; only the bare magic (an empty stream) is complete. */
static void check_truncations(const char *cname, size_t raw_len)
{
	struct blob z = load(cname);
	struct decompress_result res;
	u8 *out;

	for (size_t len = 0; len < z.len; len++) {
		int rc = run(z.data, len, raw_len, &out, &res);

		free(out);
		if (len == 4) {
			assert_int_equal(rc, 0);
			assert_int_equal(res.out_len, 0);
			continue;
		}
		if (rc != -ENODATA && rc != -EINVAL)
			fail_msg("%s cut to %zu bytes: rc %d", cname, len, rc);
	}
	free(z.data);
}

static void test_truncated_every_length(void **state)
{
	check_truncations("text.lz4", 3000);
	check_truncations("text.lz4hc", 3000);
}

/* Any byte changed: an error or some output within out_max, never an access out of bounds. */
static void check_flips(const char *cname, size_t raw_len, size_t step)
{
	static const u8 xors[] = {0x01, 0x80, 0xff, 0x10};
	struct blob z = load(cname);
	struct decompress_result res;
	u8 *out;

	for (size_t pos = 0; pos < z.len; pos += step) {
		for (size_t x = 0; x < sizeof(xors); x++) {
			z.data[pos] ^= xors[x];
			(void)run(z.data, z.len, raw_len, &out, &res);
			free(out);
			z.data[pos] ^= xors[x];
		}
	}
	free(z.data);
}

static void test_flipped_bytes(void **state)
{
	check_flips("text.lz4", 3000, 1);
	check_flips("text.lz4hc", 3000, 1);
	check_flips("runs.lz4hc", 200000, 1);
	check_flips("random.lz4", 70000, 97);
}

/* A buffer too small: -E2BIG, and nothing written past out_max (a guard region after it). */
static void test_out_max_too_small(void **state)
{
	struct blob raw = load("runs"), z = load("runs.lz4hc");
	const size_t sizes[] = {0, 1, 5, 4095, 100000, raw.len - 1};
	struct decompress_result res;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t out_max = sizes[i];
		u8 *out = malloc(out_max + GUARD);

		memset(out, GUARD_BYTE, out_max + GUARD);
		assert_int_equal(decompress_lz4_legacy(z.data, z.len, out, out_max, &res), -E2BIG);
		assert_non_null(res.why);
		assert_true(res.out_len <= out_max);
		assert_memory_equal(out, raw.data, res.out_len);
		for (size_t g = 0; g < GUARD; g++)
			assert_int_equal(out[out_max + g], GUARD_BYTE);
		free(out);
		/* And with an exact-size buffer for ASan. */
		assert_int_equal(run(z.data, z.len, out_max, &out, &res), -E2BIG);
		free(out);
	}
	free(raw.data);
	free(z.data);
}

static int run_block(const u8 *block, size_t len, size_t out_max, u8 **out,
		     struct decompress_result *res)
{
	u8 *in = malloc(len + 8);

	memcpy(in, (const u8[]){MAGIC}, 4);
	for (int i = 0; i < 4; i++)
		in[4 + i] = (u8)(len >> (8 * i));
	memcpy(in + 8, block, len);
	int rc = run(in, len + 8, out_max, out, res);

	free(in);
	return rc;
}

#define assert_block_refused(block, out_max, err, text)                                          \
	do {                                                                                     \
		u8 *o_;                                                                          \
		struct decompress_result r_;                                                     \
		assert_int_equal(run_block((block), sizeof(block), (out_max), &o_, &r_), (err)); \
		if (!strstr(r_.why, (text)))                                                     \
			fail_msg("reason '%s' lacks '%s'", r_.why, (text));                      \
		free(o_);                                                                        \
	} while (0)

static void test_hand_made_blocks(void **state)
{
	/* 'a', then a 5-byte match at offset 1 (overlapping), then literals "bc". */
	static const u8 rle[] = {0x11, 'a', 1, 0, 0x20, 'b', 'c'};
	static const u8 offset0[] = {0x10, 'a', 0, 0, 0x10, 'z'};
	static const u8 offset_far[] = {0x10, 'a', 2, 0, 0x10, 'z'};
	static const u8 literals_past_end[] = {0x50, 'a', 'b'};
	static const u8 ends_in_offset[] = {0x10, 'a', 1};
	static const u8 ends_in_length[] = {0xf0, 255, 255};
	static const u8 match_last[] = {0x10, 'a', 1, 0};
	struct decompress_result res;
	u8 *out;

	assert_int_equal(run_block(rle, sizeof(rle), 64, &out, &res), 0);
	assert_int_equal(res.out_len, 8);
	assert_memory_equal(out, "aaaaaabc", 8);
	free(out);
	assert_block_refused(offset0, 64, -EINVAL, "offset 0");
	assert_block_refused(offset_far, 64, -EINVAL, "before the block's start");
	assert_block_refused(literals_past_end, 64, -EINVAL, "literals run past");
	assert_block_refused(ends_in_offset, 64, -EINVAL, "offset");
	assert_block_refused(ends_in_length, 64, -EINVAL, "inside a length");
	assert_block_refused(match_last, 64, -EINVAL, "before its last literals");
	/* The match runs past the output's end (7 bytes fit, not 8). */
	assert_block_refused(rle, 7, -E2BIG, "larger than the buffer");
	assert_block_refused(rle, 5, -E2BIG, "larger than the buffer");
	assert_block_refused(rle, 0, -E2BIG, "larger than the buffer");
}

/* Blocks are independent: a match in the second block reaching into the first is refused. */
static void test_match_into_previous_block(void **state)
{
	static const u8 in[] = {MAGIC, 2, 0,	0,   0, 0x10, 'a',  6,	0,
				0,     0, 0x10, 'b', 2, 0,    0x10, 'c'};
	struct decompress_result res;
	u8 *out;

	assert_int_equal(run(in, sizeof(in), 64, &out, &res), -EINVAL);
	assert_int_equal(res.out_len, 2);
	assert_int_equal(res.in_used, 10);
	free(out);
}

/* A block decompressing to more than 8 MiB is refused even when the buffer would hold it. */
static void test_block_over_8mib(void **state)
{
	size_t ext = (8u << 20) / 255 + 2, len = 4 + ext + 2;
	u8 *block = malloc(len), *out;
	struct decompress_result res;
	size_t p = 0;

	block[p++] = 0x1f;
	block[p++] = 'a';
	block[p++] = 1;
	block[p++] = 0;
	memset(block + p, 255, ext - 1);
	p += ext - 1;
	block[p++] = 0;
	block[p++] = 0x10;
	block[p++] = 'z';
	assert_int_equal(p, len);
	assert_int_equal(run_block(block, p, 9u << 20, &out, &res), -EINVAL);
	assert_non_null(strstr(res.why, "8 MiB"));
	free(out);
	free(block);
}

static void test_bad_magic_and_short(void **state)
{
	static const u8 bad[] = {0x04, 0x22, 0x4d, 0x18, 0, 0, 0, 0}; /* the LZ4 frame format */
	static const u8 stray[] = {MAGIC, 1, 0};
	struct decompress_result res;
	u8 *out;

	assert_int_equal(run(bad, sizeof(bad), 64, &out, &res), -EINVAL);
	free(out);
	assert_int_equal(run(bad, 0, 64, &out, &res), -ENODATA);
	free(out);
	assert_int_equal(run(stray, sizeof(stray), 64, &out, &res), -ENODATA);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lz4_tool_output),
	    cmocka_unit_test(test_big_has_several_blocks),
	    cmocka_unit_test(test_appended_size_ends_stream),
	    cmocka_unit_test(test_concatenated_and_padded),
	    cmocka_unit_test(test_truncated_every_length),
	    cmocka_unit_test(test_flipped_bytes),
	    cmocka_unit_test(test_out_max_too_small),
	    cmocka_unit_test(test_hand_made_blocks),
	    cmocka_unit_test(test_match_into_previous_block),
	    cmocka_unit_test(test_block_over_8mib),
	    cmocka_unit_test(test_bad_magic_and_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
