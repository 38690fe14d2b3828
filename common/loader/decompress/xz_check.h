/* Integrity checks of .xz blocks (CRC32, CRC64, SHA-256), for xz.c; tables live in work memory. */
#ifndef KEEL_DECOMPRESS_XZ_CHECK_H
#define KEEL_DECOMPRESS_XZ_CHECK_H

#include <keel/types.h>

#define SHA256_DIGEST_LEN 32

/*
 * Lookup tables, CRC32 eight bytes a step and CRC64 four, built the first time a long enough
 * buffer needs them (short ones, such as headers, go four bits a step through a small table).
 */
struct xz_check_tables {
	u32 crc32[8][256];
	u64 crc64[4][256];
	bool crc32_ready, crc64_ready;
};

/* Forget the tables (work memory is the caller's between calls). */
void xz_check_init(struct xz_check_tables *t);
/* CRC-32 (IEEE, as in gzip) and CRC-64 (ECMA-182) of @len bytes, as .xz stores them. */
u32 xz_crc32(struct xz_check_tables *t, const u8 *buf, size_t len);
u64 xz_crc64(struct xz_check_tables *t, const u8 *buf, size_t len);
/* SHA-256 (FIPS 180-4) of @len bytes. */
void xz_sha256(const u8 *buf, size_t len, u8 digest[SHA256_DIGEST_LEN]);

#endif
