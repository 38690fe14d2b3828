/* Unit tests for common/domain_config.c: module command lines, every error, module grouping. */
#include <keel/compiler.h>
#include <keel/domain_config.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* tests/unit/shim_lib_printk.c */
void shim_printk_reset(void);
bool shim_printk_contains(const char *text);

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

static void check_defaults(void)
{
	unsigned int i;

	assert_int_equal(cfg.type, DOMCFG_KERNEL);
	assert_string_equal(cfg.name, "");
	assert_int_equal(cfg.mem_bytes, 32ULL << 20);
	assert_int_equal(cfg.vcpus, 1);
	assert_true(cfg.cpus == DOMCFG_ALL_CPUS);
	for (i = 0; i < DOMCFG_MAX_VCPUS; i++)
		assert_true(cfg.vcpu_cpus[i] == DOMCFG_ALL_CPUS);
	assert_int_equal(cfg.weight, 256);
	assert_int_equal(cfg.cap, 0);
	assert_int_equal(cfg.on_poweroff, DOMCFG_DESTROY);
	assert_int_equal(cfg.on_reboot, DOMCFG_RESTART);
	assert_int_equal(cfg.on_crash, DOMCFG_DESTROY);
	assert_false(cfg.dom0);
	assert_string_equal(cfg.cmdline, "");
}

static void test_defaults(void **state)
{
	parse_ok("");
	check_defaults();
	assert_string_equal(cfg.path, "");
	parse_ok("/boot/guest.elf");
	check_defaults();
	assert_string_equal(cfg.path, "/boot/guest.elf");
	assert_int_equal(domcfg_parse(NULL, &cfg, err, sizeof(err)), 0);
	check_defaults();
	assert_int_equal(domcfg_parse("", NULL, err, sizeof(err)), -EINVAL);
}

static void test_full_line(void **state)
{
	parse_ok(
	    "/boot/guest.elf name=web mem=64M vcpus=2 cpus=0-1,3 weight=512 cap=50 "
	    "on_crash=preserve on_poweroff=restart on_reboot=destroy -- console=hvc0  a=b -- c ");
	assert_string_equal(cfg.path, "/boot/guest.elf");
	assert_string_equal(cfg.name, "web");
	assert_int_equal(cfg.mem_bytes, 64ULL << 20);
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(cfg.cpus, 0xb);
	assert_int_equal(cfg.vcpu_cpus[0], 0xb);
	assert_int_equal(cfg.vcpu_cpus[1], 0xb);
	assert_int_equal(cfg.weight, 512);
	assert_int_equal(cfg.cap, 50);
	assert_int_equal(cfg.on_crash, DOMCFG_PRESERVE);
	assert_int_equal(cfg.on_poweroff, DOMCFG_RESTART);
	assert_int_equal(cfg.on_reboot, DOMCFG_DESTROY);
	assert_string_equal(cfg.cmdline, "console=hvc0  a=b -- c");
	assert_string_equal(domcfg_action_name(cfg.on_crash), "preserve");
	assert_string_equal(domcfg_action_name((enum domcfg_action)7), "?");
}

static void test_mem_sizes(void **state)
{
	parse_ok("mem=1M");
	assert_int_equal(cfg.mem_bytes, 1ULL << 20);
	parse_ok("mem=2g");
	assert_int_equal(cfg.mem_bytes, 2ULL << 30);
	parse_ok("mem=2048k");
	assert_int_equal(cfg.mem_bytes, 2ULL << 20);
	parse_ok("mem=1048576");
	assert_int_equal(cfg.mem_bytes, 1ULL << 20);
	parse_ok("mem=1024G");
	assert_int_equal(cfg.mem_bytes, 1ULL << 40);
}

static void test_mem_errors(void **state)
{
	parse_bad("mem=12Q", "mem=12Q: unknown size suffix 'Q' (use K, M or G)");
	parse_bad("mem=64MB", "mem=64MB: junk after the size");
	parse_bad("mem=M", "mem=M: not a size");
	parse_bad("mem=", "mem=: not a size");
	parse_bad("mem=-1M", "not a size");
	parse_bad("mem=1048577", "not a multiple of 4 KiB");
	parse_bad("mem=1020K", "below the 1 MiB minimum");
	parse_bad("mem=1025G", "above the 1024 GiB maximum");
	parse_bad("mem=99999999999999999999999999G", "above the 1024 GiB maximum");
	parse_bad("/k mem", "mem: needs a value (write mem=...)");
	parse_ok("mem"); /* a first word without '=' is the module's path */
	assert_string_equal(cfg.path, "mem");
}

static void test_name(void **state)
{
	parse_ok("name=A.b_c-9");
	assert_string_equal(cfg.name, "A.b_c-9");
	parse_ok("name=abcdefghijklmnopqrstuvwxyz01234"); /* 31 */
	assert_string_equal(cfg.name, "abcdefghijklmnopqrstuvwxyz01234");
	parse_bad("name=abcdefghijklmnopqrstuvwxyz012345", "name must be 1..31 characters");
	parse_bad("name=", "name must be 1..31 characters");
	parse_bad("name=we/b", "bad character '/' in name");
}

static void test_numbers(void **state)
{
	parse_ok("vcpus=32 weight=65535 cap=6400");
	assert_int_equal(cfg.vcpus, 32);
	assert_int_equal(cfg.weight, 65535);
	assert_int_equal(cfg.cap, 6400);
	parse_ok("weight=1 cap=0");
	assert_int_equal(cfg.weight, 1);
	parse_bad("vcpus=0", "vcpus=0: out of range (use 1..32)");
	parse_bad("vcpus=33", "vcpus=33: out of range");
	parse_bad("vcpus=two", "vcpus=two: not a decimal number");
	parse_bad("vcpus=18446744073709551617", "out of range");
	parse_bad("weight=0", "weight=0: out of range (use 1..65535");
	parse_bad("weight=65536", "out of range");
	parse_bad("cap=6401", "cap=6401: out of range (use 0..6400");
	parse_bad("cap=+5", "not a decimal number");
}

static void test_cpu_lists(void **state)
{
	parse_ok("cpus=0-1,3");
	assert_int_equal(cfg.cpus, 0xb);
	parse_ok("cpus=63");
	assert_true(cfg.cpus == 1ULL << 63);
	parse_ok("cpus=0-63");
	assert_true(cfg.cpus == ~0ULL);
	parse_ok("cpus=5-5,2,60-62");
	assert_true(cfg.cpus == ((1ULL << 5) | (1ULL << 2) | (7ULL << 60)));
	parse_ok("cpus=all");
	assert_true(cfg.cpus == DOMCFG_ALL_CPUS);
	parse_bad("cpus=0-", "cpus=0-: bad CPU list (use e.g. cpus=0-1,3 or cpus=all)");
	parse_bad("cpus=,1", "bad CPU list");
	parse_bad("cpus=1,", "bad CPU list");
	parse_bad("cpus=1-2-3", "bad CPU list");
	parse_bad("cpus=", "bad CPU list");
	parse_bad("cpus=3-1", "range 3-1 is backwards");
	parse_bad("cpus=64", "CPU 64 out of range (CPUs are 0..63)");
	parse_bad("cpus=1-99999999999999999999", "bad CPU list");
}

static void test_per_vcpu_pinning(void **state)
{
	parse_ok("cpus.1=2 vcpus=3 cpus=0-3 cpus.2=all");
	assert_int_equal(cfg.vcpu_cpus[0], 0xf);
	assert_int_equal(cfg.vcpu_cpus[1], 0x4);
	assert_true(cfg.vcpu_cpus[2] == DOMCFG_ALL_CPUS);
	parse_bad("vcpus=2 cpus.2=1", "cpus.2=1: vCPU 2 does not exist (the domain has vcpus=2)");
	parse_bad("cpus.0=1 cpus.0=2", "'cpus.0' given twice");
	parse_bad("cpus.x=1", "bad vCPU number in 'cpus.x'");
	parse_bad("cpus.32=1", "bad vCPU number");
	parse_bad("cpus.=1", "unknown key 'cpus.'");
	parse_bad("cpus.0=9-1", "backwards");
}

static void test_pool_and_reservation(void **state)
{
	parse_ok("name=rt");
	assert_string_equal(cfg.pool, "");
	assert_true(cfg.rt_budget_ns == 0 && cfg.rt_period_ns == 0 && cfg.rt_prio == 0);
	parse_ok("pool=rtos rt=300us/1ms prio=99");
	assert_string_equal(cfg.pool, "rtos");
	assert_true(cfg.rt_budget_ns == 300000 && cfg.rt_period_ns == 1000000);
	assert_int_equal(cfg.rt_prio, 99);
	parse_ok("rt=10us/100us");
	assert_true(cfg.rt_budget_ns == 10000 && cfg.rt_period_ns == 100000);
	parse_ok("rt=1s/10s");
	assert_true(cfg.rt_budget_ns == 1000000000ULL && cfg.rt_period_ns == 10000000000ULL);
	parse_ok("rt=500000ns/500000ns pool=a_b-9");
	assert_true(cfg.rt_budget_ns == cfg.rt_period_ns);
	parse_bad("pool=", "pool=: a pool name has 1..15 characters");
	parse_bad("pool=abcdefghijklmnop", "a pool name has 1..15 characters");
	parse_bad("pool=a.b", "bad character '.' in a pool name");
	parse_bad("rt=300us", "rt=300us: not BUDGET/PERIOD (use e.g. rt=300us/1ms");
	parse_bad("rt=300/1ms", "not BUDGET/PERIOD");
	parse_bad("rt=300us/1h", "not BUDGET/PERIOD");
	parse_bad("rt=/1ms", "not BUDGET/PERIOD");
	parse_bad("rt=1ms/", "not BUDGET/PERIOD");
	parse_bad("rt=1us/11s", "not BUDGET/PERIOD");
	parse_bad("rt=99999999999999999999s/1s", "not BUDGET/PERIOD");
	parse_bad("rt=10us/99us", "the period is below 100us");
	parse_bad("rt=2ms/1ms", "the budget must be 10us..the period");
	parse_bad("rt=9us/1ms", "the budget must be 10us..the period");
	parse_bad("prio=5", "prio=5: a priority needs a reservation (add rt=BUDGET/PERIOD)");
	parse_bad("rt=1ms/2ms prio=100", "prio=100: out of range (use 0..99");
	parse_bad("rt=1ms/2ms rt=1ms/3ms", "'rt' given twice");
	parse_bad("type=ramdisk pool=x", "'pool' does not apply to a ramdisk module");
}

static void test_actions(void **state)
{
	parse_ok("on_poweroff=preserve on_reboot=restart on_crash=restart");
	assert_int_equal(cfg.on_poweroff, DOMCFG_PRESERVE);
	assert_int_equal(cfg.on_crash, DOMCFG_RESTART);
	parse_bad("on_crash=explode",
		  "on_crash=explode: unknown action (use destroy, restart or preserve)");
	parse_bad("on_reboot=", "unknown action");
}

static void test_dom0_flag(void **state)
{
	parse_ok("/k dom0");
	assert_true(cfg.dom0);
	parse_ok("dom0"); /* a first word that is a key, not a path */
	assert_true(cfg.dom0);
	assert_string_equal(cfg.path, "");
	parse_ok("dom0=yes");
	assert_true(cfg.dom0);
	parse_ok("dom0=off");
	assert_false(cfg.dom0);
	parse_bad("dom0=maybe", "dom0=maybe: not a boolean (use dom0, dom0=yes or dom0=no)");
}

static void test_ramdisk_lines(void **state)
{
	parse_ok("/boot/initrd.img type=ramdisk");
	assert_int_equal(cfg.type, DOMCFG_RAMDISK);
	assert_string_equal(cfg.path, "/boot/initrd.img");
	parse_ok("/boot/initrd.img type=ramdisk -- rootfstype=cpio");
	assert_string_equal(cfg.cmdline, "rootfstype=cpio");
	parse_ok("type=kernel");
	assert_int_equal(cfg.type, DOMCFG_KERNEL);
	parse_bad(
	    "/i mem=64M type=ramdisk",
	    "mem=64M: 'mem' does not apply to a ramdisk module (put it on its kernel's line)");
	parse_bad("/i type=ramdisk dom0", "'dom0' does not apply to a ramdisk");
	parse_bad("/i type=ramdisk cpus.0=1", "'cpus.0' does not apply to a ramdisk");
	parse_bad("type=initrd", "type=initrd: unknown module type (use kernel or ramdisk)");
}

static void test_duplicates_and_unknown_words(void **state)
{
	parse_bad("mem=64M vcpus=1 mem=32M", "mem=32M: 'mem' given twice (give each key once)");
	parse_bad("dom0 dom0=no", "'dom0' given twice");
	parse_bad("/k colour=blue", "colour=blue: unknown key 'colour' (known: name mem");
	parse_bad("/k console=hvc0", "unknown key 'console'");
	parse_bad("/k quiet", "quiet: not a key=value word (guest options go after --)");
	parse_bad("/k --quiet", "--quiet: not a key=value word");
	parse_bad("/k name=a=b", "bad character '='");
}

static void test_guest_cmdline(void **state)
{
	char line[1200];

	parse_ok("/k --");
	assert_string_equal(cfg.cmdline, "");
	parse_ok("--   earlyprintk=xen\tdebug  ");
	assert_string_equal(cfg.cmdline, "earlyprintk=xen\tdebug");
	assert_string_equal(cfg.path, "");
	parse_ok("/k -- mem=1G dom0 -- x"); /* keys after -- are the guest's */
	assert_int_equal(cfg.mem_bytes, 32ULL << 20);
	assert_false(cfg.dom0);
	assert_string_equal(cfg.cmdline, "mem=1G dom0 -- x");

	memset(line, 'a', sizeof(line));
	memcpy(line, "/k -- ", 6);
	line[6 + 1023] = '\0';
	parse_ok(line);
	assert_int_equal(strlen(cfg.cmdline), 1023);
	line[6 + 1023] = 'a';
	line[6 + 1024] = '\0';
	parse_bad(line, "--: command line after -- is 1024 characters (at most 1023)");
	/* Checks after the whole line still apply when it ends with --. */
	parse_bad("vcpus=1 cpus.3=1 -- x", "vCPU 3 does not exist");
}

static void test_error_buffer_edges(void **state)
{
	char small[8];
	char huge_word[300];

	memset(small, 'x', sizeof(small));
	assert_int_equal(domcfg_parse("mem=12Q", &cfg, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "mem=12Q");
	assert_int_equal(domcfg_parse("mem=12Q", &cfg, NULL, 0), -EINVAL);
	assert_int_equal(domcfg_parse("mem=12Q", &cfg, small, 0), -EINVAL);
	/* A hostile word is quoted only in part. */
	memset(huge_word, 'z', sizeof(huge_word));
	memcpy(huge_word, "/k zz=", 6);
	huge_word[sizeof(huge_word) - 1] = '\0';
	parse_bad(huge_word, "unknown key");
	assert_true(strlen(err) < sizeof(err));
	/* A good parse clears a stale message. */
	parse_ok("mem=2M");
}

/* ---- domcfg_group_modules ---- */

static struct boot_info bi;
static struct domain_config cfgs[4];

static void add_module(const char *cmdline)
{
	struct boot_module *m = &bi.modules[bi.nr_modules];

	m->start = 0x1000000 + bi.nr_modules * 0x100000ULL;
	m->end = m->start + 0x8000;
	strlcpy(m->cmdline, cmdline, sizeof(m->cmdline));
	bi.nr_modules++;
}

static int group(unsigned int max, unsigned int *skipped)
{
	return domcfg_group_modules(&bi, cfgs, max, skipped);
}

static int reset_group(void **state)
{
	memset(&bi, 0, sizeof(bi));
	memset(cfgs, 0, sizeof(cfgs));
	shim_printk_reset();
	return 0;
}

static void test_group_kernel_and_ramdisk(void **state)
{
	unsigned int skipped = 99;

	add_module("/boot/dom0.elf dom0 mem=256M -- console=hvc0");
	add_module("/boot/initrd.img type=ramdisk -- first");
	add_module("/boot/extra.cpio type=ramdisk");
	add_module("/boot/guest.elf name=web vcpus=2");
	add_module("/boot/web.img type=ramdisk");
	assert_int_equal(group(4, &skipped), 2);
	assert_int_equal(skipped, 0);
	assert_true(cfgs[0].dom0);
	assert_string_equal(cfgs[0].name, "dom0");
	assert_int_equal(cfgs[0].module, 0);
	assert_int_equal(cfgs[0].kernel_start, bi.modules[0].start);
	assert_int_equal(cfgs[0].kernel_end, bi.modules[0].end);
	assert_string_equal(cfgs[0].cmdline, "console=hvc0");
	assert_int_equal(cfgs[0].nr_ramdisks, 2);
	assert_int_equal(cfgs[0].ramdisks[0].module, 1);
	assert_int_equal(cfgs[0].ramdisks[0].start, bi.modules[1].start);
	assert_string_equal(cfgs[0].ramdisks[0].cmdline, "first");
	assert_int_equal(cfgs[0].ramdisks[1].module, 2);
	assert_string_equal(cfgs[1].name, "web");
	assert_int_equal(cfgs[1].module, 3);
	assert_int_equal(cfgs[1].nr_ramdisks, 1);
	assert_int_equal(cfgs[1].ramdisks[0].module, 4);
	assert_true(shim_printk_contains("domcfg: domain dom0 (dom0): module 0, 256 MiB"));
}

static void test_group_stray_ramdisk_first(void **state)
{
	unsigned int skipped;

	add_module("/boot/initrd.img type=ramdisk");
	add_module("/boot/guest.elf");
	assert_int_equal(group(4, &skipped), 1);
	assert_int_equal(skipped, 1);
	assert_int_equal(cfgs[0].nr_ramdisks, 0);
	assert_string_equal(cfgs[0].name, "guest1");
	assert_true(shim_printk_contains("domcfg: module 0 (/boot/initrd.img): type=ramdisk: no "
					 "kernel module before it"));
	assert_true(shim_printk_contains("dom0-less"));
}

static void test_group_two_dom0(void **state)
{
	unsigned int skipped;

	add_module("/a.elf dom0");
	add_module("/b.elf dom0");
	add_module("/b.img type=ramdisk");
	add_module("/c.elf");
	assert_int_equal(group(4, &skipped), 2);
	assert_int_equal(skipped, 2); /* the second dom0 and its ramdisk */
	assert_true(cfgs[0].dom0);
	assert_string_equal(cfgs[1].name, "guest3");
	assert_false(cfgs[1].dom0);
	assert_true(shim_printk_contains(
	    "domcfg: module 1 (/b.elf): dom0: only the first kernel module may be dom0; skipped"));
	assert_true(shim_printk_contains("module 2 (/b.img): type=ramdisk: its kernel module was "
					 "skipped"));
}

static void test_group_dom0_not_first(void **state)
{
	unsigned int skipped;

	add_module("/a.elf mem=12Q"); /* bad, but still the first kernel */
	add_module("/b.elf dom0");
	assert_int_equal(group(4, &skipped), 0);
	assert_int_equal(skipped, 2);
	assert_true(shim_printk_contains("module 0 (/a.elf): mem=12Q: unknown size suffix 'Q'"));
	assert_true(shim_printk_contains("module 1 (/b.elf): dom0: only the first"));
}

static void test_group_bad_module_skipped_rest_start(void **state)
{
	unsigned int skipped;

	add_module("/a.elf name=a");
	add_module("/a.img type=ramdisk");
	add_module("/bad.elf vcpus=99");
	add_module("/bad.img type=ramdisk");
	add_module("/oops.img type=ramdisk mem=1G"); /* a bad ramdisk line */
	add_module("/c.elf name=c");
	add_module("/c.img type=ramdisk");
	add_module("/c2.img type=ramdisk mem=1G"); /* bad, but says ramdisk: c keeps the next */
	add_module("/c3.img type=ramdisk");
	assert_int_equal(group(4, &skipped), 2);
	assert_int_equal(skipped, 4);
	assert_string_equal(cfgs[0].name, "a");
	assert_int_equal(cfgs[0].nr_ramdisks, 1);
	assert_string_equal(cfgs[1].name, "c");
	assert_int_equal(cfgs[1].nr_ramdisks, 2);
	assert_int_equal(cfgs[1].ramdisks[1].module, 8);
	assert_true(shim_printk_contains("module 2 (/bad.elf): vcpus=99: out of range"));
	assert_true(shim_printk_contains("module 3 (/bad.img): type=ramdisk: its kernel module"));
	assert_true(shim_printk_contains("module 4 (/oops.img): mem=1G: 'mem' does not apply"));
}

static void test_group_names_limits_and_empty(void **state)
{
	unsigned int skipped, i;

	add_module("/a.elf name=x");
	add_module("/b.elf name=x");
	add_module("/c.elf");
	bi.modules[2].end = bi.modules[2].start; /* empty */
	add_module("/d.elf");
	for (i = 0; i < DOMCFG_MAX_RAMDISKS + 1; i++)
		add_module("/r type=ramdisk");
	add_module("/e.elf");
	assert_int_equal(group(2, &skipped), 2);
	assert_int_equal(skipped, 4);
	assert_string_equal(cfgs[0].name, "x");
	assert_string_equal(cfgs[1].name, "guest3");
	assert_int_equal(cfgs[1].nr_ramdisks, DOMCFG_MAX_RAMDISKS);
	assert_true(shim_printk_contains("module 1 (/b.elf): name=x: another domain already has"));
	assert_true(shim_printk_contains("module 2 (/c.elf): the module is empty"));
	assert_true(shim_printk_contains("module 8 (/r): domain guest3 already has 4 ramdisks"));
	assert_true(shim_printk_contains("module 9 (/e.elf): too many domains (at most 2)"));
}

static void test_group_hostile_boot_info(void **state)
{
	unsigned int skipped;

	/* A module line filling its buffer with no NUL, and a module count past the array. */
	add_module("/k");
	memset(bi.modules[0].cmdline, 'a', sizeof(bi.modules[0].cmdline));
	bi.nr_modules = 1000;
	assert_int_equal(group(4, &skipped), 1);
	assert_int_equal(strlen(cfgs[0].path), DOMCFG_PATH_MAX - 1);
	assert_int_equal(skipped, BOOT_MAX_MODULES - 1); /* the zeroed ones are empty */
	assert_true(shim_printk_contains("only the first 16"));
	assert_int_equal(domcfg_group_modules(NULL, cfgs, 4, &skipped), -EINVAL);
	assert_int_equal(domcfg_group_modules(&bi, NULL, 4, NULL), -EINVAL);
	bi.nr_modules = 0;
	assert_int_equal(domcfg_group_modules(&bi, cfgs, 0, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_full_line),
	    cmocka_unit_test(test_mem_sizes),
	    cmocka_unit_test(test_mem_errors),
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_cpu_lists),
	    cmocka_unit_test(test_per_vcpu_pinning),
	    cmocka_unit_test(test_pool_and_reservation),
	    cmocka_unit_test(test_actions),
	    cmocka_unit_test(test_dom0_flag),
	    cmocka_unit_test(test_ramdisk_lines),
	    cmocka_unit_test(test_duplicates_and_unknown_words),
	    cmocka_unit_test(test_guest_cmdline),
	    cmocka_unit_test(test_error_buffer_edges),
	    cmocka_unit_test_setup(test_group_kernel_and_ramdisk, reset_group),
	    cmocka_unit_test_setup(test_group_stray_ramdisk_first, reset_group),
	    cmocka_unit_test_setup(test_group_two_dom0, reset_group),
	    cmocka_unit_test_setup(test_group_dom0_not_first, reset_group),
	    cmocka_unit_test_setup(test_group_bad_module_skipped_rest_start, reset_group),
	    cmocka_unit_test_setup(test_group_names_limits_and_empty, reset_group),
	    cmocka_unit_test_setup(test_group_hostile_boot_info, reset_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
