/* Unit tests for common/loader/bzimage.c and kernel_image.c: hand-built setup headers, round trips. */
/* libc's snprintf, not Keel's (KEEL_HOST_LIB_CFLAGS renames it for common/lib). */
#undef snprintf

#include <keel/bzimage.h>
#include <keel/compiler.h>
#include <keel/elf_loader.h>
#include <keel/errno.h>
#include <keel/kernel_image.h>
#include <keel/mm.h>
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

/* tests/unit/shim_loader_elf.c */
extern const u64 test_elf_default_entry;
extern const size_t test_elf_size;
size_t test_elf_build(u8 *buf, bool is64, unsigned int note_desc_size, u64 entry,
		      unsigned int flags);
/* tests/unit/shim_mm.c */
extern const paddr_t shim_arena_base;
extern const u64 shim_arena_size;

u64 now_ns(void);
u64 now_ns(void)
{
	return 0;
}

struct blob {
	u8 *data;
	size_t len;
};

#define ELF_PAD	 (300u << 10) /* the test ELF is padded to this, so payloads span many blocks */
#define PM_CODE	 0x100	      /* bytes of "protected-mode code" before the payload */
#define PM_AFTER 0x40	      /* bytes after it (Linux has its decompressor's data there) */

static char workdir[] = "/tmp/keel-bzimage-test.XXXXXX";
static struct blob elf; /* a PVH ELF64, padded */
static struct blob img; /* the bzImage under test */
static char err[KERNEL_IMAGE_ERR_MAX];
static struct bzimage_info info;

static void put_le(u8 *p, u64 v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (u8)(v >> (8 * i));
}

static struct blob read_file(const char *path)
{
	struct blob b = {0};
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.len = (size_t)n;
	b.data = malloc(b.len + 4); /* room for a size trailer */
	assert_int_equal(fread(b.data, 1, b.len, f), b.len);
	fclose(f);
	return b;
}

/* Compress @in with Debian's own tool: @cmd reads file "data" and writes file "out". */
static struct blob compress(const struct blob *in, const char *cmd, bool size_trailer)
{
	char path[128], line[512];
	struct blob b;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data", workdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(in->data, 1, in->len, f), in->len);
	fclose(f);
	snprintf(line, sizeof(line), "cd %s && rm -f out && %s", workdir, cmd);
	assert_int_equal(system(line), 0);
	snprintf(path, sizeof(path), "%s/out", workdir);
	b = read_file(path);
	/* What the kernel build appends (size_append): the uncompressed size, little-endian. */
	if (size_trailer) {
		put_le(b.data + b.len, in->len, 4);
		b.len += 4;
	}
	return b;
}

/* A bzImage around @payload: boot sector, @sects setup sectors, code, payload, tail. */
static struct blob wrap(const struct blob *payload, unsigned int sects, u16 version)
{
	size_t setup = ((sects ? sects : 4) + 1) * 512u;
	struct blob b;

	b.len = setup + PM_CODE + payload->len + PM_AFTER;
	b.data = calloc(1, b.len);
	b.data[0x1f1] = (u8)sects;
	put_le(b.data + 0x1fe, 0xaa55, 2);
	memcpy(b.data + 0x202, "HdrS", 4);
	put_le(b.data + 0x206, version, 2);
	put_le(b.data + 0x248, PM_CODE, 4);
	put_le(b.data + 0x24c, payload->len, 4);
	memset(b.data + setup, 0xcc, PM_CODE);
	memcpy(b.data + setup + PM_CODE, payload->data, payload->len);
	return b;
}

static void use(struct blob b)
{
	free(img.data);
	img = b;
}

/* Inspect an exact-size heap copy, so ASan catches any read past the end. */
static int inspect(void)
{
	u8 *copy = malloc(img.len);
	int rc;

	memcpy(copy, img.data, img.len);
	rc = bzimage_inspect(copy, img.len, &info, err, sizeof(err));
	free(copy);
	return rc;
}

#define assert_err(text)                                                \
	do {                                                            \
		if (!strstr(err, (text)))                               \
			fail_msg("error '%s' lacks '%s'", err, (text)); \
	} while (0)

#define assert_refused(rc_want, text)                   \
	do {                                            \
		assert_int_equal(inspect(), (rc_want)); \
		assert_err(text);                       \
	} while (0)

static int setup_all(void **state)
{
	(void)state;
	if (!mkdtemp(workdir))
		return -1;
	elf.len = ELF_PAD;
	elf.data = calloc(1, elf.len);
	test_elf_build(elf.data, true, 8, test_elf_default_entry, 0);
	/* Padding after the ELF's own bytes: compressible, but not trivially. */
	for (size_t i = test_elf_size; i < elf.len; i++)
		elf.data[i] = (u8)((i * 2654435761u) >> 24 & 0x3f);
	return 0;
}

static int teardown_all(void **state)
{
	char cmd[128];

	(void)state;
	free(elf.data);
	free(img.data);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Inspect, decompress and find the PVH entry of the ELF inside: the whole round trip. */
static void round_trip(const char *format)
{
	struct elf_pvh_info elf_info;
	void *work;
	u8 *out;

	assert_int_equal(inspect(), 0);
	assert_string_equal(err, "");
	assert_string_equal(info.format, format);
	assert_int_equal(info.protocol, 0x20f);
	assert_int_equal(info.kernel_size, elf.len);
	out = malloc(info.kernel_size);
	work = info.work_size ? malloc(info.work_size) : NULL;
	assert_int_equal(bzimage_decompress(img.data, &info, out, work, err, sizeof(err)), 0);
	free(work);
	assert_memory_equal(out, elf.data, elf.len);
	assert_int_equal(elf_pvh_inspect(out, info.kernel_size, &elf_info, err, sizeof(err)), 0);
	assert_int_equal(elf_info.entry, test_elf_default_entry);
	free(out);
}

static void test_gzip_round_trip(void **state)
{
	struct blob z = compress(&elf, "gzip -9 -n -c data > out", false);

	(void)state;
	use(wrap(&z, 27, 0x20f));
	round_trip("gzip");
	assert_int_equal(info.setup_size, 28 * 512);
	assert_int_equal(info.payload_off, 28 * 512 + PM_CODE);
	free(z.data);
}

static void test_lz4_round_trip(void **state)
{
	struct blob z = compress(&elf, "lz4 -l -9 -q data out", true);

	(void)state;
	use(wrap(&z, 0, 0x20f)); /* setup_sects 0 means 4 */
	round_trip("LZ4");
	assert_int_equal(info.setup_size, 5 * 512);
	free(z.data);
}

/* XZ as the stock kernel packs it (CRC32 check, x86 BCJ filter), trailer appended. */
static void test_xz_round_trip(void **state)
{
	struct blob z =
	    compress(&elf, "xz --check=crc32 --x86 --lzma2=dict=1MiB -c data > out", true);

	(void)state;
	use(wrap(&z, 27, 0x20f));
	round_trip("XZ");
	free(z.data);
}

/* zstd as newer kernels pack it, trailer appended. */
static void test_zstd_round_trip(void **state)
{
	struct blob z = compress(&elf, "zstd -19 -q -c data > out", true);

	(void)state;
	use(wrap(&z, 27, 0x20f));
	round_trip("zstd");
	free(z.data);
}

static void test_unsupported_formats_named(void **state)
{
	static const struct {
		const char *name;
		u8 magic[6];
	} cases[] = {{"bzip2", {'B', 'Z', 'h', '9'}},
		     {"LZMA", {0x5d, 0, 0, 0x80}},
		     {"LZO", {0x89, 'L', 'Z', 'O', 0, 0x0d}}};
	u8 payload[64];
	struct blob p = {payload, sizeof(payload)};
	char want[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(payload, 0x11, sizeof(payload));
		memcpy(payload, cases[i].magic, 6);
		use(wrap(&p, 27, 0x20f));
		snprintf(want, sizeof(want), "bzImage payload is %s: Keel has no %s decompressor",
			 cases[i].name, cases[i].name);
		assert_refused(-EOPNOTSUPP, want);
	}
}

static void test_bad_magic(void **state)
{
	u8 payload[32] = {0x12, 0x34, 0x56, 0x78};
	struct blob p = {payload, sizeof(payload)};

	(void)state;
	use(wrap(&p, 27, 0x20f));
	assert_refused(-EINVAL, "unknown compression (magic 12 34 56 78)");
}

static void test_not_a_bzimage(void **state)
{
	u8 payload[32] = {0x1f, 0x8b};
	struct blob p = {payload, sizeof(payload)};

	(void)state;
	assert_false(bzimage_detect(elf.data, elf.len));
	assert_int_equal(bzimage_inspect(elf.data, elf.len, &info, err, sizeof(err)), -EINVAL);
	assert_err("not a bzImage");
	use(wrap(&p, 27, 0x20f));
	assert_true(bzimage_detect(img.data, img.len));
	assert_false(bzimage_detect(img.data, 0x205));
	assert_false(bzimage_detect(NULL, 0x1000));
	img.data[0x1fe] = 0;
	assert_refused(-EINVAL, "boot flag is 0xaa00, not 0xaa55");
	img.len = 0x24f; /* "HdrS" there, the payload fields cut off */
	assert_refused(-EINVAL, "truncated: 591 bytes");
}

static void test_version_too_old(void **state)
{
	u8 payload[32] = {0x1f, 0x8b};
	struct blob p = {payload, sizeof(payload)};

	(void)state;
	use(wrap(&p, 27, 0x207));
	assert_refused(-EINVAL, "boot protocol 2.07 is too old (need 2.08");
	use(wrap(&p, 27, 0x0200));
	assert_refused(-EINVAL, "2.00 is too old");
}

static void test_payload_outside_file(void **state)
{
	struct blob z = compress(&elf, "gzip -9 -n -c data > out", false);
	size_t pm;

	(void)state;
	use(wrap(&z, 27, 0x20f));
	pm = img.len - 28 * 512;
	put_le(img.data + 0x24c, pm - PM_CODE + 1, 4); /* one byte too long */
	assert_refused(-EINVAL, "ends past the protected-mode part");
	put_le(img.data + 0x24c, z.len, 4);
	put_le(img.data + 0x248, pm, 4); /* starts at the end */
	assert_refused(-EINVAL, "ends past");
	put_le(img.data + 0x248, 0xffffffff, 4);
	put_le(img.data + 0x24c, 0xffffffff, 4);
	assert_refused(-EINVAL, "ends past");
	put_le(img.data + 0x248, 0x10, 4);
	put_le(img.data + 0x24c, 0xfffffff8, 4); /* offset + length wrap in 32 bits */
	assert_refused(-EINVAL, "ends past");
	/* The payload ending exactly at the file's end is fine. */
	use(wrap(&z, 27, 0x20f));
	img.len -= PM_AFTER;
	round_trip("gzip");
	/* setup_sects beyond the file. */
	img.data[0x1f1] = 0xff;
	assert_refused(-EINVAL, "setup (255 sectors, 131072 bytes) leaves nothing");
	free(z.data);
}

static void test_size_trailer(void **state)
{
	struct blob z = compress(&elf, "lz4 -l -9 -q data out", true);
	u8 *trailer, *out;

	(void)state;
	use(wrap(&z, 27, 0x20f));
	trailer = img.data + 28 * 512 + PM_CODE + z.len - 4;
	put_le(trailer, BZIMAGE_MAX_KERNEL + 1, 4);
	assert_refused(-EINVAL, "uncompressed size 512 MiB is above the 512 MiB limit");
	put_le(trailer, 0xffffffff, 4);
	assert_refused(-EINVAL, "is above the 512 MiB limit");
	put_le(trailer, 0, 4);
	assert_refused(-EINVAL, "uncompressed size is 0");
	/* A trailer that lies: smaller than the data, then larger. */
	put_le(trailer, elf.len - 1, 4);
	assert_int_equal(inspect(), 0);
	out = malloc(elf.len + 64);
	assert_int_equal(bzimage_decompress(img.data, &info, out, NULL, err, sizeof(err)), -EINVAL);
	assert_err("decompresses to more than the");
	put_le(trailer, elf.len + 64, 4);
	assert_int_equal(inspect(), 0);
	assert_int_equal(bzimage_decompress(img.data, &info, out, NULL, err, sizeof(err)), -EINVAL);
	assert_err("LZ4 data gave 307200 bytes, its size trailer says 307264");
	free(out);
	free(z.data);
}

static void test_truncated_and_corrupt_data(void **state)
{
	struct blob z = compress(&elf, "gzip -9 -n -c data > out", false);
	u8 *out = malloc(elf.len);
	struct blob cut = z;

	(void)state;
	cut.len = z.len / 2;
	memcpy(cut.data + cut.len - 4, z.data + z.len - 4, 4); /* keep a plausible ISIZE */
	use(wrap(&cut, 27, 0x20f));
	assert_int_equal(inspect(), 0);
	assert_int_not_equal(bzimage_decompress(img.data, &info, out, NULL, err, sizeof(err)), 0);
	assert_err("bzImage payload: gzip data ");
	free(z.data);

	z = compress(&elf, "lz4 -l -9 -q data out", true);
	z.data[20] ^= 0xff;
	z.data[21] ^= 0x5a;
	use(wrap(&z, 27, 0x20f));
	assert_int_equal(inspect(), 0);
	if (bzimage_decompress(img.data, &info, out, NULL, err, sizeof(err)) == 0)
		assert_memory_not_equal(out, elf.data, elf.len);
	else
		assert_err("bzImage payload: LZ4 data");
	free(z.data);
	free(out);
	assert_int_equal(bzimage_decompress(img.data, &info, NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(bzimage_inspect(img.data, img.len, NULL, err, sizeof(err)), -EINVAL);
}

/* ---- kernel_image.c over the real frame allocator and heap, on the shim arena ---- */

static u8 *frame_meta;

static int setup_frames(void **state)
{
	(void)state;
	frame_meta = malloc(frames_meta_bytes(shim_arena_base + shim_arena_size));
	frames_init(shim_arena_base + shim_arena_size, frame_meta);
	frames_add_range(shim_arena_base, shim_arena_base + shim_arena_size);
	return 0;
}

static int teardown_frames(void **state)
{
	(void)state;
	frames_init(0, NULL);
	free(frame_meta);
	return 0;
}

static u64 free_frames(void)
{
	struct frame_stats st;

	frames_get_stats(&st);
	return st.free_frames;
}

static void test_kernel_image_bzimage(void **state)
{
	struct blob z = compress(&elf, "lz4 -l -q data out", true);
	u64 before = free_frames();
	struct kernel_image ki;

	(void)state;
	use(wrap(&z, 27, 0x20f));
	assert_int_equal(
	    kernel_image_open(img.data, img.len, "module 1 ('t')", &ki, err, sizeof(err)), 0);
	assert_true(ki.from_bzimage);
	assert_int_equal(ki.elf_size, elf.len);
	assert_memory_equal(ki.elf, elf.data, elf.len);
	assert_true(free_frames() < before);
	kernel_image_close(&ki);
	assert_int_equal(free_frames(), before); /* every byte given back */
	assert_null(ki.elf);
	kernel_image_close(&ki); /* closing twice is harmless */
	assert_int_equal(free_frames(), before);

	/* A payload that fails to decompress gives its buffer back too. */
	img.data[28 * 512 + PM_CODE + 12] ^= 0xff;
	img.data[28 * 512 + PM_CODE + 13] ^= 0xff;
	if (kernel_image_open(img.data, img.len, "m", &ki, err, sizeof(err)) == 0)
		kernel_image_close(&ki);
	assert_int_equal(free_frames(), before);
	free(z.data);
}

static void test_kernel_image_elf_and_refusals(void **state)
{
	u64 before = free_frames();
	struct blob z = compress(&elf, "gzip -n -c data > out", false);
	struct kernel_image ki;
	u8 junk[64] = {'M', 'Z'};

	(void)state;
	assert_int_equal(kernel_image_open(elf.data, elf.len, "m", &ki, err, sizeof(err)), 0);
	assert_false(ki.from_bzimage);
	assert_ptr_equal(ki.elf, elf.data);
	assert_int_equal(ki.elf_size, elf.len);
	kernel_image_close(&ki);
	assert_int_equal(kernel_image_open(junk, sizeof(junk), "m", &ki, err, sizeof(err)),
			 -EINVAL);
	assert_err("not an ELF file nor a Linux bzImage");
	/* A kernel larger than the 64 MiB arena can hold: refused, nothing taken. */
	use(wrap(&z, 27, 0x20f));
	put_le(img.data + 28 * 512 + PM_CODE + z.len - 4, 100u << 20, 4);
	assert_int_equal(kernel_image_open(img.data, img.len, "m", &ki, err, sizeof(err)), -ENOMEM);
	assert_err("decompresses to 100 MiB: no free contiguous run");
	assert_int_equal(free_frames(), before);
	free(z.data);
}

#define F(fn) cmocka_unit_test_setup_teardown(fn, setup_frames, teardown_frames)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gzip_round_trip),
	    cmocka_unit_test(test_lz4_round_trip),
	    cmocka_unit_test(test_xz_round_trip),
	    cmocka_unit_test(test_zstd_round_trip),
	    cmocka_unit_test(test_unsupported_formats_named),
	    cmocka_unit_test(test_bad_magic),
	    cmocka_unit_test(test_not_a_bzimage),
	    cmocka_unit_test(test_version_too_old),
	    cmocka_unit_test(test_payload_outside_file),
	    cmocka_unit_test(test_size_trailer),
	    cmocka_unit_test(test_truncated_and_corrupt_data),
	    F(test_kernel_image_bzimage),
	    F(test_kernel_image_elf_and_refusals),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
