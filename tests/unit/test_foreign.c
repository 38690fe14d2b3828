/* Unit tests for foreign maps (common/mm/foreign_map.c): validation, pins and the owner's refs. */
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/foreign_map.h>
#include <keel/grant_table.h>
#include <keel/mm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_grant.h"

#define A	1	   /* the owner */
#define B	2	   /* the mapper */
#define MAP_GFN 0x40000ULL /* 1 GiB: outside B's 1 MiB of RAM */

static struct domain doms[SHIM_GRANT_DOMAINS + 1];
static u64 free_before;

/* domain_for_each() (foreign_frame_mapped's search) walks the shim's domains. */
struct domain *domain_get_next(int after)
{
	for (int id = after + 1; id <= SHIM_GRANT_DOMAINS; id++)
		if (id >= 1 && shim_grant_dom[id])
			return domain_get((u16)id);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	free_before = shim_grant_domains_up(doms);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	foreign_release_maps(&doms[B]);
	for (u16 id = 1; id <= SHIM_GRANT_DOMAINS; id++)
		assert_int_equal(doms[id].refs, 0);
	shim_grant_domains_down(doms, free_before);
	return 0;
}

static bool in_use(struct domain *d, paddr_t hpa, u64 size)
{
	return foreign_frame_mapped(d, hpa, size);
}

static int balloon_out(u16 dom, u64 gfn)
{
	int rc;

	grant_pins_lock(&doms[dom]);
	rc = domain_ram_release(&doms[dom], gfn << 12, 0, in_use);
	grant_pins_unlock(&doms[dom]);
	return rc;
}

static void test_validation(void **state)
{
	(void)state;
	assert_int_equal(foreign_map(&doms[B], MAP_GFN, &doms[B], 5), -EINVAL); /* itself */
	assert_int_equal(foreign_map(&doms[B], 0, &doms[A], 5), -EINVAL);
	assert_int_equal(foreign_map(&doms[B], 10, &doms[A], 5), -EINVAL);	/* B's own RAM */
	assert_int_equal(foreign_map(&doms[B], 0xF0000, &doms[A], 5), -EINVAL); /* device window */
	assert_int_equal(foreign_map(&doms[B], 1ULL << 34, &doms[A], 5), -EINVAL);
	assert_int_equal(foreign_map(&doms[B], MAP_GFN, &doms[A], 1ULL << 34), -EINVAL);
	assert_int_equal(foreign_map(&doms[B], MAP_GFN, &doms[A], 4096), -EFAULT); /* not RAM */
	assert_int_equal(doms[A].refs, 0);
	assert_int_equal(foreign_unmap(&doms[B], MAP_GFN), -ENOENT);
}

static void test_map_pins_and_refs(void **state)
{
	paddr_t want, got;

	(void)state;
	assert_int_equal(arch_gpa_to_hpa(&doms[A], 5 << 12, true, &want), 0);
	assert_int_equal(foreign_map(&doms[B], MAP_GFN, &doms[A], 5), 0);
	assert_int_equal(arch_gpa_to_hpa(&doms[B], MAP_GFN << 12, true, &got), 0);
	assert_int_equal(got, want);
	assert_int_equal(doms[A].refs, 1);
	assert_int_equal(foreign_map(&doms[B], MAP_GFN, &doms[A], 6), -EBUSY); /* taken */
	assert_int_equal(doms[A].refs, 1);
	assert_int_equal(balloon_out(A, 5), -EBUSY); /* pinned */
	assert_int_equal(balloon_out(A, 6), 0);	     /* a frame nobody maps */
	assert_int_equal(foreign_map(&doms[B], MAP_GFN + 1, &doms[A], 6), -EFAULT); /* gone */
	assert_int_equal(foreign_unmap(&doms[B], MAP_GFN), 0);
	assert_int_equal(doms[A].refs, 0);
	assert_int_equal(arch_gpa_to_hpa(&doms[B], MAP_GFN << 12, false, &got), -EFAULT);
	assert_int_equal(foreign_unmap(&doms[B], MAP_GFN), -ENOENT);
	assert_int_equal(balloon_out(A, 5), 0); /* free to go now */
}

/* The owner "destroyed" while mapped keeps its reference held until the mapper lets go. */
static void test_lifetime(void **state)
{
	(void)state;
	for (u64 i = 0; i < 100; i++)
		assert_int_equal(foreign_map(&doms[B], MAP_GFN + i, &doms[A], 16 + i), 0);
	assert_int_equal(doms[A].refs, 100);
	assert_int_equal(doms[A].foreign.pinned, 100);
	foreign_release_maps(&doms[B]); /* the mapper is destroyed */
	assert_int_equal(doms[A].refs, 0);
	assert_int_equal(doms[A].foreign.pinned, 0);
	assert_true(foreign_maps_released(&doms[B]));
	assert_int_equal(foreign_map(&doms[B], MAP_GFN, &doms[A], 5), -ESRCH); /* no new ones */
	assert_int_equal(doms[A].refs, 0);
}

static void test_unflushed(void **state)
{
	(void)state;
	assert_int_equal(foreign_map(&doms[B], MAP_GFN, &doms[A], 7), 0);
	shim_grant_unmap_rc = -ETIMEDOUT;
	assert_int_equal(foreign_unmap(&doms[B], MAP_GFN), 0);
	shim_grant_unmap_rc = 0;
	assert_int_equal(doms[A].refs, 1);	     /* kept: a CPU may still reach the frame */
	assert_int_equal(balloon_out(A, 7), -EBUSY); /* still pinned */
	assert_int_equal(foreign_unmap(&doms[B], MAP_GFN), -ENOENT);
	foreign_release_maps(&doms[B]);
	assert_int_equal(doms[A].refs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_pins_and_refs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lifetime, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unflushed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
