/* libFuzzer target for common/loader/decompress/lz4.c: any input, as is or behind a legacy magic. */
#include <keel/decompress.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <stdlib.h>

#define OUT_MAX_CAP (1u << 20)

static void decompress_checked(const u8 *in, size_t in_len, size_t out_max)
{
	u8 *out = malloc(out_max ? out_max : 1); /* exact size: ASan sees any write past out_max */
	struct decompress_result res;
	int rc = decompress_lz4_legacy(in, in_len, out, out_max, &res);

	if (res.out_len > out_max || res.in_used > in_len)
		abort();
	if (rc != 0 && rc != -EINVAL && rc != -ENODATA && rc != -E2BIG)
		abort();
	if ((rc == 0) != (res.why == NULL))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 *in;
	size_t out_max;

	if (size < 2)
		return 0;
	/* The first two bytes choose out_max; the rest is the stream, raw then after a magic. */
	out_max = ((size_t)data[0] << 8 | data[1]) * 16 % OUT_MAX_CAP;
	data += 2;
	size -= 2;
	in = malloc(size + 4);
	memcpy(in, data, size);
	decompress_checked(in, size, out_max);
	in[0] = 0x02;
	in[1] = 0x21;
	in[2] = 0x4c;
	in[3] = 0x18;
	memcpy(in + 4, data, size);
	decompress_checked(in, size + 4, out_max);
	free(in);
	return 0;
}
