/* Unit tests for common/domain_config_devices.c: ioports=, iomem=, irqs= on module lines. */
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

static void parse_ok(const char *line)
{
	if (domcfg_parse(line, &cfg, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", line, err);
	assert_string_equal(err, "");
}

/* @line is refused and the message contains @text. */
static void parse_bad(const char *line, const char *text)
{
	int rc = domcfg_parse(line, &cfg, err, sizeof(err));

	if (rc != -EINVAL)
		fail_msg("'%s' gave %d, expected -EINVAL", line, rc);
	if (!strstr(err, text))
		fail_msg("'%s': error '%s' lacks '%s'", line, err, text);
}

static void test_none_by_default(void **state)
{
	parse_ok("/boot/x.elf name=a mem=4M");
	assert_false(domcfg_has_devices(&cfg.devices));
	assert_int_equal(cfg.devices.nr_ioports + cfg.devices.nr_iomem + cfg.devices.nr_irqs, 0);
}

static void test_ioports(void **state)
{
	parse_ok("ioports=0x2f8-0x2ff");
	assert_true(domcfg_has_devices(&cfg.devices));
	assert_int_equal(cfg.devices.nr_ioports, 1);
	assert_int_equal(cfg.devices.ioports[0].first, 0x2f8);
	assert_int_equal(cfg.devices.ioports[0].last, 0x2ff);

	parse_ok("ioports=0x2F8-0x2FF,0X80,0x0-0x0,0xfff0-0xffff");
	assert_int_equal(cfg.devices.nr_ioports, 4);
	assert_int_equal(cfg.devices.ioports[0].first, 0x2f8);
	assert_int_equal(cfg.devices.ioports[1].first, 0x80); /* one port alone */
	assert_int_equal(cfg.devices.ioports[1].last, 0x80);
	assert_int_equal(cfg.devices.ioports[2].last, 0);
	assert_int_equal(cfg.devices.ioports[3].last, 0xffff);
	parse_ok("ioports=0x1,0x2,0x3,0x4,0x5,0x6,0x7,0x8");
	assert_int_equal(cfg.devices.nr_ioports, 8);
}

static void test_ioports_refused(void **state)
{
	parse_bad("ioports=", "ioports=: no entries (write e.g. ioports=0x2f8-0x2ff)");
	parse_bad("ioports=760-767", "'760-767' is not a hex range (write 0x... numbers");
	parse_bad("ioports=0x2fg-0x2ff", "is not a hex range");
	parse_bad("ioports=0x-0x2ff", "is not a hex range");
	parse_bad("ioports=0x2f8-", "is not a hex range");
	parse_bad("ioports=-0x2ff", "is not a hex range");
	parse_bad("ioports=0x2f8-0x2ff-0x300", "is not a hex range");
	parse_bad("ioports=0x2ff-0x2f8", "'0x2ff-0x2f8' is backwards (write it low-high)");
	parse_bad("ioports=0x2f8-0x10000", "port above 0xffff");
	parse_bad("ioports=0x100000000000000000-0x1", "port above 0xffff");
	parse_bad("ioports=0x2f8-0x2ff,0x2fc",
		  "0x2fc-0x2fc overlaps 0x2f8-0x2ff given before (give each port once)");
	parse_bad("ioports=0x2f8-0x2ff,", "an empty entry");
	parse_bad("ioports=,0x2f8", "an empty entry");
	parse_bad("ioports=0x1,0x2,0x3,0x4,0x5,0x6,0x7,0x8,0x9",
		  "more than 8 entries (at most 8 per key)");
	parse_bad("ioports=0x1 ioports=0x2", "'ioports' given twice");
	parse_bad("name=a ioports", "needs a value (write ioports=...)");
}

static void test_iomem(void **state)
{
	parse_ok("iomem=0xb8000-0xb8fff");
	assert_int_equal(cfg.devices.nr_iomem, 1);
	assert_int_equal(cfg.devices.iomem[0].first, 0xb8000);
	assert_int_equal(cfg.devices.iomem[0].last, 0xb8fff);
	parse_ok("iomem=0xfe000000-0xfe0fffff,0xa0000-0xbffff,0xFFFFFFFFFF000-0xFFFFFFFFFFFFF");
	assert_int_equal(cfg.devices.nr_iomem, 3);
	assert_true(cfg.devices.iomem[2].last == DOMCFG_MAX_IOMEM_ADDR);
}

static void test_iomem_refused(void **state)
{
	parse_bad("iomem=0xb8000", "'0xb8000' is not a range (write FIRST-LAST, e.g. "
				   "iomem=0xb8000-0xb8fff)");
	parse_bad("iomem=0xb8001-0xb8fff", "does not start on a 4 KiB page");
	parse_bad("iomem=0xb8000-0xb8ffe", "does not end with a whole 4 KiB page");
	parse_bad("iomem=0xb8000-0xb8000", "does not end with a whole 4 KiB page");
	parse_bad("iomem=0x10000000000000-0x10000000000fff", "address above 0xfffffffffffff");
	parse_bad("iomem=0xb8000-0xb8fff,0xb8000-0xb9fff", "overlaps 0xb8000-0xb8fff given before "
							   "(give each page once)");
	parse_bad("iomem=753664-757759", "is not a hex range");
}

static void test_irqs(void **state)
{
	parse_ok("irqs=3");
	assert_int_equal(cfg.devices.nr_irqs, 1);
	assert_int_equal(cfg.devices.irqs[0], 3);
	parse_ok("irqs=0,3,4,255");
	assert_int_equal(cfg.devices.nr_irqs, 4);
	assert_int_equal(cfg.devices.irqs[3], 255);
	parse_bad("irqs=256", "GSI '256' out of range (GSIs are 0..255)");
	parse_bad("irqs=99999999999999999999999", "out of range");
	parse_bad("irqs=0x3", "'0x3' is not a decimal GSI number (use e.g. irqs=3 or irqs=3,4)");
	parse_bad("irqs=3-4", "is not a decimal GSI number");
	parse_bad("irqs=3,3", "GSI 3 given twice (give each GSI once)");
	parse_bad("irqs=1,2,3,4,5,6,7,8,9", "more than 8 entries");
	parse_bad("irqs=", "no entries (write e.g. irqs=3)");
}

static void test_full_line_and_ramdisk(void **state)
{
	parse_ok("/boot/rtos.elf name=rtos mem=4M ioports=0x2f8-0x2ff iomem=0xb8000-0xb8fff "
		 "irqs=3 -- ioports=nothing");
	assert_string_equal(cfg.name, "rtos");
	assert_int_equal(cfg.devices.nr_ioports, 1);
	assert_int_equal(cfg.devices.nr_iomem, 1);
	assert_int_equal(cfg.devices.nr_irqs, 1);
	assert_string_equal(cfg.cmdline, "ioports=nothing");
	parse_bad("type=ramdisk irqs=3", "'irqs' does not apply to a ramdisk module");
	parse_bad("type=ramdisk ioports=0x2f8", "'ioports' does not apply to a ramdisk module");
	parse_bad("iomemx=1", "known: name mem vcpus cpus cpus.N weight cap on_poweroff on_reboot "
			      "on_crash type dom0 pool rt prio shm ioports iomem irqs");
	/* A refusal quotes the whole word in front of the reason. */
	parse_bad("name=a irqs=3,x", "irqs=3,x: 'x' is not a decimal GSI number");
}

/* The value parser alone: it keeps other keys' entries and rejects bad arguments. */
static void test_value_parser_direct(void **state)
{
	struct domcfg_devices dev;

	memset(&dev, 0, sizeof(dev));
	assert_int_equal(domcfg_parse_devices(DOMCFG_DEV_IRQS, "4", 1, &dev, err, sizeof(err)), 0);
	assert_int_equal(domcfg_parse_devices(DOMCFG_DEV_IOPORTS, "0x60,junk", 4, &dev, err, 0), 0);
	assert_int_equal(dev.nr_irqs, 1);
	assert_int_equal(dev.nr_ioports, 1);
	assert_int_equal(
	    domcfg_parse_devices((enum domcfg_dev_key)7, "4", 1, &dev, err, sizeof(err)), -EINVAL);
	assert_int_equal(domcfg_parse_devices(DOMCFG_DEV_IRQS, NULL, 1, &dev, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(domcfg_parse_devices(DOMCFG_DEV_IRQS, "4", 1, NULL, err, sizeof(err)),
			 -EINVAL);
	/* A message cut to the buffer still ends in a NUL. */
	assert_int_equal(domcfg_parse_devices(DOMCFG_DEV_IRQS, "x", 1, &dev, err, 8), -EINVAL);
	assert_int_equal(strlen(err), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_none_by_default),
	    cmocka_unit_test(test_ioports),
	    cmocka_unit_test(test_ioports_refused),
	    cmocka_unit_test(test_iomem),
	    cmocka_unit_test(test_iomem_refused),
	    cmocka_unit_test(test_irqs),
	    cmocka_unit_test(test_full_line_and_ramdisk),
	    cmocka_unit_test(test_value_parser_direct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
