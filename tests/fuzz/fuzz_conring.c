/* libFuzzer target for common/console_ring_io.c: any page contents and request sizes. */
#include <keel/console_ring.h>
#include <keel/errno.h>
#include <public/console.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	/* Exactly the structure's size on the heap: ASan sees any access past it. */
	struct xencons_interface *r = malloc(sizeof(*r));
	char out[XENCONS_OUT_SIZE + 1];
	size_t max, len;
	u32 before;
	int n;

	if (!r || size < 2) {
		free(r);
		return 0;
	}
	max = (size_t)data[0] * 9; /* up to 2295: more than the ring */
	len = (size_t)data[1] * 5;
	memset(r, 0, sizeof(*r));
	memcpy(r, data + 2, size - 2 < sizeof(*r) ? size - 2 : sizeof(*r));
	if (max > sizeof(out))
		max = sizeof(out);
	before = r->out_cons;
	n = xencons_take_output(r, out, max);
	if (n == -EIO ? r->out_cons != r->out_prod
		      : (n < 0 || (size_t)n > max || r->out_cons != before + (u32)n))
		abort();
	before = r->in_prod;
	n = xencons_put_input(r, (const char *)data, len < size ? len : size);
	if (n == -EIO ? r->in_prod != r->in_cons
		      : (n < 0 || r->in_prod != before + (u32)n ||
			 r->in_prod - r->in_cons > XENCONS_IN_SIZE))
		abort();
	free(r);
	return 0;
}
