/* Zstandard decoder internals shared by zstd.c, zstd_seq.c, zstd_huf.c and zstd_fse.c. */
#ifndef KEEL_LOADER_ZSTD_INTERNAL_H
#define KEEL_LOADER_ZSTD_INTERNAL_H

#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/types.h>

#define ZSTD_BLOCK_MAX	  ((size_t)1 << 17) /* Block_Maximum_Size never exceeds 128 KiB */
#define ZSTD_HUF_MAX_BITS 11
#define ZSTD_HUF_MAX_SYMS 256
#define ZSTD_LL_MAX_LOG	  9
#define ZSTD_ML_MAX_LOG	  9
#define ZSTD_OF_MAX_LOG	  8
#define ZSTD_WT_MAX_LOG	  6 /* FSE table of compressed Huffman weights */
#define ZSTD_LL_MAX_SYM	  35
#define ZSTD_ML_MAX_SYM	  52
#define ZSTD_OF_MAX_SYM	  31
#define ZSTD_WT_MAX_SYM	  ZSTD_HUF_MAX_BITS
#define ZSTD_MAX_FSE_SYMS (ZSTD_ML_MAX_SYM + 1)

/*
 * One FSE decoding state. For sequence tables the symbol is already turned into its value:
 * @base plus @extra raw bits (for offsets, 1 << code and code bits); for the Huffman weight
 * table @base is the weight and @extra is 0. The next state is @next plus @nbits bits.
 */
struct zstd_fse_entry {
	u32 base;
	u16 next;
	u8 nbits;
	u8 extra;
};

/* A sequence symbol's value: baseline and extra-bit count, indexed by code. */
struct zstd_code {
	u32 base;
	u8 extra;
};

/* A decoded sequence, waiting to be executed. */
struct zstd_seq {
	u32 ll, ml, off;
};
#define ZSTD_SEQ_BATCH 1024

/* Everything the decoder keeps between blocks of a frame; it lives in the caller's @work. */
struct zstd_dec {
	struct zstd_fse_entry ll[1 << ZSTD_LL_MAX_LOG];
	struct zstd_fse_entry ml[1 << ZSTD_ML_MAX_LOG];
	struct zstd_fse_entry of[1 << ZSTD_OF_MAX_LOG];
	struct zstd_fse_entry wt[1 << ZSTD_WT_MAX_LOG];
	struct zstd_seq seqs[ZSTD_SEQ_BATCH];
	u16 huf[1 << ZSTD_HUF_MAX_BITS]; /* peeked bits -> symbol | code length << 8 */
	u8 weights[ZSTD_HUF_MAX_SYMS];
	s16 norm[ZSTD_MAX_FSE_SYMS];
	u16 fse_next[ZSTD_MAX_FSE_SYMS]; /* table building: next state per symbol */
	u8 ll_log, ml_log, of_log, huf_bits;
	bool have_ll, have_ml, have_of, have_huf; /* for Repeat_Mode and treeless literals */
	u32 rep[3];
	/* The output: the whole buffer, this frame's start, and where the current block may end. */
	u8 *out;
	size_t out_max;
	u8 *frame;
	u8 *op;
	u8 *oend;
	bool oend_is_out_max; /* the block's room was cut by out_max, not by Block_Maximum_Size */
	/* Literals of the current block: in @in (raw) or at the end of the block's room in @out. */
	const u8 *lit;
	const u8 *lit_end;
	const u8 *lit_read_end; /* reading up to here is within a buffer (for 8-byte copies) */
	bool lit_in_out;
	const char *why;
};

static inline int zstd_fail(struct zstd_dec *d, int err, const char *why)
{
	d->why = why;
	return err;
}

/* More output than the block may hold: the caller's buffer is too small, or the data is bad. */
static inline int zstd_too_big(struct zstd_dec *d)
{
	if (d->oend_is_out_max)
		return zstd_fail(d, -E2BIG, "zstd: output larger than the buffer");
	return zstd_fail(d, -EINVAL, "zstd: block larger than Block_Maximum_Size");
}

typedef u64 __attribute__((may_alias, aligned(1))) zstd_unaligned_u64;

static inline u64 zstd_le64(const u8 *p)
{
	return *(const zstd_unaligned_u64 *)p; /* x86-64 is little-endian */
}

static inline unsigned int zstd_highbit32(u32 v)
{
	return 31 - (unsigned int)__builtin_clz(v);
}

static inline u64 zstd_rotl64(u64 x, unsigned int r)
{
	return (x << (r & 63)) | (x >> (-r & 63));
}

/*
 * Backward bitstream (RFC 8878 4.1 and 4.2.2): read from the end towards the start, the first
 * bits being the highest below the final 1-bit marker. The window is the 8 bytes at @ptr (for
 * a stream under 8 bytes, all of it shifted to the top), rotated left by @used, the bits taken
 * from its top: the next bits to read are the top of @cur. @limit is how many bits of the
 * window are stream data. Reading past the start yields garbage and leaves @used > @limit,
 * which zstd_bits_overflow() reports; every shift stays defined.
 */
struct zstd_bits {
	u64 cur;
	unsigned int used;
	unsigned int limit;
	const u8 *ptr;
	const u8 *start;
	const u8 *fast; /* start + 8: at or above it a reload always leaves @used <= 7 */
};

/* Returns 0, or -1 if the stream is empty or its last byte lacks the marker. */
static inline int zstd_bits_init(struct zstd_bits *b, const u8 *start, size_t len)
{
	u64 window = 0;

	if (len == 0 || start[len - 1] == 0)
		return -1;
	b->start = start;
	b->fast = start + 8;
	if (len >= 8) {
		b->ptr = start + len - 8;
		window = zstd_le64(b->ptr);
		b->limit = 64;
	} else {
		b->ptr = start;
		for (size_t i = 0; i < len; i++)
			window |= (u64)start[i] << (8 * i);
		window <<= 64 - 8 * len;
		b->limit = (unsigned int)(8 * len);
	}
	b->used = (unsigned int)__builtin_clz(start[len - 1]) - 24 + 1;
	b->cur = zstd_rotl64(window, b->used);
	return 0;
}

extern const u32 zstd_low_mask[33]; /* (1 << n) - 1, in zstd_fse.c */

/* Take @n (0..32) bits. */
static inline u32 zstd_bits_read(struct zstd_bits *b, unsigned int n)
{
	b->cur = zstd_rotl64(b->cur, n);
	b->used += n;
	return (u32)b->cur & zstd_low_mask[n];
}

/* The next @n (1..32) bits, not taken; zstd_bits_skip() takes them. */
static inline u32 zstd_bits_peek(const struct zstd_bits *b, unsigned int n)
{
	return (u32)(b->cur >> (64 - n));
}

static inline void zstd_bits_skip(struct zstd_bits *b, unsigned int n)
{
	b->cur = zstd_rotl64(b->cur, n);
	b->used += n;
}

/* Near the start, or a stream under 8 bytes: move back as far as possible. */
static inline void zstd_bits_reload_slow(struct zstd_bits *b)
{
	size_t back = b->used >> 3, room = (size_t)(b->ptr - b->start);

	if (b->limit != 64 || b->used > 64)
		return;
	if (back > room)
		back = room;
	b->ptr -= back;
	b->used -= (unsigned int)back * 8;
	b->cur = zstd_rotl64(zstd_le64(b->ptr), b->used);
}

/*
 * Move the window back over whole consumed bytes: afterwards at least 57 bits can be read
 * (or all that is left of the stream is in the window). Needs @used <= 64 since the last one.
 */
static inline void zstd_bits_reload(struct zstd_bits *b)
{
	if (likely(b->ptr >= b->fast)) {
		b->ptr -= b->used >> 3;
		b->used &= 7;
		b->cur = zstd_rotl64(zstd_le64(b->ptr), b->used);
	} else {
		zstd_bits_reload_slow(b);
	}
}

static inline bool zstd_bits_overflow(const struct zstd_bits *b)
{
	return b->used > b->limit;
}

/* Every bit read, no more and no fewer (call after a reload). */
static inline bool zstd_bits_done(const struct zstd_bits *b)
{
	return b->ptr == b->start && b->used == b->limit;
}

/* zstd_fse.c */
extern const struct zstd_code zstd_ll_codes[ZSTD_LL_MAX_SYM + 1];
extern const struct zstd_code zstd_ml_codes[ZSTD_ML_MAX_SYM + 1];
extern const struct zstd_code zstd_of_codes[ZSTD_OF_MAX_SYM + 1];
/*
 * Read an FSE table description (RFC 8878 4.1.1) from @src and build its decoding table in
 * @table, values from @codes (NULL: the symbol itself). Returns the bytes used (> 0) or a
 * negative errno with d->why set.
 */
int zstd_fse_read_table(struct zstd_dec *d, const u8 *src, size_t len, unsigned int max_log,
			unsigned int max_sym, const struct zstd_code *codes,
			struct zstd_fse_entry *table, u8 *log);
/* Build @table from the normalized counts d->norm[0..nsyms-1] (sum 1 << @log). */
int zstd_fse_build(struct zstd_dec *d, unsigned int nsyms, unsigned int log,
		   const struct zstd_code *codes, struct zstd_fse_entry *table);
/* The predefined tables (Predefined_Mode), and a one-state table for RLE_Mode. */
void zstd_fse_predefined(struct zstd_dec *d, int which, struct zstd_fse_entry *table, u8 *log);
void zstd_fse_rle(const struct zstd_code *code, struct zstd_fse_entry *table, u8 *log);
enum { ZSTD_TABLE_LL, ZSTD_TABLE_ML, ZSTD_TABLE_OF };

/* zstd_huf.c: decode the Literals_Section at @src; returns bytes used or a negative errno. */
int zstd_decode_literals(struct zstd_dec *d, const u8 *src, size_t len);

/* zstd_seq.c: decode and execute the Sequences_Section of a block; returns 0 or an errno. */
int zstd_decode_sequences(struct zstd_dec *d, const u8 *src, size_t len);

#endif
