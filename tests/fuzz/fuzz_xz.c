/* libFuzzer target for common/loader/decompress/xz.c and lzma2.c: any .xz input, the contract. */
#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <stdlib.h>

#define OUT_MAX 16384

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* Work memory of exactly the promised size: ASan's redzones around it catch any access past it. */
static _Alignas(16) u8 work[DECOMPRESS_WORK_SIZE];

/* An exact-size heap buffer for the output, for the same reason. */
static int run(const u8 *in, size_t len, size_t out_max, u8 **out, struct decompress_result *res)
{
	int rc;

	*out = malloc(out_max ? out_max : 1);
	if (!*out)
		abort();
	rc = decompress_xz(in, len, *out, out_max, work, res);
	if (rc != 0 && rc != -EINVAL && rc != -ENODATA && rc != -E2BIG)
		abort();
	if ((rc == 0) != (res->why == NULL))
		abort();
	if (res->out_len > out_max || res->in_used > len)
		abort();
	return rc;
}

/* The first two bytes choose out_max (up to 16 KiB); the rest is the .xz input, copied exactly. */
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct decompress_result res, res2;
	size_t out_max, len;
	u8 *in, *out, *again;
	int rc;

	if (size < 2)
		return 0;
	out_max = (data[0] | (size_t)data[1] << 8) % (OUT_MAX + 1);
	len = size - 2;
	in = malloc(len ? len : 1);
	memcpy(in, data + 2, len);
	rc = run(in, len, out_max, &out, &res);
	/* Deterministic: the same input gives the same answer. */
	if (run(in, len, out_max, &again, &res2) != rc || res2.out_len != res.out_len ||
	    memcmp(out, again, res.out_len) != 0)
		abort();
	free(again);
	if (rc == 0) {
		/* Exactly out_len bytes of room is enough; one fewer is -E2BIG. */
		if (run(in, len, res.out_len, &again, &res2) != 0 ||
		    memcmp(out, again, res.out_len) != 0)
			abort();
		free(again);
		if (res.out_len && run(in, len, res.out_len - 1, &again, &res2) != -E2BIG)
			abort();
		if (res.out_len)
			free(again);
		/* Only the bytes the stream took are needed. */
		if (run(in, res.in_used, out_max, &again, &res2) != 0)
			abort();
		free(again);
	}
	free(out);
	free(in);
	return 0;
}
