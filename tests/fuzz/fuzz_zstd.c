/* libFuzzer target for the zstd decompressor: decompress_contract.c's checks on decompress_zstd(). */
#include <keel/decompress.h>
#include <stdlib.h>

#include "decompress_contract.h"

int fuzz_decode(const u8 *in, size_t len, u8 *out, size_t out_max, struct decompress_result *res)
{
	/* An exact-size heap work area each time: ASan sees any access beyond it. */
	void *work = aligned_alloc(16, DECOMPRESS_WORK_SIZE);
	int rc;

	if (!work)
		abort();
	rc = decompress_zstd(in, len, out, out_max, work, res);
	free(work);
	return rc;
}
