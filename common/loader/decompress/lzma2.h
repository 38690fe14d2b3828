/* LZMA2 decoder interface for xz.c: one LZMA2 stream decoded in one call into a flat buffer. */
#ifndef KEEL_DECOMPRESS_LZMA2_H
#define KEEL_DECOMPRESS_LZMA2_H

#include <keel/types.h>

#define LZMA_STATES	     12
#define LZMA_POS_STATES_MAX  16 /* pb <= 4 */
#define LZMA_LEN_STATES	     4	/* distance models chosen by min(length - 2, 3) */
#define LZMA_LITERAL_CODERS  16 /* lc + lp <= 4 in LZMA2 */
#define LZMA_LITERAL_PROBS   0x300
#define LZMA_DIST_SPECIAL    115 /* 114 for slots 4..13, plus an unused first entry */
#define LZMA_SYMBOL_MAX_READ 64	 /* input bytes one symbol can take, rounded up */

/* The probabilities of one length coder (matches and repeated matches have one each). */
struct lzma_len_probs {
	u16 choice;
	u16 choice2;
	u16 low[LZMA_POS_STATES_MAX][8];
	u16 mid[LZMA_POS_STATES_MAX][8];
	u16 high[256];
};

/* Every adaptive probability; lzma_reset_state() sets them all to one half. */
struct lzma_probs {
	u16 is_match[LZMA_STATES][LZMA_POS_STATES_MAX];
	u16 is_rep[LZMA_STATES];
	u16 is_rep0[LZMA_STATES];
	u16 is_rep1[LZMA_STATES];
	u16 is_rep2[LZMA_STATES];
	u16 is_rep0_long[LZMA_STATES][LZMA_POS_STATES_MAX];
	u16 dist_slot[LZMA_LEN_STATES][64];
	u16 dist_special[LZMA_DIST_SPECIAL];
	u16 dist_align[16];
	struct lzma_len_probs match_len;
	struct lzma_len_probs rep_len;
	u16 literal[LZMA_LITERAL_CODERS][LZMA_LITERAL_PROBS]; /* must stay last (partly reset) */
};

/* Decoder state between chunks; lives in the caller's work memory (about 30 KiB). */
struct lzma2_dec {
	struct lzma_probs probs;
	u32 rep[4]; /* the last four match distances, minus one */
	unsigned int state;
	unsigned int lc, lp, pb;
	/* A chunk's last bytes, zero-padded, so no symbol reads past what the chunk holds. */
	u8 tail[2 * LZMA_SYMBOL_MAX_READ];
};

/*
 * Decode one LZMA2 stream (up to and including its end marker) from @in into @out, whose first
 * byte is the stream's first output byte. @dict_size is the dictionary size the filter
 * properties declare: no match reaches further back. Returns 0 with *@in_used and *@out_len set,
 * or -EINVAL / -ENODATA (@in ends first) / -E2BIG (@out_max too small) with *@why set;
 * *@out_len is then how much was written.
 */
int lzma2_decode(struct lzma2_dec *d, const u8 *in, size_t in_len, size_t *in_used, u8 *out,
		 size_t out_max, size_t *out_len, u32 dict_size, const char **why);

#endif
