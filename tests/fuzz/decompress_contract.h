/* The one call each decompressor fuzzer gives tests/fuzz/decompress_contract.c. */
#ifndef FUZZ_DECOMPRESS_CONTRACT_H
#define FUZZ_DECOMPRESS_CONTRACT_H

#include <keel/decompress.h>

/* Decode @in into @out (room for @out_max bytes) with the decompressor under test. */
int fuzz_decode(const u8 *in, size_t len, u8 *out, size_t out_max, struct decompress_result *res);

#endif
