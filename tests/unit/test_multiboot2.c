/* Unit tests for arch/x86/boot/multiboot2.c: well-formed blocks and many malformed ones. */
#include <keel/bootinfo.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/multiboot2.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* tests/unit/shim_lib_printk.c */
extern unsigned int shim_printk_count[LOG_DEBUG + 1];
void shim_printk_reset(void);
bool shim_printk_contains(const char *text);

/* ---- building info blocks ---- */

struct mbi {
	_Alignas(8) u8 buf[16384];
	size_t len;
};

static struct mbi m;
static struct boot_info bi;

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static void mbi_begin(void)
{
	memset(m.buf, 0, sizeof(m.buf));
	m.len = 8;
}

/* Append a tag header of @size bytes (payload zeroed); returns the tag's start. */
static u8 *mbi_tag(u32 type, u32 size)
{
	u8 *t = m.buf + m.len;

	put32(t, type);
	put32(t + 4, size);
	m.len += ALIGN_UP((size_t)size, 8);
	assert_true(m.len <= sizeof(m.buf));
	return t;
}

static void mbi_finish(void)
{
	mbi_tag(MB2_TAG_END, 8);
	put32(m.buf, (u32)m.len);
}

static void mbi_string(u32 type, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(mbi_tag(type, (u32)(8 + n)) + 8, s, n);
}

static void mbi_module(u32 start, u32 end, const char *s)
{
	size_t n = strlen(s) + 1;
	u8 *t = mbi_tag(MB2_TAG_MODULE, (u32)(16 + n));

	put32(t + 8, start);
	put32(t + 12, end);
	memcpy(t + 16, s, n);
}

struct range {
	u64 base, len;
	u32 type;
};

static void mbi_mmap(u32 entry_size, const struct range *r, size_t n)
{
	u8 *t = mbi_tag(MB2_TAG_MMAP, (u32)(16 + n * entry_size));
	size_t i;

	put32(t + 8, entry_size);
	for (i = 0; i < n; i++) {
		u8 *e = t + 16 + i * entry_size;

		put64(e, r[i].base);
		put64(e + 8, r[i].len);
		put32(e + 16, r[i].type);
	}
}

static void mbi_rsdp(u32 type, u32 len, u8 fill)
{
	memset(mbi_tag(type, 8 + len) + 8, fill, len);
}

static int parse(void)
{
	return mb2_parse(m.buf, m.len, &bi);
}

static int reset(void **state)
{
	(void)state;
	shim_printk_reset();
	mbi_begin();
	return 0;
}

/* ---- well-formed input ---- */

static void test_minimal_block(void **state)
{
	(void)state;
	mbi_finish();
	assert_int_equal(m.len, 16);
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_memmap, 0);
	assert_int_equal(bi.rsdp_len, 0);
	assert_string_equal(bi.cmdline, "");
	assert_true(shim_printk_contains("no memory map"));
}

static void test_full_block(void **state)
{
	const struct range ranges[] = {
	    {0x100000, 0x7ee0000, MEM_RAM},
	    {0x0, 0x9fc00, MEM_RAM},
	    {0x5000000, 0, MEM_RAM}, /* zero length: dropped */
	    {0xfffc0000, 0x40000, MEM_RESERVED},
	};

	(void)state;
	mbi_string(MB2_TAG_CMDLINE, "loglvl=debug -- dom0");
	mbi_string(MB2_TAG_LOADER_NAME, "GRUB 2.06");
	mbi_tag(MB2_TAG_BASIC_MEMINFO, 16); /* ignored */
	mbi_module(0x200000, 0x300000, "dom0-kernel console=hvc0");
	mbi_module(0x400000, 0x400000, "");
	mbi_tag(99, 13); /* unknown, odd size: ignored, next tag 8-aligned */
	mbi_mmap(24, ranges, ARRAY_SIZE(ranges));
	mbi_rsdp(MB2_TAG_ACPI_OLD, 20, 0x11);
	mbi_finish();

	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "loglvl=debug -- dom0");
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_int_equal(bi.nr_modules, 2);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x300000);
	assert_string_equal(bi.modules[0].cmdline, "dom0-kernel console=hvc0");
	assert_int_equal(bi.modules[1].start, bi.modules[1].end);
	assert_int_equal(bi.nr_memmap, 3);
	assert_int_equal(bi.memmap[0].start, 0);
	assert_int_equal(bi.memmap[0].size, 0x9fc00);
	assert_int_equal(bi.memmap[1].start, 0x100000);
	assert_int_equal(bi.memmap[2].type, MEM_RESERVED);
	assert_int_equal(bi.rsdp_len, 20);
	assert_int_equal(bi.rsdp[19], 0x11);
	assert_int_equal(bi.mbi_start, 0);
	assert_int_equal(shim_printk_count[LOG_WARN] + shim_printk_count[LOG_ERR], 0);
}

static void test_new_rsdp_preferred_in_any_order(void **state)
{
	(void)state;
	mbi_rsdp(MB2_TAG_ACPI_NEW, 36, 0x22);
	mbi_rsdp(MB2_TAG_ACPI_OLD, 20, 0x11);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[0], 0x22);
	assert_int_equal(bi.rsdp[35], 0x22);

	mbi_begin();
	mbi_rsdp(MB2_TAG_ACPI_OLD, 20, 0x11);
	mbi_rsdp(MB2_TAG_ACPI_NEW, 36, 0x22);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[0], 0x22);
}

static void test_short_rsdp_ignored(void **state)
{
	(void)state;
	mbi_rsdp(MB2_TAG_ACPI_NEW, 24, 0x22);
	mbi_rsdp(MB2_TAG_ACPI_OLD, 10, 0x11);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_len, 0);
	assert_true(shim_printk_contains("ACPI RSDP tag holds 24 bytes, 36 needed"));
}

static void test_larger_entry_size_respected(void **state)
{
	const struct range r[] = {{0x1000, 0x2000, MEM_RAM}, {0x8000, 0x1000, MEM_ACPI_NVS}};

	(void)state;
	mbi_mmap(40, r, 2);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_memmap, 2);
	assert_int_equal(bi.memmap[1].start, 0x8000);
	assert_int_equal(bi.memmap[1].type, MEM_ACPI_NVS);
}

static void test_overlaps_warned_and_sorted(void **state)
{
	const struct range r[] = {
	    {0x5000, 0x1000, MEM_RAM},
	    {0x1000, 0x5000, MEM_RAM}, /* ends at 0x6000: overlaps the first */
	    {0x3000, 0x100, MEM_RESERVED},
	};

	(void)state;
	mbi_mmap(24, r, 3);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_memmap, 3);
	assert_int_equal(bi.memmap[0].start, 0x1000);
	assert_int_equal(bi.memmap[1].start, 0x3000);
	assert_int_equal(bi.memmap[2].start, 0x5000);
	assert_true(shim_printk_contains("overlap"));
	assert_int_equal(shim_printk_count[LOG_WARN], 2);
}

static void test_too_many_ranges_capped(void **state)
{
	static struct range r[200];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = (struct range){(ARRAY_SIZE(r) - i) * 0x10000, 0x1000, MEM_RAM};
	mbi_mmap(24, r, ARRAY_SIZE(r));
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_memmap, BOOT_MAX_MEMMAP);
	for (i = 1; i < bi.nr_memmap; i++)
		assert_true(bi.memmap[i - 1].start < bi.memmap[i].start);
	assert_true(shim_printk_contains("more than 128 ranges, 72 dropped"));
}

static void test_wrapping_range_clipped(void **state)
{
	const struct range r[] = {{0xfffffffffffff000ULL, 0x2000, MEM_RESERVED}};

	(void)state;
	mbi_mmap(24, r, 1);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_memmap, 1);
	assert_int_equal(bi.memmap[0].start + bi.memmap[0].size, ~0ULL);
	assert_true(shim_printk_contains("wraps around"));
}

static void test_strings_truncated_safely(void **state)
{
	char *big = malloc(2000);
	u8 *t;

	(void)state;
	memset(big, 'c', 1999);
	big[1999] = '\0';
	mbi_string(MB2_TAG_CMDLINE, big);
	/* Loader name without its NUL: cut at the tag end. */
	t = mbi_tag(MB2_TAG_LOADER_NAME, 8 + 5);
	memcpy(t + 8, "GRUBX", 5);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_string_equal(bi.loader_name, "GRUBX");
	assert_true(shim_printk_contains("command line is longer than 1023 bytes"));
	assert_true(shim_printk_contains("boot loader name is not NUL-terminated"));
	free(big);
}

static void test_bad_modules(void **state)
{
	int i;

	(void)state;
	mbi_module(0x5000, 0x4000, "backwards"); /* ignored */
	for (i = 0; i < BOOT_MAX_MODULES + 3; i++)
		mbi_module(0x100000 * (u32)(i + 1), 0x100000 * (u32)(i + 1) + 10, "m");
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_modules, BOOT_MAX_MODULES);
	assert_int_equal(bi.modules[0].start, 0x100000);
	assert_true(shim_printk_contains("ends before it starts"));
	assert_true(shim_printk_contains("more than 16 modules, 3 ignored"));
}

/* ---- malformed structure: refused ---- */

static void expect_refused(const char *why)
{
	bi.nr_memmap = 99;
	assert_int_equal(parse(), -EINVAL);
	assert_int_equal(bi.nr_memmap, 0); /* cleared on failure */
	assert_true(shim_printk_count[LOG_ERR] >= 1);
	assert_true(shim_printk_contains(why));
}

static void test_bad_total_size(void **state)
{
	(void)state;
	mbi_finish();
	put32(m.buf, 8); /* below the minimum */
	expect_refused("total_size 8 outside");
	put32(m.buf, (u32)m.len + 8); /* beyond what may be read */
	expect_refused("outside [16, 16]");
	assert_int_equal(mb2_parse(m.buf, 8, &bi), -EINVAL);
	assert_int_equal(mb2_parse(NULL, 4096, &bi), -EINVAL);
}

static void test_missing_end_tag(void **state)
{
	(void)state;
	mbi_string(MB2_TAG_CMDLINE, "x");
	put32(m.buf, (u32)m.len); /* no END tag */
	expect_refused("no end tag");
	/* Room for an END header but the last tag is not one. */
	mbi_begin();
	mbi_tag(77, 8);
	put32(m.buf, (u32)m.len);
	expect_refused("no end tag");
}

static void test_truncated_and_oversized_tags(void **state)
{
	u8 *t;

	(void)state;
	t = mbi_tag(MB2_TAG_CMDLINE, 16);
	mbi_finish();
	put32(t + 4, 4); /* below a tag header */
	expect_refused("bad size 4");
	put32(t + 4, 0xffffffff); /* far past total_size, and would overflow when aligned */
	expect_refused("bad size 4294967295");
	put32(t + 4, (u32)m.len - 8 + 1); /* one byte past the block */
	expect_refused("has bad size");
	/* The last tag exactly reaching total_size leaves no room for END. */
	put32(t + 4, (u32)m.len - 8);
	expect_refused("no end tag");
}

static void test_mmap_entry_size_too_small(void **state)
{
	const struct range r[] = {{0x1000, 0x1000, MEM_RAM}};

	(void)state;
	mbi_mmap(16, r, 1);
	mbi_finish();
	expect_refused("memory map entry size 16 is below 24");
}

static void test_short_module_and_mmap_tags(void **state)
{
	(void)state;
	mbi_tag(MB2_TAG_MODULE, 12);
	mbi_finish();
	expect_refused("tag 3 is 12 bytes");
	mbi_begin();
	mbi_tag(MB2_TAG_MMAP, 8);
	mbi_finish();
	expect_refused("tag 6 is 8 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_minimal_block, reset),
	    cmocka_unit_test_setup(test_full_block, reset),
	    cmocka_unit_test_setup(test_new_rsdp_preferred_in_any_order, reset),
	    cmocka_unit_test_setup(test_short_rsdp_ignored, reset),
	    cmocka_unit_test_setup(test_larger_entry_size_respected, reset),
	    cmocka_unit_test_setup(test_overlaps_warned_and_sorted, reset),
	    cmocka_unit_test_setup(test_too_many_ranges_capped, reset),
	    cmocka_unit_test_setup(test_wrapping_range_clipped, reset),
	    cmocka_unit_test_setup(test_strings_truncated_safely, reset),
	    cmocka_unit_test_setup(test_bad_modules, reset),
	    cmocka_unit_test_setup(test_bad_total_size, reset),
	    cmocka_unit_test_setup(test_missing_end_tag, reset),
	    cmocka_unit_test_setup(test_truncated_and_oversized_tags, reset),
	    cmocka_unit_test_setup(test_mmap_entry_size_too_small, reset),
	    cmocka_unit_test_setup(test_short_module_and_mmap_tags, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
