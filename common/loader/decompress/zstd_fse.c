/* Zstandard FSE tables: table descriptions, decoding-table construction, the predefined codes. */
#include <keel/errno.h>
#include <keel/types.h>

#include "zstd_internal.h"

/* Literals length codes 0..35 and match length codes 0..52 (RFC 8878 3.1.1.3.2.1.1). */
#define SAME(n)      \
	{            \
		n, 0 \
	}
#define SAME4(n)     SAME(n), SAME((n) + 1), SAME((n) + 2), SAME((n) + 3)
#define SAME16(n)    SAME4(n), SAME4((n) + 4), SAME4((n) + 8), SAME4((n) + 12)
#define ML_SAME4(n)  SAME((n) + 3), SAME((n) + 4), SAME((n) + 5), SAME((n) + 6)
#define ML_SAME16(n) ML_SAME4(n), ML_SAME4((n) + 4), ML_SAME4((n) + 8), ML_SAME4((n) + 12)
#define OF1(n)                 \
	{                      \
		1u << (n), (n) \
	}
#define OF4(n) OF1(n), OF1((n) + 1), OF1((n) + 2), OF1((n) + 3)

const struct zstd_code zstd_ll_codes[ZSTD_LL_MAX_SYM + 1] = {
    SAME16(0),	{16, 1},    {18, 1},	{20, 1},    {22, 1},	 {24, 2},     {28, 2},
    {32, 3},	{40, 3},    {48, 4},	{64, 6},    {128, 7},	 {256, 8},    {512, 9},
    {1024, 10}, {2048, 11}, {4096, 12}, {8192, 13}, {16384, 14}, {32768, 15}, {65536, 16}};

const struct zstd_code zstd_ml_codes[ZSTD_ML_MAX_SYM + 1] = {
    ML_SAME16(0), ML_SAME16(16), {35, 1},     {37, 1},	   {39, 1},    {41, 1},
    {43, 2},	  {47, 2},	 {51, 3},     {59, 3},	   {67, 4},    {83, 4},
    {99, 5},	  {131, 7},	 {259, 8},    {515, 9},	   {1027, 10}, {2051, 11},
    {4099, 12},	  {8195, 13},	 {16387, 14}, {32771, 15}, {65539, 16}};

const struct zstd_code zstd_of_codes[ZSTD_OF_MAX_SYM + 1] = {OF4(0),  OF4(4),  OF4(8),	OF4(12),
							     OF4(16), OF4(20), OF4(24), OF4(28)};

#define MASK1(n) ((1u << (n)) - 1)
#define MASK4(n) MASK1(n), MASK1((n) + 1), MASK1((n) + 2), MASK1((n) + 3)
const u32 zstd_low_mask[33] = {MASK4(0),  MASK4(4),  MASK4(8),	MASK4(12),  MASK4(16),
			       MASK4(20), MASK4(24), MASK4(28), 0xffffffffu};

/* Default distributions (RFC 8878 3.1.1.3.2.2). */
static const s16 ll_default[ZSTD_LL_MAX_SYM + 1] = {4, 3, 2, 2, 2, 2, 2, 2, 2,	2,  2,	2,
						    2, 1, 1, 1, 2, 2, 2, 2, 2,	2,  2,	2,
						    2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1};
static const s16 ml_default[ZSTD_ML_MAX_SYM + 1] = {
    1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	 1,  1,	 1,  1,	 1,  1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1};
static const s16 of_default[29] = {1, 1, 1, 1, 1, 1, 2, 2, 2, 1,  1,  1,  1,  1, 1,
				   1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1};

int zstd_fse_build(struct zstd_dec *d, unsigned int nsyms, unsigned int log,
		   const struct zstd_code *codes, struct zstd_fse_entry *table)
{
	u32 size = 1u << log, mask = size - 1, high = mask;
	u32 step = (size >> 1) + (size >> 3) + 3, pos = 0;
	u16 *next = d->fse_next;
	unsigned int s;

	/* "Less than 1" symbols take one cell each from the end; the symbol sits in base for now. */
	for (s = 0; s < nsyms; s++) {
		if (d->norm[s] == -1) {
			table[high--].base = s;
			next[s] = 1;
		} else {
			next[s] = (u16)d->norm[s];
		}
	}
	for (s = 0; s < nsyms; s++) {
		for (int i = 0; i < d->norm[s]; i++) {
			table[pos].base = s;
			do
				pos = (pos + step) & mask;
			while (pos > high);
		}
	}
	if (pos != 0)
		return zstd_fail(d, -EINVAL, "zstd: bad FSE distribution");
	for (u32 u = 0; u < size; u++) {
		unsigned int sym = table[u].base;
		u32 state = next[sym]++;
		unsigned int nbits = log - zstd_highbit32(state);

		table[u].nbits = (u8)nbits;
		table[u].next = (u16)((state << nbits) - size);
		table[u].base = codes ? codes[sym].base : sym;
		table[u].extra = codes ? codes[sym].extra : 0;
	}
	return 0;
}

/* Up to 57 bits of the forward little-endian bitstream @src[0..len) from bit @pos, zero-padded. */
static u64 forward_bits(const u8 *src, size_t len, size_t pos)
{
	size_t byte = pos >> 3;
	u64 v = 0;

	if (byte + 8 <= len) {
		v = zstd_le64(src + byte);
	} else {
		for (size_t i = 0; byte + i < len; i++)
			v |= (u64)src[byte + i] << (8 * i);
	}
	return v >> (pos & 7);
}

int zstd_fse_read_table(struct zstd_dec *d, const u8 *src, size_t len, unsigned int max_log,
			unsigned int max_sym, const struct zstd_code *codes,
			struct zstd_fse_entry *table, u8 *log)
{
	size_t pos = 4, bytes;
	unsigned int al, nbits, sym = 0;
	int remaining, threshold;
	int rc;

	if (len == 0)
		return zstd_fail(d, -EINVAL, "zstd: FSE table description truncated");
	al = (src[0] & 15) + 5;
	if (al > max_log)
		return zstd_fail(d, -EINVAL, "zstd: FSE accuracy log too large");
	remaining = (1 << al) + 1;
	threshold = 1 << al;
	nbits = al + 1;
	while (remaining > 1) {
		u64 v = forward_bits(src, len, pos);
		int max = 2 * threshold - 1 - remaining, val, prob;

		if (sym > max_sym)
			return zstd_fail(d, -EINVAL, "zstd: FSE table has too many symbols");
		if ((int)(v & (u64)(threshold - 1)) < max) {
			val = (int)(v & (u64)(threshold - 1));
			pos += nbits - 1;
		} else {
			val = (int)(v & (u64)(2 * threshold - 1));
			if (val >= threshold)
				val -= max;
			pos += nbits;
		}
		prob = val - 1;
		remaining -= prob < 0 ? -prob : prob;
		d->norm[sym++] = (s16)prob;
		if (prob == 0) {
			unsigned int repeat;

			/* 2-bit repeat flags: that many more zeros; 3 means another flag follows. */
			do {
				repeat = (unsigned int)forward_bits(src, len, pos) & 3;
				pos += 2;
				if (sym + repeat > max_sym + 1)
					return zstd_fail(d, -EINVAL,
							 "zstd: FSE table has too many symbols");
				for (unsigned int i = 0; i < repeat; i++)
					d->norm[sym++] = 0;
			} while (repeat == 3 && pos <= 8 * len);
		}
		if (pos > 8 * len)
			return zstd_fail(d, -EINVAL, "zstd: FSE table description truncated");
		while (remaining < threshold) {
			nbits--;
			threshold >>= 1;
		}
	}
	bytes = (pos + 7) >> 3;
	rc = zstd_fse_build(d, sym, al, codes, table);
	if (rc)
		return rc;
	*log = (u8)al;
	return (int)bytes;
}

void zstd_fse_predefined(struct zstd_dec *d, int which, struct zstd_fse_entry *table, u8 *log)
{
	const s16 *dist = which == ZSTD_TABLE_LL   ? ll_default
			  : which == ZSTD_TABLE_ML ? ml_default
						   : of_default;
	unsigned int n = which == ZSTD_TABLE_LL	  ? ARRAY_SIZE(ll_default)
			 : which == ZSTD_TABLE_ML ? ARRAY_SIZE(ml_default)
						  : ARRAY_SIZE(of_default);
	const struct zstd_code *codes = which == ZSTD_TABLE_LL	 ? zstd_ll_codes
					: which == ZSTD_TABLE_ML ? zstd_ml_codes
								 : zstd_of_codes;

	for (unsigned int i = 0; i < n; i++)
		d->norm[i] = dist[i];
	*log = which == ZSTD_TABLE_OF ? 5 : 6;
	/* The default distributions are well formed: building them cannot fail. */
	(void)zstd_fse_build(d, n, *log, codes, table);
}

void zstd_fse_rle(const struct zstd_code *code, struct zstd_fse_entry *table, u8 *log)
{
	table[0].base = code->base;
	table[0].extra = code->extra;
	table[0].next = 0;
	table[0].nbits = 0;
	*log = 0;
}
