/* Unit tests for common/domain_shm_pair.c: which domains a shm= region joins, who is dropped. */
#include <keel/compiler.h>
#include <keel/domain_config.h>
#include <keel/domain_shm.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <public/hypercall.h>
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

static struct domain_config cfgs[8];
static unsigned int nr_cfgs;
static struct shm_region regions[DOMAIN_SHM_MAX_REGIONS];
static unsigned int nr_regions;

static int reset(void **state)
{
	(void)state;
	nr_cfgs = 0;
	nr_regions = 0;
	shim_printk_reset();
	return 0;
}

/* A domain @name with the module line's keys @keys (as domcfg_parse takes them). */
static void add(const char *name, const char *keys)
{
	char line[256], err[DOMCFG_ERR_MAX];

	snprintf(line, sizeof(line), "name=%s %s", name, keys);
	if (domcfg_parse(line, &cfgs[nr_cfgs], err, sizeof(err)))
		fail_msg("'%s' refused: %s", line, err);
	nr_cfgs++;
}

static unsigned int pair(void)
{
	return domain_shm_pair(cfgs, nr_cfgs, regions, ARRAY_SIZE(regions), &nr_regions);
}

static void test_two_domains_pair(void **state)
{
	add("a", "shm=ring:64K@0xe0000000:rw,ctl:4K@0xe0100000:ro");
	add("x", "");
	add("b", "shm=ctl:4K@0xd0000000:rw,ring:64K@0xf0000000:ro");
	assert_int_equal(pair(), 3);
	assert_int_equal(nr_regions, 2);
	assert_string_equal(regions[0].name, "ring");
	assert_int_equal(regions[0].size, 64 << 10);
	assert_ptr_equal(regions[0].side[0].cfg, &cfgs[0]);
	assert_ptr_equal(regions[0].side[1].cfg, &cfgs[2]);
	assert_true(regions[0].side[0].spec->writable);
	assert_false(regions[0].side[1].spec->writable);
	assert_true(regions[0].side[1].spec->gpa == 0xf0000000ULL);
	assert_int_equal(regions[0].side[0].domid, DOMID_INVALID);
	assert_int_equal(regions[0].side[1].port, 0);
	assert_string_equal(regions[1].name, "ctl");
	assert_true(regions[1].side[1].spec->gpa == 0xd0000000ULL);
	assert_null(regions[0].extents);
}

static void test_no_regions(void **state)
{
	add("a", "");
	add("b", "mem=8M");
	assert_int_equal(pair(), 2);
	assert_int_equal(nr_regions, 0);
	assert_int_equal(domain_shm_pair(cfgs, 0, regions, 4, &nr_regions), 0);
}

static void test_third_domain_skipped(void **state)
{
	add("a", "shm=ring:64K@0xe0000000:rw");
	add("b", "shm=ring:64K@0xe0000000:ro");
	add("intruder", "shm=ring:64K@0xe0000000:rw");
	add("d", "");
	assert_int_equal(pair(), 3);
	assert_true(shim_printk_contains(
	    "shm: region 'ring' is already shared by 'a' and 'b': 'intruder' may not map it (a "
	    "region joins two domains); 'intruder' skipped"));
	assert_string_equal(cfgs[2].name, "d"); /* the rest moved up, in order */
	assert_int_equal(nr_regions, 1);
	assert_ptr_equal(regions[0].side[0].cfg, &cfgs[0]);
	assert_ptr_equal(regions[0].side[1].cfg, &cfgs[1]);
}

static void test_size_mismatch_then_a_match(void **state)
{
	add("a", "shm=ring:64K@0xe0000000:rw");
	add("b", "shm=ring:128K@0xe0000000:rw");
	add("c", "shm=ring:64K@0xe0000000:ro");
	assert_int_equal(pair(), 2);
	assert_true(shim_printk_contains("shm: region 'ring' is 64 KiB on 'a' but 128 KiB on 'b' "
					 "(give both the same size); 'b' skipped"));
	assert_string_equal(regions[0].side[1].cfg->name, "c");
}

static void test_lonely_name(void **state)
{
	add("a", "shm=ring:64K@0xe0000000:rw,solo:4K@0xe0100000:rw");
	add("b", "shm=ring:64K@0xe0000000:rw");
	add("c", "");
	/* a goes for its lonely region; then b's ring has no partner left, so b goes too. */
	assert_int_equal(pair(), 1);
	assert_true(shim_printk_contains("shm: region 'solo' is named by 'a' alone (name it on its "
					 "peer's line too); 'a' skipped"));
	assert_true(shim_printk_contains("region 'ring' is named by 'b' alone"));
	assert_string_equal(cfgs[0].name, "c");
	assert_int_equal(nr_regions, 0);
}

static void test_many_regions_capped(void **state)
{
	char keys[200];

	/* 8 domains of 4 regions, paired 0-1, 2-3, ...: 16 regions, all kept. */
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int p = i / 2;

		snprintf(keys, sizeof(keys),
			 "shm=r%ua:4K@0xe0000000:rw,r%ub:4K@0xe0001000:rw,r%uc:4K@0xe0002000:rw,"
			 "r%ud:4K@0xe0003000:rw",
			 p, p, p, p);
		add(i % 2 ? "odd" : "even", keys);
		cfgs[nr_cfgs - 1].name[0] = (char)('a' + i);
	}
	assert_int_equal(pair(), 8);
	assert_int_equal(nr_regions, 16);
	/* A smaller array is filled to its size. */
	assert_int_equal(domain_shm_pair(cfgs, nr_cfgs, regions, 3, &nr_regions), 8);
	assert_int_equal(nr_regions, 3);
}

static void test_drop(void **state)
{
	add("a", "");
	add("b", "");
	add("c", "");
	assert_int_equal(domain_shm_drop(cfgs, 3, 0), 2);
	assert_string_equal(cfgs[0].name, "b");
	assert_string_equal(cfgs[1].name, "c");
	assert_int_equal(domain_shm_drop(cfgs, 2, 1), 1);
	assert_string_equal(cfgs[0].name, "b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_two_domains_pair, reset),
	    cmocka_unit_test_setup(test_no_regions, reset),
	    cmocka_unit_test_setup(test_third_domain_skipped, reset),
	    cmocka_unit_test_setup(test_size_mismatch_then_a_match, reset),
	    cmocka_unit_test_setup(test_lonely_name, reset),
	    cmocka_unit_test_setup(test_many_regions_capped, reset),
	    cmocka_unit_test_setup(test_drop, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
