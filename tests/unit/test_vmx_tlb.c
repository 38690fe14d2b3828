/* Unit tests for VPID allocation and recycling (arch/x86/vmx/vmx_tlb.c). */
#include <asm/vmx_internal.h>
#include <keel/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* The suite runs in order; the allocator is global state. */
static u16 ids[65536];

static bool stale_everywhere(u64 *epoch)
{
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (!vmx_tlb_stale(c, epoch))
			return false;
	return true;
}

/* Every tag 1..65535 once, never 0 (the host's), then -ENOSPC. */
static void test_all_tags_then_full(void **state)
{
	static bool seen[65536];
	u16 v;

	(void)state;
	for (unsigned int i = 1; i < 65536; i++) {
		assert_int_equal(vpid_alloc(&ids[i]), 0);
		assert_int_not_equal(ids[i], 0);
		assert_false(seen[ids[i]]);
		seen[ids[i]] = true;
	}
	assert_int_equal(vpid_alloc(&v), -ENOSPC);
}

/* A freed tag comes back, and only after the epoch told every CPU to flush. */
static void test_freed_tag_is_reused_after_a_flush_request(void **state)
{
	u64 before, after;
	u16 v;

	(void)state;
	vmx_tlb_stale(0, &before);
	vpid_free(777);
	assert_true(stale_everywhere(&after));
	assert_true(after > before);
	assert_int_equal(vpid_alloc(&v), 0);
	assert_int_equal(v, 777);
	assert_int_equal(vpid_alloc(&v), -ENOSPC);
	vpid_free(0); /* the host's tag is never handed out, nor freed */
	assert_int_equal(vpid_alloc(&v), -ENOSPC);
}

/* vCPUs come and go far more often than there are tags (the old counter stopped at 65534). */
static void test_recycling_never_runs_out(void **state)
{
	(void)state;
	for (unsigned int i = 1; i < 65536; i++)
		vpid_free(ids[i]);
	for (unsigned int round = 0; round < 200000; round++) {
		u16 a, b;

		assert_int_equal(vpid_alloc(&a), 0);
		assert_int_equal(vpid_alloc(&b), 0);
		assert_int_not_equal(a, b);
		vpid_free(a);
		vpid_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_tags_then_full),
	    cmocka_unit_test(test_freed_tag_is_reused_after_a_flush_request),
	    cmocka_unit_test(test_recycling_never_runs_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
