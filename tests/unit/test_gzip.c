/* Unit tests for common/loader/decompress/: gzip(1)'s own output, hand-built streams, corruption. */
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

struct blob {
	u8 *data;
	size_t len;
};

static char workdir[] = "/tmp/keel-gzip-test.XXXXXX";

/* Bitwise CRC-32, independent of gzip.c's table, for hand-built members. */
static u32 ref_crc32(const u8 *p, size_t n)
{
	u32 crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* Compress @len bytes with Debian's gzip(1) and @args (e.g. "-9 -n"). */
static struct blob run_gzip(const u8 *data, size_t len, const char *args)
{
	char path[128], cmd[512];
	struct blob b = {0};
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/data", workdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && gzip -c %s data > data.gz", workdir, args);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/data.gz", workdir);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.len = (size_t)n;
	b.data = malloc(b.len);
	assert_int_equal(fread(b.data, 1, b.len, f), b.len);
	fclose(f);
	return b;
}

/* Decompress from an exact-size heap copy of @len bytes into an exact-size @out_max buffer. */
static int gunzip(const u8 *in, size_t len, u8 **out, size_t out_max, struct decompress_result *res)
{
	u8 *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, in, len);
	*out = malloc(out_max ? out_max : 1);
	rc = decompress_gzip(copy, len, *out, out_max, res);
	free(copy);
	return rc;
}

static void expect_roundtrip(const u8 *data, size_t len, const char *args)
{
	struct blob gz = run_gzip(data, len, args);
	struct decompress_result res;
	u8 *out, *padded;
	int rc;

	rc = gunzip(gz.data, gz.len, &out, len, &res);
	if (rc)
		fail_msg("gzip %s of %zu bytes: %d (%s)", args, len, rc, res.why);
	assert_null(res.why);
	assert_int_equal(res.out_len, len);
	assert_int_equal(res.in_used, gz.len);
	assert_memory_equal(out, data, len);
	free(out);
	/* Trailing bytes are the caller's; a bigger buffer is fine. */
	padded = malloc(gz.len + 5);
	memcpy(padded, gz.data, gz.len);
	memset(padded + gz.len, 0x1f, 5);
	rc = gunzip(padded, gz.len + 5, &out, len + 100, &res);
	assert_int_equal(rc, 0);
	assert_int_equal(res.in_used, gz.len);
	assert_int_equal(res.out_len, len);
	free(out);
	free(padded);
	free(gz.data);
}

static u32 seed;
static u8 next_random(void)
{
	seed = seed * 1103515245u + 12345u;
	return (u8)(seed >> 16);
}

static u8 *random_bytes(size_t len, u32 s)
{
	u8 *p = malloc(len ? len : 1);

	seed = s;
	for (size_t i = 0; i < len; i++)
		p[i] = next_random();
	return p;
}

/* Text with repeats near and far (up to the 32 KiB window) over more than 64 KiB. */
static u8 *text_bytes(size_t len)
{
	static const char *const words[] = {"keel ", "hypervisor ", "domain ", "vcpu ",
					    "ept ",  "guest ",	    "\n",      "deflate "};
	u8 *p = malloc(len);
	size_t i = 0;

	seed = 7;
	while (i < len) {
		const char *w = words[next_random() % 8];
		size_t n = strlen(w);

		if (n > len - i)
			n = len - i;
		memcpy(p + i, w, n);
		i += n;
	}
	return p;
}

static void test_gzip_tool_vectors(void **state)
{
	static const char *const modes[] = {"-9 -n", "-1 -n", "-6", "-9"};
	size_t big = 150 * 1024;
	u8 *rnd = random_bytes(big, 1), *txt = text_bytes(big), *run = calloc(1, big);
	u8 *rep = malloc(big);

	/* A random 20 KiB block repeated: matches 20 KiB back, across 64 KiB. */
	for (size_t i = 0; i < big; i++)
		rep[i] = rnd[i % (20 * 1024)];
	memset(run + 1000, 'x', 70000);
	for (size_t m = 0; m < 4; m++) {
		expect_roundtrip(rnd, big, modes[m]);
		expect_roundtrip(txt, big, modes[m]);
		expect_roundtrip(run, big, modes[m]);
		expect_roundtrip(rep, big, modes[m]);
		expect_roundtrip(txt, 100, modes[m]);
		expect_roundtrip((const u8 *)"", 0, modes[m]);
		expect_roundtrip((const u8 *)"a", 1, modes[m]);
	}
	free(rnd);
	free(txt);
	free(run);
	free(rep);
}

/* gzip of a very short input is one fixed-Huffman block; of random bytes, stored blocks. */
static void test_block_types(void **state)
{
	u8 *rnd = random_bytes(1000, 3);
	struct blob gz = run_gzip((const u8 *)"hello", 5, "-9 -n");

	assert_int_equal(gz.data[10] & 7, 1 | (1 << 1)); /* BFINAL, BTYPE=01 */
	free(gz.data);
	gz = run_gzip(rnd, 1000, "-9 -n");
	assert_int_equal(gz.data[10] & 6, 0); /* BTYPE=00 */
	free(gz.data);
	expect_roundtrip(rnd, 1000, "-9 -n");
	free(rnd);
}

/* ---- hand-built streams ---- */
struct bitwriter {
	u8 buf[4096];
	size_t len; /* bytes begun */
	unsigned int bit;
};

static void put_bits(struct bitwriter *w, u32 v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++, w->bit++) {
		if (w->bit % 8 == 0)
			w->buf[w->len++] = 0;
		w->buf[w->len - 1] |= ((v >> i) & 1) << (w->bit % 8);
	}
}

/* Huffman codes go most significant bit first. */
static void put_code(struct bitwriter *w, u32 code, unsigned int n)
{
	while (n--)
		put_bits(w, code >> n, 1);
}

static void put_fixed_litlen(struct bitwriter *w, unsigned int sym)
{
	if (sym < 144)
		put_code(w, 0x30 + sym, 8);
	else if (sym < 256)
		put_code(w, 0x190 + sym - 144, 9);
	else if (sym < 280)
		put_code(w, sym - 256, 7);
	else
		put_code(w, 0xc0 + sym - 280, 8);
}

/* A gzip member around the deflate bytes in @w, claiming @data as its content. */
static struct blob member(const struct bitwriter *w, const u8 *data, size_t len)
{
	static const u8 hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	struct blob b = {malloc(10 + w->len + 8), 10 + w->len + 8};
	u32 crc = ref_crc32(data, len);

	memcpy(b.data, hdr, 10);
	memcpy(b.data + 10, w->buf, w->len);
	for (int i = 0; i < 4; i++) {
		b.data[10 + w->len + i] = (u8)(crc >> (8 * i));
		b.data[14 + w->len + i] = (u8)(len >> (8 * i));
	}
	return b;
}

static int run_member(const struct bitwriter *w, const u8 *data, size_t len,
		      struct decompress_result *res)
{
	struct blob b = member(w, data, len);
	u8 *out;
	int rc = gunzip(b.data, b.len, &out, 64, res);

	if (rc == 0)
		assert_memory_equal(out, data, len);
	free(out);
	free(b.data);
	return rc;
}

#define expect_bad(w, text)                                                 \
	do {                                                                \
		struct decompress_result r_;                                \
		assert_int_equal(run_member((w), NULL, 0, &r_), -EINVAL);   \
		assert_non_null(r_.why);                                    \
		if (!strstr(r_.why, (text)))                                \
			fail_msg("reason '%s' lacks '%s'", r_.why, (text)); \
	} while (0)

static void test_stored_and_fixed(void **state)
{
	struct bitwriter w = {0};
	struct decompress_result res;

	/* Stored block "abc", not final, then a fixed block: 'd', match len 4 dist 1, EOB. */
	put_bits(&w, 0, 1);
	put_bits(&w, 0, 2);
	memcpy(w.buf + w.len,
	       "\x03\x00\xfc\xff"
	       "abc",
	       7);
	w.len += 7;
	w.bit = (unsigned int)w.len * 8;
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_fixed_litlen(&w, 'd');
	put_fixed_litlen(&w, 258); /* length 4 */
	put_code(&w, 0, 5);	   /* distance 1 */
	put_fixed_litlen(&w, 256);
	assert_int_equal(run_member(&w, (const u8 *)"abcddddd", 8, &res), 0);
	assert_int_equal(res.out_len, 8);
	/* A match of distance 3 copying 8 bytes back over itself. */
	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_fixed_litlen(&w, 'x');
	put_fixed_litlen(&w, 'y');
	put_fixed_litlen(&w, 'z');
	put_fixed_litlen(&w, 262); /* length 8 */
	put_code(&w, 2, 5);	   /* distance 3 */
	put_fixed_litlen(&w, 256);
	assert_int_equal(run_member(&w, (const u8 *)"xyzxyzxyzxy", 11, &res), 0);
}

static void start_fixed(struct bitwriter *w, unsigned int type)
{
	memset(w, 0, sizeof(*w));
	put_bits(w, 1, 1);
	put_bits(w, type, 2);
}

static void test_malformed_blocks(void **state)
{
	struct bitwriter w;

	start_fixed(&w, 3);
	expect_bad(&w, "reserved block type");

	start_fixed(&w, 0);
	memcpy(w.buf + w.len,
	       "\x03\x00\xfc\xfe"
	       "abc",
	       7);
	w.len += 7;
	expect_bad(&w, "stored block length");

	start_fixed(&w, 1);
	put_fixed_litlen(&w, 'a');
	put_fixed_litlen(&w, 257);
	put_code(&w, 1, 5); /* distance 2, one byte written */
	expect_bad(&w, "distance before the start");

	start_fixed(&w, 1);
	put_fixed_litlen(&w, 257);
	put_code(&w, 0, 5); /* distance 1, nothing written */
	expect_bad(&w, "distance before the start");

	for (unsigned int sym = 286; sym <= 287; sym++) {
		start_fixed(&w, 1);
		put_fixed_litlen(&w, 'a');
		put_fixed_litlen(&w, sym);
		put_code(&w, 0, 5);
		expect_bad(&w, "invalid length symbol");
	}
	for (unsigned int d = 30; d <= 31; d++) {
		start_fixed(&w, 1);
		put_fixed_litlen(&w, 'a');
		put_fixed_litlen(&w, 257);
		put_code(&w, d, 5);
		expect_bad(&w, "invalid distance symbol");
	}

	/* Dynamic: HLIT 287 or 288, HDIST 31 or 32. */
	for (unsigned int v = 30; v <= 31; v++) {
		start_fixed(&w, 2);
		put_bits(&w, v, 5);
		put_bits(&w, 0, 5);
		put_bits(&w, 0, 4);
		expect_bad(&w, "too many");
		start_fixed(&w, 2);
		put_bits(&w, 0, 5);
		put_bits(&w, v, 5);
		put_bits(&w, 0, 4);
		expect_bad(&w, "too many");
	}

	/* Code length code over-subscribed: 16, 17, 18 and 0 all one bit long. */
	start_fixed(&w, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 4);
	for (int i = 0; i < 4; i++)
		put_bits(&w, 1, 3);
	expect_bad(&w, "bad code length code");

	/* Code length code incomplete: only 0, two bits long. */
	start_fixed(&w, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 4);
	put_bits(&w, 0, 3);
	put_bits(&w, 0, 3);
	put_bits(&w, 0, 3);
	put_bits(&w, 2, 3);
	expect_bad(&w, "bad code length code");

	/* Code lengths {16, 0} one bit each: a repeat (code 1) first has nothing to repeat. */
	start_fixed(&w, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 4);
	put_bits(&w, 1, 3);
	put_bits(&w, 0, 3);
	put_bits(&w, 0, 3);
	put_bits(&w, 1, 3);
	put_code(&w, 1, 1);
	put_bits(&w, 0, 2);
	expect_bad(&w, "no previous");

	/* Code lengths {18, 0}: 258 zero lengths (138 + 120), so no end-of-block code. */
	start_fixed(&w, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 4);
	put_bits(&w, 0, 3);
	put_bits(&w, 0, 3);
	put_bits(&w, 1, 3);
	put_bits(&w, 1, 3);
	put_code(&w, 1, 1);
	put_bits(&w, 127, 7);
	put_code(&w, 1, 1);
	put_bits(&w, 109, 7);
	expect_bad(&w, "no end-of-block");

	/* Code lengths {18, 0}: a run of 138 zeros overruns the 258 lengths after 138 + 11. */
	start_fixed(&w, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 4);
	put_bits(&w, 0, 3);
	put_bits(&w, 0, 3);
	put_bits(&w, 1, 3);
	put_bits(&w, 1, 3);
	put_code(&w, 1, 1);
	put_bits(&w, 127, 7);
	put_code(&w, 1, 1);
	put_bits(&w, 127, 7);
	expect_bad(&w, "overrun");
}

/* A fixed-block member of "hello" with header fields added by @flags. */
static struct blob hello_with(u8 flags, bool good_hcrc)
{
	struct blob gz = run_gzip((const u8 *)"hello", 5, "-9 -n");
	u8 *p = malloc(gz.len + 64);
	size_t n = 10;
	u32 hcrc;

	memcpy(p, gz.data, 10);
	p[3] = flags;
	if (flags & 0x04) {
		memcpy(p + n, "\x04\x00XY\x00\x00", 6);
		n += 6;
	}
	if (flags & 0x08) {
		memcpy(p + n, "name.txt", 9);
		n += 9;
	}
	if (flags & 0x10) {
		memcpy(p + n, "a comment", 10);
		n += 10;
	}
	if (flags & 0x02) {
		hcrc = ref_crc32(p, n) ^ (good_hcrc ? 0 : 1);
		p[n++] = (u8)hcrc;
		p[n++] = (u8)(hcrc >> 8);
	}
	memcpy(p + n, gz.data + 10, gz.len - 10);
	n += gz.len - 10;
	free(gz.data);
	return (struct blob){p, n};
}

static void test_header_fields(void **state)
{
	struct decompress_result res;
	struct blob b;
	u8 *out;

	for (unsigned int flags = 0; flags < 0x20; flags++) {
		b = hello_with((u8)flags, true);
		assert_int_equal(gunzip(b.data, b.len, &out, 5, &res), 0);
		assert_memory_equal(out, "hello", 5);
		assert_int_equal(res.in_used, b.len);
		free(out);
		/* Every truncation of the header (and the rest) is refused as truncated. */
		for (size_t len = 3; len < b.len; len++) {
			assert_int_equal(gunzip(b.data, len, &out, 5, &res), -ENODATA);
			free(out);
		}
		free(b.data);
	}
	b = hello_with(0x02 | 0x08, false);
	assert_int_equal(gunzip(b.data, b.len, &out, 5, &res), -EINVAL);
	assert_string_equal(res.why, "gzip: header CRC mismatch");
	free(out);
	for (unsigned int bit = 5; bit < 8; bit++) {
		b.data[3] = (u8)(1u << bit);
		assert_int_equal(gunzip(b.data, b.len, &out, 5, &res), -EINVAL);
		assert_string_equal(res.why, "gzip: reserved flag bits set");
		free(out);
	}
	b.data[3] = 0x08;
	b.data[2] = 7;
	assert_int_equal(gunzip(b.data, b.len, &out, 5, &res), -EINVAL);
	free(out);
	b.data[0] = 0x1e;
	assert_int_equal(gunzip(b.data, b.len, &out, 5, &res), -EINVAL);
	free(out);
	assert_int_equal(gunzip(b.data, 0, &out, 5, &res), -ENODATA);
	free(out);
	free(b.data);
}

/* A small dynamic-Huffman member from gzip(1): cut, flipped, and squeezed. */
static void test_corruption(void **state)
{
	u8 *txt = text_bytes(3000);
	struct blob gz = run_gzip(txt, 3000, "-9");
	struct decompress_result res;
	u8 *out, *guarded;
	int rc;

	assert_int_equal(gz.data[3], 0x08); /* FNAME */
	for (size_t len = 0; len < gz.len; len++) {
		rc = gunzip(gz.data, len, &out, 3000, &res);
		assert_true(rc == -ENODATA || rc == -EINVAL);
		assert_non_null(res.why);
		assert_true(res.out_len <= 3000);
		free(out);
	}
	for (size_t i = 0; i < gz.len; i++) {
		for (unsigned int bit = 0; bit < 8; bit++) {
			gz.data[i] ^= (u8)(1u << bit);
			rc = gunzip(gz.data, gz.len, &out, 3000, &res);
			assert_true(rc == 0 || rc == -EINVAL || rc == -ENODATA || rc == -E2BIG);
			/*
			 * Success only where the flip hit MTIME, XFL, OS, FTEXT, the name, or the
			 * padding bits after end-of-block; and then the output is still right.
			 */
			if (rc == 0) {
				if (!(i < 10 + 5 || (i == 3 && bit == 0) || i == gz.len - 9))
					fail_msg("flip of byte %zu bit %u accepted", i, bit);
				assert_memory_equal(out, txt, 3000);
			}
			free(out);
			gz.data[i] ^= (u8)(1u << bit);
		}
	}
	/* Too small a buffer: -E2BIG, nothing written past out_max (ASan and a guard). */
	guarded = malloc(3000 + 64);
	for (size_t max = 0; max < 3000; max += (max < 300 ? 1 : 97)) {
		memset(guarded, 0xa5, 3000 + 64);
		assert_int_equal(decompress_gzip(gz.data, gz.len, guarded, max, &res), -E2BIG);
		assert_true(res.out_len <= max);
		for (size_t j = max; j < 3000 + 64; j++)
			assert_int_equal(guarded[j], 0xa5);
		assert_int_equal(gunzip(gz.data, gz.len, &out, max, &res), -E2BIG);
		free(out);
	}
	free(guarded);
	free(gz.data);
	free(txt);
}

static int setup(void **state)
{
	return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", workdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gzip_tool_vectors), cmocka_unit_test(test_block_types),
	    cmocka_unit_test(test_stored_and_fixed),  cmocka_unit_test(test_malformed_blocks),
	    cmocka_unit_test(test_header_fields),     cmocka_unit_test(test_corruption),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
