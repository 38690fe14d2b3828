/* Helpers of the XZ unit suite: xz(1) runs, exact-size decoding, expectations, test data. */
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

char xz_workdir[] = "/tmp/keel-xz-test.XXXXXX";
void *xz_work;

/* Bitwise CRC-32, independent of xz_check.c's tables, for hand-built and patched streams. */
u32 ref_crc32(const u8 *p, size_t n)
{
	u32 crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

void put_le32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

u32 le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

struct blob read_file(const char *path)
{
	struct blob b = {0};
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.len = (size_t)n;
	b.data = malloc(b.len ? b.len : 1);
	assert_int_equal(fread(b.data, 1, b.len, f), b.len);
	fclose(f);
	return b;
}

/* Compress @len bytes with Debian's xz(1) and @args (e.g. "-9e --check=crc64"). */
struct blob run_xz(const u8 *data, size_t len, const char *args)
{
	char path[128], cmd[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/data", xz_workdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && xz -c %s data > data.xz", xz_workdir, args);
	if (system(cmd) != 0)
		fail_msg("xz %s failed", args);
	snprintf(path, sizeof(path), "%s/data.xz", xz_workdir);
	return read_file(path);
}

/* Decompress from an exact-size heap copy into an exact-size heap @out (ASan sees overruns). */
int unxz(const u8 *in, size_t len, u8 **out, size_t out_max, struct decompress_result *res)
{
	u8 *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, in, len);
	*out = malloc(out_max ? out_max : 1);
	rc = decompress_xz(copy, len, *out, out_max, xz_work, res);
	free(copy);
	return rc;
}

void expect_ok(const struct blob *xz, const u8 *data, size_t len, const char *what)
{
	struct decompress_result res;
	u8 *out;
	int rc = unxz(xz->data, xz->len, &out, len, &res);

	if (rc)
		fail_msg("%s, %zu bytes: %d (%s)", what, len, rc, res.why);
	assert_null(res.why);
	assert_int_equal(res.out_len, len);
	assert_int_equal(res.in_used, xz->len);
	assert_memory_equal(out, data, len);
	free(out);
}

void expect_err(const struct blob *xz, size_t out_max, int err, const char *text)
{
	struct decompress_result res;
	u8 *out;
	int rc = unxz(xz->data, xz->len, &out, out_max, &res);

	free(out);
	if (rc != err)
		fail_msg("expected %d (%s), got %d (%s)", err, text, rc, res.why ? res.why : "-");
	assert_true(res.out_len <= out_max);
	assert_true(res.in_used <= xz->len);
	if (!res.why || !strstr(res.why, text))
		fail_msg("reason '%s' lacks '%s'", res.why ? res.why : "(null)", text);
}

void expect_roundtrip(const u8 *data, size_t len, const char *args)
{
	struct blob xz = run_xz(data, len, args), padded;
	struct decompress_result res;
	u8 *out;

	expect_ok(&xz, data, len, args);
	if (len)
		expect_err(&xz, len - 1, -E2BIG, "too small");
	/* Trailing bytes are the caller's (Linux appends the image size); more room is fine. */
	padded.len = xz.len + 4;
	padded.data = malloc(padded.len);
	memcpy(padded.data, xz.data, xz.len);
	put_le32(padded.data + xz.len, (u32)len | 1);
	assert_int_equal(unxz(padded.data, padded.len, &out, len + 100, &res), 0);
	assert_int_equal(res.in_used, xz.len);
	assert_int_equal(res.out_len, len);
	assert_memory_equal(out, data, len);
	free(out);
	free(padded.data);
	free(xz.data);
}

static u32 rand_state;
u8 next_random(void)
{
	rand_state = rand_state * 1103515245u + 12345u;
	return (u8)(rand_state >> 16);
}

u8 *random_bytes(size_t len, u32 s)
{
	u8 *p = malloc(len ? len : 1);

	rand_state = s;
	for (size_t i = 0; i < len; i++)
		p[i] = next_random();
	return p;
}

/* Words with repeats near and far. */
u8 *text_bytes(size_t len)
{
	static const char *const words[] = {"keel ", "hypervisor ", "domain ", "vcpu ",
					    "ept ",  "guest ",	    "\n",      "lzma "};
	u8 *p = malloc(len ? len : 1);
	size_t i = 0;

	rand_state = 7;
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

/* Bytes dense in E8/E9 and 00/FF: every path of the BCJ x86 filter's mask. */
u8 *branchy_bytes(size_t len)
{
	static const u8 alphabet[8] = {0xe8, 0xe9, 0x00, 0xff, 0x01, 0x80, 0xe8, 0x00};
	u8 *p = malloc(len);

	rand_state = 11;
	for (size_t i = 0; i < len; i++)
		p[i] = alphabet[next_random() % 8];
	return p;
}
