/* libFuzzer harness shared by the decompressor fuzzers: arbitrary input, small buffers, the contract. */
#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <stdlib.h>

#include "decompress_contract.h"

#define OUT_MAX 8192
#define GUARD	64

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* One decode: only the documented results, the counts within bounds, nothing past out_max. */
static int run(const u8 *in, size_t len, size_t out_max, u8 *out, struct decompress_result *res)
{
	int rc;

	memset(out, 0xa5, out_max + GUARD);
	rc = fuzz_decode(in, len, out, out_max, res);
	if (rc != 0 && rc != -EINVAL && rc != -ENODATA && rc != -E2BIG)
		abort();
	if ((rc == 0) != (res->why == NULL))
		abort();
	if (res->out_len > out_max || res->in_used > len)
		abort();
	for (size_t i = out_max; i < out_max + GUARD; i++)
		if (out[i] != 0xa5)
			abort();
	return rc;
}

/* The first two bytes choose out_max (up to 8 KiB); the rest is the input, copied exactly. */
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 out[OUT_MAX + GUARD], again[OUT_MAX + GUARD];
	struct decompress_result res, res2;
	size_t out_max, len;
	u8 *in;
	int rc;

	if (size < 2)
		return 0;
	out_max = (data[0] | (size_t)data[1] << 8) % (OUT_MAX + 1);
	len = size - 2;
	in = malloc(len ? len : 1);
	memcpy(in, data + 2, len);
	rc = run(in, len, out_max, out, &res);
	/* Deterministic: the same input gives the same answer. */
	if (run(in, len, out_max, again, &res2) != rc || res2.out_len != res.out_len ||
	    memcmp(out, again, res.out_len) != 0)
		abort();
	if (rc == 0) {
		/* Exactly out_len bytes of room is enough; one fewer is -E2BIG. */
		if (run(in, len, res.out_len, again, &res2) != 0 ||
		    memcmp(out, again, res.out_len) != 0)
			abort();
		if (res.out_len && run(in, len, res.out_len - 1, again, &res2) != -E2BIG)
			abort();
		/* Only the bytes the stream took are needed. */
		if (run(in, res.in_used, out_max, again, &res2) != 0)
			abort();
	}
	free(in);
	return 0;
}
