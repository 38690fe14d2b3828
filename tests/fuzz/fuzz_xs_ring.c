/* fuzz_xs_ring.c: keel-xenstored's ring queues under guest-chosen indices and contents. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../tools/xenstored/ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xs_ring_page page;
	static char buf[2 * XS_RING_SIZE];
	uint32_t before;
	size_t want;
	long n;

	if (size < 18)
		return 0;
	memset(&page, 0, sizeof(page));
	memcpy(&page.req_cons, data, 16); /* the four indices, as a hostile guest left them */
	want = ((size_t)data[16] << 8 | data[17]) % sizeof(buf);
	before = page.req_cons;
	n = xs_ring_read_requests(&page, buf, want);
	/* Never more than asked, than produced, or than a ring holds; cons moves by exactly n. */
	if (n > (long)want || n > (long)XS_RING_SIZE || (n >= 0 && page.req_cons - before != n) ||
	    (n < 0 && page.req_cons != before))
		__builtin_trap();
	before = page.rsp_prod;
	n = xs_ring_write_replies(&page, data + 18, size - 18);
	if (n > (long)(size - 18) || (n >= 0 && page.rsp_prod - page.rsp_cons > XS_RING_SIZE) ||
	    (n >= 0 && page.rsp_prod - before != n))
		__builtin_trap();
	return 0;
}
