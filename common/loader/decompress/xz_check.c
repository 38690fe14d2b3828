/* The .xz block checks: CRC32 and CRC64 (table-driven for long data), a one-shot SHA-256. */
#include <keel/string.h>
#include <keel/types.h>

#include "xz_check.h"

#define CRC32_POLY 0xedb88320u		 /* IEEE 802.3, reflected */
#define CRC64_POLY 0xc96c5795d7870f42ull /* ECMA-182, reflected */

static u32 get_le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

#define CRC_TABLES_FROM 1024 /* bytes: below this, building the tables costs more */

/* CRC32 of the 16 values of a nibble, for short buffers. */
static const u32 crc32_nibble[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c};

void xz_check_init(struct xz_check_tables *t)
{
	t->crc32_ready = false;
	t->crc64_ready = false;
}

/* Table 0 by bits; table k is the CRC of byte i followed by k zero bytes. */
static void crc32_tables(struct xz_check_tables *t)
{
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		u32 c = i;

		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32_POLY & (0u - (c & 1)));
		t->crc32[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			t->crc32[k][i] =
			    (t->crc32[k - 1][i] >> 8) ^ t->crc32[0][t->crc32[k - 1][i] & 0xff];
	t->crc32_ready = true;
}

static void crc64_tables(struct xz_check_tables *t)
{
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		u64 c = i;

		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC64_POLY & (0ull - (c & 1)));
		t->crc64[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 4; k++)
			t->crc64[k][i] =
			    (t->crc64[k - 1][i] >> 8) ^ t->crc64[0][t->crc64[k - 1][i] & 0xff];
	t->crc64_ready = true;
}

u32 xz_crc32(struct xz_check_tables *t, const u8 *buf, size_t len)
{
	u32 crc = 0xffffffffu;

	if (len < CRC_TABLES_FROM && !t->crc32_ready) {
		for (; len; buf++, len--) {
			crc ^= *buf;
			crc = crc32_nibble[crc & 0xf] ^ (crc >> 4);
			crc = crc32_nibble[crc & 0xf] ^ (crc >> 4);
		}
		return ~crc;
	}
	if (!t->crc32_ready)
		crc32_tables(t);
	for (; len >= 8; buf += 8, len -= 8) {
		u32 a = crc ^ get_le32(buf), b = get_le32(buf + 4);

		crc = t->crc32[7][a & 0xff] ^ t->crc32[6][(a >> 8) & 0xff] ^
		      t->crc32[5][(a >> 16) & 0xff] ^ t->crc32[4][a >> 24] ^ t->crc32[3][b & 0xff] ^
		      t->crc32[2][(b >> 8) & 0xff] ^ t->crc32[1][(b >> 16) & 0xff] ^
		      t->crc32[0][b >> 24];
	}
	for (; len; buf++, len--)
		crc = t->crc32[0][(crc ^ *buf) & 0xff] ^ (crc >> 8);
	return ~crc;
}

u64 xz_crc64(struct xz_check_tables *t, const u8 *buf, size_t len)
{
	u64 crc = ~0ull;

	if (len < CRC_TABLES_FROM && !t->crc64_ready) {
		for (; len; buf++, len--) {
			crc ^= *buf;
			for (unsigned int k = 0; k < 8; k++)
				crc = (crc >> 1) ^ (CRC64_POLY & (0ull - (crc & 1)));
		}
		return ~crc;
	}
	if (!t->crc64_ready)
		crc64_tables(t);
	for (; len >= 4; buf += 4, len -= 4) {
		u32 a = (u32)crc ^ get_le32(buf);

		crc = t->crc64[3][a & 0xff] ^ t->crc64[2][(a >> 8) & 0xff] ^
		      t->crc64[1][(a >> 16) & 0xff] ^ t->crc64[0][a >> 24] ^ (crc >> 32);
	}
	for (; len; buf++, len--)
		crc = t->crc64[0][(crc ^ *buf) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* SHA-256 round constants and initial hash value (FIPS 180-4, 4.2.2 and 5.3.3). */
static const u32 sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
static const u32 sha256_h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static inline u32 ror32(u32 x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* One 64-byte block into @h; the message schedule is kept as a 16-word ring (small stack). */
static void sha256_block(u32 h[8], const u8 *blk)
{
	u32 w[16], v[8];
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = get_be32(blk + (size_t)4 * i);
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		u32 t1, t2;

		if (i >= 16) {
			u32 w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
			u32 s0 = ror32(w15, 7) ^ ror32(w15, 18) ^ (w15 >> 3);
			u32 s1 = ror32(w2, 17) ^ ror32(w2, 19) ^ (w2 >> 10);

			w[i & 15] += s0 + w[(i - 7) & 15] + s1;
		}
		t1 = v[7] + (ror32(v[4], 6) ^ ror32(v[4], 11) ^ ror32(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha256_k[i] + w[i & 15];
		t2 = (ror32(v[0], 2) ^ ror32(v[0], 13) ^ ror32(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		for (unsigned int j = 7; j > 0; j--)
			v[j] = v[j - 1];
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

void xz_sha256(const u8 *buf, size_t len, u8 digest[SHA256_DIGEST_LEN])
{
	u64 bits = (u64)len * 8;
	u8 last[64];
	u32 h[8];
	size_t rest;
	unsigned int i;

	memcpy(h, sha256_h0, sizeof(h));
	for (; len >= 64; buf += 64, len -= 64)
		sha256_block(h, buf);
	/* The tail, a one bit, zeros, then the length in bits: one block or two. */
	rest = len;
	memset(last, 0, sizeof(last));
	memcpy(last, buf, rest);
	last[rest] = 0x80;
	if (rest >= 56) {
		sha256_block(h, last);
		memset(last, 0, sizeof(last));
	}
	for (i = 0; i < 8; i++)
		last[63 - i] = (u8)(bits >> (8 * i));
	sha256_block(h, last);
	for (i = 0; i < 8; i++) {
		digest[(size_t)4 * i] = (u8)(h[i] >> 24);
		digest[(size_t)4 * i + 1] = (u8)(h[i] >> 16);
		digest[(size_t)4 * i + 2] = (u8)(h[i] >> 8);
		digest[(size_t)4 * i + 3] = (u8)h[i];
	}
}
