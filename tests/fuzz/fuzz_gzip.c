/* libFuzzer target for the gzip/deflate decompressor: decompress_contract.c's checks on decompress_gzip(). */
#include <keel/decompress.h>

#include "decompress_contract.h"

int fuzz_decode(const u8 *in, size_t len, u8 *out, size_t out_max, struct decompress_result *res)
{
	return decompress_gzip(in, len, out, out_max, res);
}
