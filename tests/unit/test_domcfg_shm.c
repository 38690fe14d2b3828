/* Unit tests for common/domain_config_shm.c: the shm= key, every error, the memory-map checks. */
#include <keel/compiler.h>
#include <keel/domain_config.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

static struct domain_config cfg;
static char err[DOMCFG_ERR_MAX];

static int parse(const char *line)
{
	return domcfg_parse(line, &cfg, err, sizeof(err));
}

static void parse_ok(const char *line)
{
	if (parse(line) != 0)
		fail_msg("'%s' refused: %s", line, err);
	assert_string_equal(err, "");
}

/* @line is refused and the message contains @text. */
static void parse_bad(const char *line, const char *text)
{
	int rc = parse(line);

	if (rc != -EINVAL)
		fail_msg("'%s' gave %d, expected -EINVAL", line, rc);
	if (!strstr(err, text))
		fail_msg("'%s': error '%s' lacks '%s'", line, err, text);
}

static void test_one_region(void **state)
{
	parse_ok("shm=ring:64K@0xe0000000:rw");
	assert_int_equal(cfg.nr_shm, 1);
	assert_string_equal(cfg.shm[0].name, "ring");
	assert_int_equal(cfg.shm[0].size, 64 << 10);
	assert_true(cfg.shm[0].gpa == 0xe0000000ULL);
	assert_true(cfg.shm[0].writable);
	parse_ok("");
	assert_int_equal(cfg.nr_shm, 0);
}

static void test_four_regions(void **state)
{
	parse_ok("/k.elf mem=64M shm=a:4K@0xC0000000:ro,B_-9:1m@0xc0001000:rw,"
		 "c:256M@0x200000000:ro,abcdefghijklmno:4096@0xFC001000:rw -- x");
	assert_int_equal(cfg.nr_shm, 4);
	assert_false(cfg.shm[0].writable);
	assert_int_equal(cfg.shm[0].size, 4096);
	assert_string_equal(cfg.shm[1].name, "B_-9");
	assert_int_equal(cfg.shm[1].size, 1 << 20);
	assert_true(cfg.shm[2].gpa == 0x200000000ULL);
	assert_int_equal(cfg.shm[2].size, 256 << 20);
	assert_string_equal(cfg.shm[3].name, "abcdefghijklmno");
	assert_true(cfg.shm[3].gpa == 0xfc001000ULL);
	assert_string_equal(cfg.cmdline, "x");
}

static void test_syntax_errors(void **state)
{
	parse_bad("shm=",
		  "shm=: region 1 is not NAME:SIZE@GPA:ACCESS (e.g. shm=ring:64K@0xe0000000:rw)");
	parse_bad("/k shm", "shm: needs a value");
	parse_bad("shm=ring", "region 1 is not NAME:SIZE@GPA:ACCESS");
	parse_bad("shm=ring:64K", "region 1 is not");
	parse_bad("shm=ring:64K@0xe0000000", "region 1 is not");
	parse_bad("shm=ring:64K:0xe0000000:rw", "region 1 is not");
	parse_bad("shm=a:4K@0xe0000000:rw,", "region 2 is not");
	parse_bad("shm=,a:4K@0xe0000000:rw", "region 1 is not");
	parse_bad("shm=a:4K@0xe0000000:rw shm=b:4K@0xe0001000:rw", "'shm' given twice");
	parse_bad("shm=a:4K@0xe0000000:rw,b:4K@0xe0001000:rw,c:4K@0xe0002000:rw,"
		  "d:4K@0xe0003000:rw,e:4K@0xe0004000:rw",
		  "more than 4 regions (at most 4 per domain)");
	parse_bad("type=ramdisk shm=a:4K@0xe0000000:rw", "'shm' does not apply to a ramdisk");
}

static void test_name_errors(void **state)
{
	parse_bad("shm=:4K@0xe0000000:rw", "region 1: the name must be 1..15 characters");
	parse_bad("shm=abcdefghijklmnop:4K@0xe0000000:rw", "the name must be 1..15 characters");
	parse_bad("shm=a.b:4K@0xe0000000:rw",
		  "region 1: bad character '.' in its name (use A-Z a-z 0-9 _ -)");
	parse_bad("shm=a:4K@0xe0000000:rw,b:4K@0xe0001000:rw,a:4K@0xe0002000:ro",
		  "region 'a' named twice (name each region once)");
}

static void test_size_errors(void **state)
{
	parse_bad("shm=r:@0xe0000000:rw", "region 'r': the size is not a number with K, M or G");
	parse_bad("shm=r:K@0xe0000000:rw", "the size is not a number");
	parse_bad("shm=r:64KB@0xe0000000:rw", "the size is not a number");
	parse_bad("shm=r:64Q@0xe0000000:rw", "region 'r': unknown size suffix 'Q' (use K, M or G)");
	parse_bad("shm=r:2K@0xe0000000:rw", "region 'r': below the 4 KiB minimum");
	parse_bad("shm=r:0@0xe0000000:rw", "below the 4 KiB minimum");
	parse_bad("shm=r:5000@0xe0000000:rw", "the size is not a multiple of 4 KiB");
	parse_bad("shm=r:257M@0xe0000000:rw", "region 'r': above the 256 MiB maximum");
	parse_bad("shm=r:1G@0xe0000000:rw", "above the 256 MiB maximum");
	parse_bad("shm=r:99999999999999999999999@0xe0000000:rw", "above the 256 MiB maximum");
	parse_ok("shm=r:268435456@0xe0000000:rw");
	assert_int_equal(cfg.shm[0].size, 256 << 20);
}

static void test_address_and_access_errors(void **state)
{
	parse_bad("shm=r:4K@e0000000:rw", "region 'r': the address is not hex (write it 0x...");
	parse_bad("shm=r:4K@0x:rw", "the address is not hex");
	parse_bad("shm=r:4K@:rw", "the address is not hex");
	parse_bad("shm=r:4K@0xe000g000:rw", "region 'r': bad hex digit 'g' in the address");
	parse_bad("shm=r:4K@0xe0000800:rw", "region 'r': the address is not 4 KiB aligned");
	parse_bad("shm=r:4K@0xffffffffffffffffff000:rw", "the address is above 0x400000000000");
	parse_bad("shm=r:8K@0x3ffffffff000:rw", "region 'r': it ends above 0x400000000000");
	parse_ok("shm=r:4K@0x3ffffffff000:ro");
	parse_bad("shm=r:4K@0xe0000000:RW", "region 'r': unknown access 'RW' (use rw or ro)");
	parse_bad("shm=r:4K@0xe0000000:", "unknown access '' (use rw or ro)");
	parse_bad("shm=r:4K@0xe0000000:rwx", "unknown access 'rwx'");
	parse_bad("shm=r:4K@0xe0000000:r:w", "unknown access 'r:w'");
}

static void test_layout_clashes(void **state)
{
	parse_bad("shm=r:4K@0x1fff000:rw",
		  "region 'r' overlaps the domain's RAM (move it past the RAM");
	parse_ok("shm=r:4K@0x2000000:rw"); /* just above the default 32 MiB */
	parse_bad("mem=64M shm=r:4K@0x2000000:rw", "overlaps the domain's RAM");
	parse_bad("shm=r:4K@0x3000000:rw mem=64M", "overlaps the domain's RAM"); /* mem= after */
	parse_ok("mem=3G shm=r:64K@0xc0000000:rw");
	parse_bad("mem=3073M shm=r:4K@0x100000000:rw", "overlaps the domain's RAM");
	parse_ok("mem=3073M shm=r:4K@0x100100000:rw");
	parse_bad("shm=r:64K@0xfeff0000:rw", "overlaps the special pages at 0xFEFF8000-0xFEFFFFFF");
	parse_bad("shm=r:4K@0xfeffb000:rw", "overlaps the special pages");
	parse_ok("shm=r:4K@0xfeff7000:rw");
	parse_ok("shm=r:4K@0xff000000:rw");
	parse_bad("shm=r:4K@0xfee00000:ro", "overlaps the local APIC page at 0xFEE00000");
	parse_bad("shm=r:2M@0xfed00000:ro", "overlaps the local APIC page");
	parse_ok("shm=r:4K@0xfee01000:rw");
	parse_bad("shm=r:4K@0xfec00000:rw", "overlaps the IO-APIC page at 0xFEC00000");
	parse_ok("shm=r:4K@0xfec01000:rw");
	parse_bad("shm=r:1M@0xfbf01000:rw", "overlaps the guest ACPI tables at 0xFC000000");
	parse_ok("shm=r:1M@0xfb000000:rw");
	parse_bad("shm=a:8K@0xe0000000:rw,b:4K@0xe0001000:ro",
		  "region 'b' overlaps region 'a' (give each its own range)");
	parse_ok("shm=a:8K@0xe0000000:rw,b:4K@0xe0002000:ro");
}

static void test_dom0_refused(void **state)
{
	parse_bad("dom0 shm=r:4K@0xe0000000:rw", "dom0 cannot share regions");
	parse_ok("dom0=no shm=r:4K@0xe0000000:rw");
}

static void test_long_word_quoted_short(void **state)
{
	/* A long word is quoted to 48 characters; the message still fits and names the fix. */
	parse_bad("shm=a:4K@0xe0000000:rw,b:4K@0xe0001000:rw,c:4K@0xe0002000:rw,d:4K@0x1000:rw",
		  "region 'd' overlaps the domain's RAM");
	assert_true(
	    strncmp(err, "shm=a:4K@0xe0000000:rw,b:4K@0xe0001000:rw,c:4K@0: region 'd'", 60) == 0);
	assert_true(strlen(err) < sizeof(err) - 1);
	/* A message into a tiny buffer is cut, never overrun. */
	assert_int_equal(domcfg_parse("shm=r:4K@0x1000:rw", &cfg, err, 8), -EINVAL);
	assert_string_equal(err, "shm=r:4");
	assert_int_equal(domcfg_parse("shm=r:4K@0x1000:rw", &cfg, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_region),
	    cmocka_unit_test(test_four_regions),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_name_errors),
	    cmocka_unit_test(test_size_errors),
	    cmocka_unit_test(test_address_and_access_errors),
	    cmocka_unit_test(test_layout_clashes),
	    cmocka_unit_test(test_dom0_refused),
	    cmocka_unit_test(test_long_word_quoted_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
