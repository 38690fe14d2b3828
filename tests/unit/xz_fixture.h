/* Shared by the XZ unit suite (test_xz.c, test_xz_lzma2.c): xz(1) runs, decoding, test data. */
#ifndef KEEL_TEST_XZ_FIXTURE_H
#define KEEL_TEST_XZ_FIXTURE_H

#include <keel/decompress.h>
#include <keel/types.h>

struct blob {
	u8 *data;
	size_t len;
};

extern char xz_workdir[];
extern void *xz_work;

u32 ref_crc32(const u8 *p, size_t n);
void put_le32(u8 *p, u32 v);
u32 le32(const u8 *p);
struct blob read_file(const char *path);
/* Compress @len bytes with Debian's xz(1) and @args (e.g. "-9e --check=crc64"). */
struct blob run_xz(const u8 *data, size_t len, const char *args);
/* Decompress from an exact-size heap copy into an exact-size heap @out (ASan sees overruns). */
int unxz(const u8 *in, size_t len, u8 **out, size_t out_max, struct decompress_result *res);
/* Decodes to exactly @data, taking all of @xz. */
void expect_ok(const struct blob *xz, const u8 *data, size_t len, const char *what);
/* Fails with @err and a reason containing @text. */
void expect_err(const struct blob *xz, size_t out_max, int err, const char *text);
/* xz(1) with @args, then expect_ok(), -E2BIG with one byte less, trailing bytes ignored. */
void expect_roundtrip(const u8 *data, size_t len, const char *args);
u8 next_random(void);
u8 *random_bytes(size_t len, u32 s);
/* Words with repeats near and far. */
u8 *text_bytes(size_t len);
/* Bytes dense in E8/E9 and 00/FF: every path of the BCJ x86 filter's mask. */
u8 *branchy_bytes(size_t len);

void test_hand_built_lzma2(void **state);
void test_dict_reset_and_size(void **state);

#endif
