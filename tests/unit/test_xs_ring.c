/* test_xs_ring.c: keel-xenstored's ring byte queues: wraparound, full rings, hostile indices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/xenstored/ring.h"

static void test_read_wraps(void **state)
{
	static struct xs_ring_page page;
	char buf[64];

	memset(&page, 0, sizeof(page));
	page.req_cons = page.req_prod =
	    0xfffffffeu - 1; /* indices about to wrap u32 and the ring */
	for (int i = 0; i < 6; i++)
		page.req[(page.req_prod + (uint32_t)i) & (XS_RING_SIZE - 1)] = (char)('a' + i);
	page.req_prod += 6;
	assert_int_equal(xs_ring_read_requests(&page, buf, 4), 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(xs_ring_read_requests(&page, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "ef", 2);
	assert_int_equal(xs_ring_read_requests(&page, buf, sizeof(buf)), 0);
	assert_int_equal(page.req_cons, page.req_prod);
}

static void test_write_fills(void **state)
{
	static struct xs_ring_page page;
	static char big[XS_RING_SIZE + 100];

	memset(&page, 0, sizeof(page));
	memset(big, 'x', sizeof(big));
	page.rsp_cons = page.rsp_prod = 1000;
	assert_int_equal(xs_ring_write_replies(&page, big, sizeof(big)), XS_RING_SIZE);
	assert_int_equal(xs_ring_write_replies(&page, big, 1), 0);
	page.rsp_cons += 10;
	assert_int_equal(xs_ring_write_replies(&page, "0123456789AB", 12), 10);
	assert_int_equal(page.rsp[(1000 + XS_RING_SIZE) & (XS_RING_SIZE - 1)], '0');
	assert_int_equal(page.rsp_prod - page.rsp_cons, XS_RING_SIZE);
}

static void test_hostile_indices(void **state)
{
	static struct xs_ring_page page;
	char buf[16];

	memset(&page, 0, sizeof(page));
	page.req_prod = XS_RING_SIZE + 1;
	assert_int_equal(xs_ring_read_requests(&page, buf, sizeof(buf)), -1);
	assert_int_equal(page.req_cons, 0);
	page.rsp_cons = 5; /* consumer ahead of producer */
	assert_int_equal(xs_ring_write_replies(&page, "x", 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_wraps),
	    cmocka_unit_test(test_write_fills),
	    cmocka_unit_test(test_hostile_indices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
