/* Unit tests for common/loader/decompress/zstd*.c: zstd(1)'s output, its frames cut and damaged. */
/* libc's snprintf, not Keel's (KEEL_HOST_LIB_CFLAGS renames it for common/lib). */
#undef snprintf

#include <keel/compiler.h>
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

#define GUARD	   64
#define GUARD_BYTE 0xa5

struct blob {
	u8 *data;
	size_t len;
};

static char workdir[] = "/tmp/keel-zstd-test.XXXXXX";

static void write_file(const char *name, const u8 *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", workdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static struct blob read_file(const char *name)
{
	char path[256];
	struct blob b = {0};
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", workdir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	b.len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	b.data = malloc(b.len ? b.len : 1);
	assert_int_equal(fread(b.data, 1, b.len, f), b.len);
	fclose(f);
	return b;
}

/* Compress @len bytes with Debian's zstd(1) and @args (e.g. "-19 --no-check"). */
static struct blob run_zstd(const u8 *data, size_t len, const char *args)
{
	char cmd[512];

	write_file("data", data, len);
	snprintf(cmd, sizeof(cmd), "cd %s && zstd -q -f -c %s data > data.zst", workdir, args);
	assert_int_equal(system(cmd), 0);
	return read_file("data.zst");
}

/*
 * Decompress from an exact-size heap copy of @len bytes into an exact-size @out_max buffer with
 * an exact-size work area (ASan sees any overrun); the caller frees *@out.
 */
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

static void expect_ok(const struct blob *z, const u8 *data, size_t len)
{
	struct decompress_result res;
	u8 *out;
	int rc = unzstd(z->data, z->len, &out, len, &res);

	if (rc)
		fail_msg("%zu bytes: %d (%s)", len, rc, res.why);
	assert_int_equal(res.out_len, len);
	assert_int_equal(res.in_used, z->len);
	assert_memory_equal(out, data, len);
	free(out);
}

static void expect_roundtrip(const u8 *data, size_t len, const char *args)
{
	struct blob z = run_zstd(data, len, args), padded;
	struct decompress_result res;
	u8 *out;

	expect_ok(&z, data, len);
	/* Bytes after the last frame that are no frame are the caller's: Linux appends the size. */
	padded.len = z.len + 4;
	padded.data = malloc(padded.len);
	memcpy(padded.data, z.data, z.len);
	memcpy(padded.data + z.len, "\x01\x02\x03\x04", 4);
	assert_int_equal(unzstd(padded.data, padded.len, &out, len + 100, &res), 0);
	assert_int_equal(res.in_used, z.len);
	assert_int_equal(res.out_len, len);
	assert_memory_equal(out, data, len);
	free(out);
	free(padded.data);
	free(z.data);
}

static u32 seed;
static u32 next_random(void) /* xorshift32: no short cycles in the low bits */
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static u8 *random_bytes(size_t len, u32 s)
{
	u8 *p = malloc(len ? len : 1);

	seed = s;
	for (size_t i = 0; i < len; i++)
		p[i] = (u8)next_random();
	return p;
}

/* Words with repeats near and far, across many 128 KiB blocks. */
static u8 *text_bytes(size_t len, u32 s)
{
	static const char *const words[] = {"keel ",  "hypervisor ", "domain ", "vcpu ",  "ept ",
					    "guest ", "\n",	     "zstd ",	"frame ", "block "};
	u8 *p = malloc(len ? len : 1);
	size_t i = 0;

	seed = s;
	while (i < len) {
		const char *w = words[next_random() % 10];
		size_t n = strlen(w);

		if (n > len - i)
			n = len - i;
		memcpy(p + i, w, n);
		i += n;
	}
	return p;
}

/* Runs of one byte of random lengths, and a long zero run: RLE blocks and literals. */
static u8 *run_bytes(size_t len)
{
	u8 *p = calloc(1, len ? len : 1);
	size_t i = 0;

	seed = 9;
	while (i < len / 2) {
		size_t n = 1 + next_random() % 40;
		u8 c = (u8)("ab"[next_random() % 2]);

		for (; n && i < len / 2; n--)
			p[i++] = c;
	}
	return p;
}

/* Machine-code-like data: random 4 KiB pieces, each reused with a few bytes changed. */
static u8 *binary_bytes(size_t len)
{
	u8 *p = random_bytes(len, 5);

	for (size_t i = 16384; i + 4096 <= len; i += 4096) {
		memcpy(p + i, p + (next_random() % (i / 4096)) * 4096, 4096);
		for (int k = 0; k < 20; k++)
			p[i + next_random() % 4096] = (u8)next_random();
	}
	return p;
}

/* ---- a walker over zstd(1)'s output: which block, literal and sequence types it used ---- */
struct survey {
	unsigned int blocks;	/* bit per Block_Type */
	unsigned int literals;	/* bit per Literals_Block_Type; bit 4: four streams */
	unsigned int seq_modes; /* bit 4 * table + mode, tables LL, OF, ML */
};

static void survey(const struct blob *z, struct survey *s)
{
	size_t pos = 0;

	while (pos + 4 <= z->len) {
		const u8 *p = z->data + pos;
		u32 magic = p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;

		if ((magic & ~0xfu) == 0x184d2a50u) {
			pos += 8 + (p[4] | p[5] << 8 | p[6] << 16 | (size_t)p[7] << 24);
			continue;
		}
		assert_int_equal(magic, 0xfd2fb528u);
		u8 fhd = p[4];
		size_t fcs = (size_t[]){0, 2, 4, 8}[fhd >> 6];
		if (!fcs && (fhd & 0x20))
			fcs = 1;
		pos += 5 + !(fhd & 0x20) + (size_t[]){0, 1, 2, 4}[fhd & 3] + fcs;
		for (bool last = false; !last;) {
			const u8 *b = z->data + pos + 3;
			u32 hdr = z->data[pos] | z->data[pos + 1] << 8 | z->data[pos + 2] << 16;
			size_t size = hdr >> 3, type = (hdr >> 1) & 3;

			last = hdr & 1;
			s->blocks |= 1u << type;
			pos += 3 + (type == 1 ? 1 : size);
			if (type != 2)
				continue;
			unsigned int lt = b[0] & 3, sf = (b[0] >> 2) & 3;
			size_t lsize;
			s->literals |= 1u << lt;
			if (lt <= 1) {
				size_t hs = sf == 1 ? 2 : sf == 3 ? 3 : 1;
				size_t regen = sf == 1	 ? (b[0] >> 4) + (b[1] << 4)
					       : sf == 3 ? (b[0] >> 4) + (b[1] << 4) + (b[2] << 12)
							 : b[0] >> 3;
				lsize = hs + (lt == 1 ? 1 : regen);
			} else {
				unsigned int field = sf <= 1 ? 10 : sf == 2 ? 14 : 18;
				size_t hs = sf <= 1 ? 3 : sf == 2 ? 4 : 5;
				u64 h = 0;

				for (size_t i = 0; i < hs; i++)
					h |= (u64)b[i] << (8 * i);
				lsize = hs + ((h >> (4 + field)) & ((1u << field) - 1));
				if (sf)
					s->literals |= 1u << 4;
			}
			const u8 *q = b + lsize;
			if (q[0] == 0)
				continue;
			const u8 *modes = q + (q[0] < 128 ? 1 : q[0] < 255 ? 2 : 3);
			s->seq_modes |= 1u << (*modes >> 6);
			s->seq_modes |= 1u << (4 + ((*modes >> 4) & 3));
			s->seq_modes |= 1u << (8 + ((*modes >> 2) & 3));
		}
		if (z->data[4] & 0x04)
			pos += 4;
	}
}

static void test_zstd_tool_vectors(void **state)
{
	static const char *const modes[] = {"-1",
					    "-3",
					    "-19",
					    "--ultra -22",
					    "-19 --long=27",
					    "-3 --no-check",
					    "--check -9",
					    "-5 --no-content-size",
					    "--fast=3"};
	size_t big = 700 * 1024;
	u8 *inputs[] = {random_bytes(big, 1), text_bytes(big, 7), run_bytes(big),
			binary_bytes(big)};
	struct survey s = {0};

	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
			struct blob z = run_zstd(inputs[i], big, modes[m]);

			survey(&z, &s);
			free(z.data);
			expect_roundtrip(inputs[i], big, modes[m]);
		}
		for (size_t len = 0; len < 5000; len = len * 3 + 1) {
			struct blob z = run_zstd(inputs[1], len, modes[m]);

			survey(&z, &s);
			free(z.data);
			expect_roundtrip(inputs[1], len, modes[m]);
		}
		expect_roundtrip((const u8 *)"abcabcabcabcabca", 16, modes[m]);
	}
	/* Between them the vectors use every block, literals and sequence table type. */
	assert_int_equal(s.blocks, 7);
	assert_int_equal(s.literals, 0x1f);
	/* Predefined, FSE and repeat tables for LL, OF and ML (RLE ones are also hand-built). */
	if ((s.seq_modes & 0xddd) != 0xddd)
		fail_msg("sequence modes seen: %#x", s.seq_modes);
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++)
		free(inputs[i]);
}

/* Several frames back to back, skippable frames among them, decode as one output. */
static void test_multiple_frames(void **state)
{
	static const u8 skippable[] = {0x53, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
	u8 *txt = text_bytes(300000, 3), *rnd = random_bytes(5000, 4);
	struct blob a = run_zstd(txt, 300000, "-19"), b = run_zstd(rnd, 5000, "-1 --no-check");
	struct blob c = run_zstd((const u8 *)"", 0, "-3");
	size_t n = sizeof(skippable) + a.len + c.len + sizeof(skippable) + b.len + a.len;
	struct blob all = {malloc(n), 0};
	u8 *want = malloc(605000), *out;
	struct decompress_result res;

#define PUT(p, l)                                     \
	do {                                          \
		memcpy(all.data + all.len, (p), (l)); \
		all.len += (l);                       \
	} while (0)
	PUT(skippable, sizeof(skippable));
	PUT(a.data, a.len);
	PUT(c.data, c.len);
	PUT(skippable, sizeof(skippable));
	PUT(b.data, b.len);
	PUT(a.data, a.len);
	memcpy(want, txt, 300000);
	memcpy(want + 300000, rnd, 5000);
	memcpy(want + 305000, txt, 300000);
	expect_ok(&all, want, 605000);
	/* Cut at a frame's end: the frames before it; anywhere else: truncated or corrupt. */
	size_t ends[] = {sizeof(skippable) + a.len, sizeof(skippable) + a.len + c.len};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(unzstd(all.data, ends[i], &out, 605000, &res), 0);
		assert_int_equal(res.out_len, 300000);
		assert_int_equal(res.in_used, ends[i]);
		free(out);
	}
	for (size_t len = 0; len < all.len; len += 1 + len / 64) {
		int rc = unzstd(all.data, len, &out, 605000, &res);
		size_t starts[] = {0, 13, ends[0], ends[1], ends[1] + 13, ends[1] + 13 + b.len};
		bool boundary = false;

		/* Under 4 bytes after a frame cannot be told from the caller's trailing bytes. */
		for (size_t k = 1; k < ARRAY_SIZE(starts); k++)
			boundary |= len >= starts[k] && len < starts[k] + 4;

		if (boundary)
			assert_int_equal(rc, 0);
		else if (rc == 0 && len > 8)
			fail_msg("cut at %zu of %zu accepted", len, all.len);
		free(out);
	}
	/* A stream of skippable frames only is empty; one cut short is truncated. */
	struct blob sk = {(u8 *)skippable, sizeof(skippable)};
	expect_ok(&sk, NULL, 0);
	assert_int_equal(unzstd(skippable, sizeof(skippable) - 1, &out, 10, &res), -ENODATA);
	free(out);
	free(all.data);
	free(a.data);
	free(b.data);
	free(c.data);
	free(want);
	free(txt);
	free(rnd);
}

/* Content checksum and magic number, on zstd(1)'s frame of "keel". */
static void test_checksum_and_magic(void **state)
{
	struct decompress_result res;
	u8 *out;

	/* Content checksum: XXH64("keel") low 32 bits, checked against a flipped one. */
	struct blob z = run_zstd((const u8 *)"keel", 4, "--check");
	expect_ok(&z, (const u8 *)"keel", 4);
	z.data[z.len - 1] ^= 1;
	assert_int_equal(unzstd(z.data, z.len, &out, 4, &res), -EINVAL);
	assert_string_equal(res.why, "zstd: content checksum mismatch");
	free(out);
	assert_int_equal(unzstd(z.data, z.len - 1, &out, 4, &res), -ENODATA);
	free(out);
	/* Bad magic; too short to tell; nothing at all. */
	z.data[0] ^= 1;
	assert_int_equal(unzstd(z.data, z.len, &out, 4, &res), -EINVAL);
	assert_string_equal(res.why, "not zstd (bad magic)");
	free(out);
	assert_int_equal(unzstd(z.data, 3, &out, 4, &res), -ENODATA);
	free(out);
	assert_int_equal(unzstd(z.data, 0, &out, 4, &res), -ENODATA);
	free(out);
	free(z.data);
}

/* zstd(1) output cut short, bit-flipped, and squeezed into too small a buffer. */
static void test_corruption(void **state)
{
	size_t len = 40000;
	u8 *txt = text_bytes(len, 11), *out, *guarded;
	struct blob z = run_zstd(txt, len, "-19 --check");
	struct decompress_result res;
	unsigned int accepted = 0;
	void *work = aligned_alloc(16, DECOMPRESS_WORK_SIZE);
	int rc;

	for (size_t cut = 0; cut < z.len; cut++) {
		rc = unzstd(z.data, cut, &out, len, &res);
		if (rc != -ENODATA && rc != -EINVAL)
			fail_msg("cut at %zu: %d", cut, rc);
		free(out);
	}
	for (size_t i = 0; i < z.len; i++) {
		for (unsigned int bit = 0; bit < 8; bit++) {
			z.data[i] ^= (u8)(1u << bit);
			rc = unzstd(z.data, z.len, &out, len, &res);
			/* The checksum guarantees that whatever is accepted is right. */
			if (rc == 0) {
				accepted++;
				/* Never in the checksum itself. */
				assert_true(i < z.len - 4);
				assert_int_equal(res.out_len, len);
				assert_memory_equal(out, txt, len);
			}
			free(out);
			z.data[i] ^= (u8)(1u << bit);
		}
	}
	/*
	 * What passes changes nothing: the unused and checksum header bits, padding after a
	 * table description, or an offset to an identical copy of the same text. Rare.
	 */
	if (accepted > z.len * 8 / 500)
		fail_msg("%u flips accepted", accepted);
	guarded = malloc(len + GUARD);
	for (size_t max = 0; max < len; max += (max < 300 ? 1 : 997)) {
		memset(guarded, GUARD_BYTE, len + GUARD);
		assert_int_equal(decompress_zstd(z.data, z.len, guarded, max, work, &res), -E2BIG);
		assert_true(res.out_len <= max);
		for (size_t j = max; j < len + GUARD; j++)
			assert_int_equal(guarded[j], GUARD_BYTE);
	}
	free(z.data);
	/* Without a content size the blocks find out: also -E2BIG, also nothing written beyond. */
	z = run_zstd(txt, len, "-19 --no-content-size --no-check");
	for (size_t max = 0; max < len; max += (max < 300 ? 1 : 997)) {
		memset(guarded, GUARD_BYTE, len + GUARD);
		assert_int_equal(decompress_zstd(z.data, z.len, guarded, max, work, &res), -E2BIG);
		for (size_t j = max; j < len + GUARD; j++)
			assert_int_equal(guarded[j], GUARD_BYTE);
	}
	/* And flips without a checksum: any answer, but within the buffers (ASan). */
	for (size_t i = 0; i < z.len; i++) {
		z.data[i] ^= 0x41;
		unzstd(z.data, z.len, &out, len, &res);
		free(out);
		z.data[i] ^= 0x41;
	}
	free(z.data);
	free(guarded);
	free(work);
	free(txt);
}

/* The predefined tables match RFC 8878 Appendix A (symbol shown as its value). */
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
	    cmocka_unit_test(test_checksum_and_magic),
	    cmocka_unit_test(test_multiple_frames),
	    cmocka_unit_test(test_corruption),
	    cmocka_unit_test(test_zstd_tool_vectors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
