/* LZMA2 decoding: chunk headers, the range decoder and LZMA's literal/match models, one pass. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#include "lzma2.h"

/* Hot helpers are inlined whatever the optimisation level: they run once per coded bit. */
#define RC_INLINE static inline __attribute__((always_inline))

#define RC_TOP_VALUE	    (1u << 24) /* below this the range takes another input byte */
#define RC_PROB_BITS	    11
#define RC_PROB_ONE	    (1u << RC_PROB_BITS)
#define RC_PROB_INIT	    (RC_PROB_ONE / 2)
#define RC_ADAPT_SHIFT	    5
#define LZMA_MATCH_MIN	    2
#define LZMA_LIT_STATES	    7	 /* states below this follow a literal */
#define LZMA_DIST_MODEL_END 14	 /* slots from here on use direct bits and the align model */
#define LZMA2_CHUNK_PROPS   0xc0 /* LZMA chunk controls from here carry a properties byte */
#define LZMA2_CHUNK_RESET   0xa0 /* ... and from here reset the state */
#define LZMA2_CHUNK_DICT    0xe0 /* ... and from here reset the dictionary */

/* The range decoder: a 32-bit window on the arithmetic code, refilled a byte at a time. */
struct rc {
	u32 range;
	u32 code;
	const u8 *in;
};

/* Renormalise after a bit: the caller guarantees the byte exists (see lzma_chunk()). */
RC_INLINE void rc_normalize(struct rc *rc)
{
	if (rc->range < RC_TOP_VALUE) {
		rc->range <<= 8;
		rc->code = (rc->code << 8) | *rc->in++;
	}
}

/* One bit coded with the adaptive probability *@p (of a zero), which then moves towards it. */
RC_INLINE unsigned int rc_bit(struct rc *rc, u16 *p)
{
	u32 prob = *p;
	u32 bound = (rc->range >> RC_PROB_BITS) * prob;
	unsigned int bit;

	if (rc->code < bound) {
		rc->range = bound;
		*p = (u16)(prob + ((RC_PROB_ONE - prob) >> RC_ADAPT_SHIFT));
		bit = 0;
	} else {
		rc->range -= bound;
		rc->code -= bound;
		*p = (u16)(prob - (prob >> RC_ADAPT_SHIFT));
		bit = 1;
	}
	rc_normalize(rc);
	return bit;
}

/* @bits bits, most significant first, through the binary tree of models @probs[1..]. */
RC_INLINE unsigned int rc_tree(struct rc *rc, u16 *probs, unsigned int bits)
{
	unsigned int sym = 1, i;

#pragma GCC unroll 8
	for (i = 0; i < bits; i++)
		sym = (sym << 1) | rc_bit(rc, &probs[sym]);
	return sym - (1u << bits);
}

/* @bits bits, least significant first, through the tree @probs[1..]. */
RC_INLINE unsigned int rc_tree_reverse(struct rc *rc, u16 *probs, unsigned int bits)
{
	unsigned int sym = 1, val = 0, i;

#pragma GCC unroll 4
	for (i = 0; i < bits; i++) {
		unsigned int bit = rc_bit(rc, &probs[sym]);

		sym = (sym << 1) | bit;
		val |= bit << i;
	}
	return val;
}

/* @bits (1..26) bits of even probability, most significant first. */
RC_INLINE u32 rc_direct(struct rc *rc, unsigned int bits)
{
	u32 val = 0;

	do {
		rc->range >>= 1;
		if (rc->code >= rc->range) {
			rc->code -= rc->range;
			val = (val << 1) | 1;
		} else {
			val <<= 1;
		}
		rc_normalize(rc);
	} while (--bits);
	return val;
}

/* A match length minus LZMA_MATCH_MIN (0..271). */
RC_INLINE unsigned int decode_len(struct rc *rc, struct lzma_len_probs *l, unsigned int pos_state)
{
	if (!rc_bit(rc, &l->choice))
		return rc_tree(rc, l->low[pos_state], 3);
	if (!rc_bit(rc, &l->choice2))
		return 8 + rc_tree(rc, l->mid[pos_state], 3);
	return 16 + rc_tree(rc, l->high, 8);
}

/* A match distance minus one, for a match of @len0 + LZMA_MATCH_MIN bytes. */
RC_INLINE u32 decode_distance(struct rc *rc, struct lzma_probs *p, unsigned int len0)
{
	unsigned int slot = rc_tree(rc, p->dist_slot[len0 < 3 ? len0 : 3], 6);
	unsigned int bits;
	u32 dist;

	if (slot < 4)
		return slot;
	bits = (slot >> 1) - 1;
	dist = (2u | (slot & 1)) << bits;
	if (slot < LZMA_DIST_MODEL_END)
		return dist + rc_tree_reverse(rc, p->dist_special + dist - slot, bits);
	dist += rc_direct(rc, bits - 4) << 4;
	return dist + rc_tree_reverse(rc, p->dist_align, 4);
}

/* The state after a literal, from the state before it. */
static const u8 state_after_literal[LZMA_STATES] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 4, 5};

/* Copy @len bytes from @dist + 1 back; the caller left 8 bytes of slack when @wide. */
RC_INLINE void copy_match(u8 *dst, u32 dist, unsigned int len, bool wide)
{
	const u8 *src = dst - dist - 1;

	if (wide && dist >= 7) {
		/* Each 8-byte step reads only bytes already written. */
		do {
			u64 v;

			__builtin_memcpy(&v, src, 8);
			__builtin_memcpy(dst, &v, 8);
			src += 8;
			dst += 8;
		} while (len > 8 && (len -= 8));
	} else if (wide && dist == 0) {
		u64 v = src[0] * 0x0101010101010101ull;

		do {
			__builtin_memcpy(dst, &v, 8);
			dst += 8;
		} while (len > 8 && (len -= 8));
	} else {
		do
			*dst++ = *src++;
		while (--len);
	}
}

/*
 * Decode symbols into @dict from position *@ppos up to @end while the range decoder's input
 * pointer has not passed @guard (up to LZMA_SYMBOL_MAX_READ bytes past it must be readable).
 */
static int lzma_run(struct lzma2_dec *d, struct rc *rcp, const u8 *guard, u8 *dict, size_t *ppos,
		    size_t end, u32 dict_size, const char **why)
{
	struct lzma_probs *p = &d->probs;
	struct rc rc = *rcp;
	size_t pos = *ppos;
	unsigned int state = d->state;
	u32 rep0 = d->rep[0], rep1 = d->rep[1], rep2 = d->rep[2], rep3 = d->rep[3];
	const unsigned int pb_mask = (1u << d->pb) - 1, lp_mask = (1u << d->lp) - 1;
	const unsigned int lc = d->lc;
	int err = 0;

	while (pos < end && rc.in <= guard) {
		unsigned int pos_state = pos & pb_mask;
		unsigned int len;
		size_t limit;

		if (!rc_bit(&rc, &p->is_match[state][pos_state])) {
			unsigned int prev = pos ? dict[pos - 1] : 0;
			u16 *lit = p->literal[((pos & lp_mask) << lc) + (prev >> (8 - lc))];
			unsigned int sym = 1, match_byte;

			if (state < LZMA_LIT_STATES) {
				dict[pos++] = (u8)rc_tree(&rc, lit, 8);
				state = state_after_literal[state];
				continue;
			}
			/* After a match: the byte at rep0 guides the bits until one differs. */
			if (unlikely(rep0 >= pos)) {
				*why = "LZMA: distance before the dictionary start";
				err = -EINVAL;
				break;
			}
			match_byte = dict[pos - rep0 - 1];
			do {
				unsigned int match_bit = (match_byte >> 7) & 1;

				match_byte <<= 1;
				sym = (sym << 1) | rc_bit(&rc, &lit[((1 + match_bit) << 8) + sym]);
				if ((sym & 1) != match_bit)
					break;
			} while (sym < 0x100);
			while (sym < 0x100)
				sym = (sym << 1) | rc_bit(&rc, &lit[sym]);
			dict[pos++] = (u8)sym;
			state = state_after_literal[state];
			continue;
		}
		if (!rc_bit(&rc, &p->is_rep[state])) {
			/* A new match. */
			rep3 = rep2;
			rep2 = rep1;
			rep1 = rep0;
			len = decode_len(&rc, &p->match_len, pos_state);
			state = state < LZMA_LIT_STATES ? 7 : 10;
			rep0 = decode_distance(&rc, p, len);
		} else {
			if (!rc_bit(&rc, &p->is_rep0[state])) {
				if (!rc_bit(&rc, &p->is_rep0_long[state][pos_state])) {
					/* A single byte from rep0. */
					if (unlikely(rep0 >= pos)) {
						*why = "LZMA: distance before the dictionary start";
						err = -EINVAL;
						break;
					}
					state = state < LZMA_LIT_STATES ? 9 : 11;
					dict[pos] = dict[pos - rep0 - 1];
					pos++;
					continue;
				}
			} else {
				u32 dist;

				if (!rc_bit(&rc, &p->is_rep1[state])) {
					dist = rep1;
				} else {
					if (!rc_bit(&rc, &p->is_rep2[state])) {
						dist = rep2;
					} else {
						dist = rep3;
						rep3 = rep2;
					}
					rep2 = rep1;
				}
				rep1 = rep0;
				rep0 = dist;
			}
			len = decode_len(&rc, &p->rep_len, pos_state);
			state = state < LZMA_LIT_STATES ? 8 : 11;
		}
		len += LZMA_MATCH_MIN;
		limit = pos < dict_size ? pos : dict_size;
		if (unlikely(rep0 >= limit)) {
			/* Also the end-of-payload marker (0xffffffff), which LZMA2 never uses. */
			*why = rep0 == 0xffffffffu ? "LZMA: end marker inside an LZMA2 chunk"
						   : "LZMA: distance beyond the dictionary";
			err = -EINVAL;
			break;
		}
		if (unlikely(len > end - pos)) {
			*why = "LZMA: match runs past the chunk's end";
			err = -EINVAL;
			break;
		}
		copy_match(dict + pos, rep0, len, end - pos - len >= 8);
		pos += len;
	}
	*rcp = rc;
	*ppos = pos;
	d->state = state;
	d->rep[0] = rep0;
	d->rep[1] = rep1;
	d->rep[2] = rep2;
	d->rep[3] = rep3;
	return err;
}

/* State reset: every probability to one half, state 0, all distances 1. */
static void lzma_reset_state(struct lzma2_dec *d)
{
	u16 *p = (u16 *)&d->probs;
	size_t n = offsetof(struct lzma_probs, literal) / sizeof(u16) +
		   ((size_t)LZMA_LITERAL_PROBS << (d->lc + d->lp));

	while (n--)
		*p++ = RC_PROB_INIT;
	d->state = 0;
	d->rep[0] = d->rep[1] = d->rep[2] = d->rep[3] = 0;
}

static int lzma_set_props(struct lzma2_dec *d, unsigned int props, const char **why)
{
	if (props >= 9 * 5 * 5) {
		*why = "LZMA2: bad properties byte";
		return -EINVAL;
	}
	d->lc = props % 9;
	props /= 9;
	d->lp = props % 5;
	d->pb = props / 5;
	if (d->lc + d->lp > 4) {
		*why = "LZMA2: lc + lp above 4";
		return -EINVAL;
	}
	return 0;
}

/*
 * One LZMA chunk: @csize bytes of range-coded input giving exactly @usize bytes at @dict + *@ppos.
 * Most symbols decode straight from @in; the last few come from a zero-padded copy in d->tail so
 * that no symbol can read past the chunk, and overrunning it is caught after the symbol.
 */
static int lzma_chunk(struct lzma2_dec *d, const u8 *in, size_t csize, u8 *dict, size_t *ppos,
		      size_t usize, u32 dict_size, const char **why)
{
	const size_t end = *ppos + usize;
	struct rc rc;
	size_t used;
	int err;

	if (csize < 5 || in[0] != 0) {
		*why = "LZMA2: bad range coder start";
		return -EINVAL;
	}
	rc.range = 0xffffffffu;
	rc.code = (u32)in[1] << 24 | (u32)in[2] << 16 | (u32)in[3] << 8 | in[4];
	rc.in = in + 5;
	if (csize > LZMA_SYMBOL_MAX_READ) {
		err = lzma_run(d, &rc, in + csize - LZMA_SYMBOL_MAX_READ, dict, ppos, end,
			       dict_size, why);
		if (err)
			return err;
	}
	used = (size_t)(rc.in - in);
	if (*ppos < end && used <= csize) {
		size_t rest = csize - used;

		memset(d->tail, 0, sizeof(d->tail));
		memcpy(d->tail, rc.in, rest);
		rc.in = d->tail;
		err = lzma_run(d, &rc, d->tail + rest, dict, ppos, end, dict_size, why);
		if (err)
			return err;
		used += (size_t)(rc.in - d->tail);
	}
	if (*ppos < end || used != csize) {
		*why = "LZMA2: chunk's compressed size does not match its data";
		return -EINVAL;
	}
	if (rc.code != 0) {
		*why = "LZMA2: range coder not flushed at chunk end";
		return -EINVAL;
	}
	return 0;
}

static u32 get_be16(const u8 *p)
{
	return (u32)p[0] << 8 | p[1];
}

int lzma2_decode(struct lzma2_dec *d, const u8 *in, size_t in_len, size_t *in_used, u8 *out,
		 size_t out_max, size_t *out_len, u32 dict_size, const char **why)
{
	bool need_dict_reset = true, need_props = true;
	size_t ip = 0, op = 0, dict_start = 0;
	int err = 0;

	for (;;) {
		unsigned int control;
		size_t usize, csize, pos;

		if (ip >= in_len) {
			*why = "LZMA2 data truncated";
			err = -ENODATA;
			break;
		}
		control = in[ip++];
		if (control == 0)
			break;
		if (control >= LZMA2_CHUNK_DICT || control == 1) {
			need_props = true;
			need_dict_reset = false;
			dict_start = op;
		} else if (need_dict_reset) {
			*why = "LZMA2: first chunk does not reset the dictionary";
			err = -EINVAL;
			break;
		}
		if (control < 0x80) {
			/* 1 and 2: stored bytes; 3..0x7f are not defined. */
			if (control > 2) {
				*why = "LZMA2: bad chunk control byte";
				err = -EINVAL;
				break;
			}
			if (in_len - ip < 2) {
				*why = "LZMA2 data truncated";
				err = -ENODATA;
				break;
			}
			usize = get_be16(in + ip) + 1;
			ip += 2;
			if (in_len - ip < usize) {
				*why = "LZMA2 data truncated";
				err = -ENODATA;
				break;
			}
			if (out_max - op < usize) {
				*why = "output buffer too small";
				err = -E2BIG;
				break;
			}
			memcpy(out + op, in + ip, usize);
			ip += usize;
			op += usize;
			continue;
		}
		if (in_len - ip < (control >= LZMA2_CHUNK_PROPS ? 5u : 4u)) {
			*why = "LZMA2 data truncated";
			err = -ENODATA;
			break;
		}
		usize = ((size_t)(control & 0x1f) << 16 | get_be16(in + ip)) + 1;
		csize = get_be16(in + ip + 2) + 1;
		ip += 4;
		if (control >= LZMA2_CHUNK_PROPS) {
			err = lzma_set_props(d, in[ip++], why);
			if (err)
				break;
			need_props = false;
		} else if (need_props) {
			*why = "LZMA2: LZMA chunk without properties";
			err = -EINVAL;
			break;
		}
		if (control >= LZMA2_CHUNK_RESET)
			lzma_reset_state(d);
		if (in_len - ip < csize) {
			*why = "LZMA2 data truncated";
			err = -ENODATA;
			break;
		}
		if (out_max - op < usize) {
			*why = "output buffer too small";
			err = -E2BIG;
			break;
		}
		pos = op - dict_start;
		err = lzma_chunk(d, in + ip, csize, out + dict_start, &pos, usize, dict_size, why);
		op = dict_start + pos;
		if (err)
			break;
		ip += csize;
	}
	*in_used = ip;
	*out_len = op;
	return err;
}
