/* Raw deflate (RFC 1951) decoder: stored, fixed and dynamic Huffman blocks into a flat buffer. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#include "inflate.h"

#define MAX_CODE_BITS 15
#define LITLEN_SYMS   288 /* 286 and 287 exist in the fixed code but are never valid */
#define DIST_SYMS     32  /* 30 and 31 likewise */
#define CODELEN_SYMS  19
#define END_OF_BLOCK  256

/* A canonical Huffman code: how many codes of each length, then the symbols in code order. */
struct huffman {
	u16 count[MAX_CODE_BITS + 1];
	u16 symbol[LITLEN_SYMS];
};

struct inflate_state {
	const u8 *in;
	size_t in_len;
	size_t in_pos; /* next byte to load into bits */
	u32 bits;      /* loaded, not yet consumed bits, least significant first */
	unsigned int nbits;
	u8 *out;
	size_t out_max;
	size_t out_pos;
	const char *why;
};

/* Length symbols 257..285 and distance symbols 0..29: base value and extra bits (RFC 1951 3.2.5). */
static const u16 length_base[29] = {3,	4,  5,	6,  7,	8,  9,	10, 11,	 13,  15,  17,	19,  23, 27,
				    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const u8 length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const u16 dist_base[30] = {1,	2,    3,    4,	  5,	7,    9,    13,	   17,	  25,
				  33,	49,   65,   97,	  129,	193,  257,  385,   513,	  769,
				  1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const u8 dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
				  6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* The order code length code lengths are sent in (RFC 1951 3.2.7). */
static const u8 codelen_order[CODELEN_SYMS] = {16, 17, 18, 0, 8,  7, 9,	 6, 10, 5,
					       11, 4,  12, 3, 13, 2, 14, 1, 15};

static int fail(struct inflate_state *s, int err, const char *why)
{
	s->why = why;
	return err;
}

/* Take @n (0..16) bits, least significant first; -ENODATA if the input ends first. */
static int take_bits(struct inflate_state *s, unsigned int n, u32 *val)
{
	while (s->nbits < n) {
		if (s->in_pos >= s->in_len)
			return fail(s, -ENODATA, "deflate stream truncated");
		s->bits |= (u32)s->in[s->in_pos++] << s->nbits;
		s->nbits += 8;
	}
	*val = s->bits & ((1u << n) - 1);
	s->bits >>= n;
	s->nbits -= n;
	return 0;
}

/*
 * Build a canonical code from per-symbol lengths (0 = unused). Returns 0 if complete, 1 if
 * incomplete, -EINVAL if over-subscribed.
 */
static int build_huffman(struct huffman *h, const u8 *lengths, unsigned int nsyms)
{
	u16 first_index[MAX_CODE_BITS + 1];
	int unused = 1; /* codes still free at the current length */
	unsigned int len, sym;

	memset(h->count, 0, sizeof(h->count));
	for (sym = 0; sym < nsyms; sym++)
		h->count[lengths[sym]]++;
	h->count[0] = 0;
	for (len = 1; len <= MAX_CODE_BITS; len++) {
		unused = unused * 2 - h->count[len];
		if (unused < 0)
			return -EINVAL;
	}
	first_index[1] = 0;
	for (len = 1; len < MAX_CODE_BITS; len++)
		first_index[len + 1] = first_index[len] + h->count[len];
	for (sym = 0; sym < nsyms; sym++)
		if (lengths[sym])
			h->symbol[first_index[lengths[sym]]++] = (u16)sym;
	return unused > 0;
}

/* Codes used by a block: incomplete only if a single code of one bit (or, for @may_be_empty, none). */
static int check_code(struct inflate_state *s, int built, const struct huffman *h,
		      bool may_be_empty, const char *what)
{
	unsigned int total = 0, len;

	if (built < 0)
		return fail(s, -EINVAL, what);
	if (built == 0)
		return 0;
	for (len = 1; len <= MAX_CODE_BITS; len++)
		total += h->count[len];
	if ((total == 1 && h->count[1] == 1) || (total == 0 && may_be_empty))
		return 0;
	return fail(s, -EINVAL, what);
}

/* Decode one symbol, reading the code bit by bit (codes are sent most significant bit first). */
static int decode(struct inflate_state *s, const struct huffman *h, unsigned int *sym)
{
	u32 code = 0, first = 0, index = 0, bit;
	unsigned int len;

	for (len = 1; len <= MAX_CODE_BITS; len++) {
		int rc = take_bits(s, 1, &bit);
		if (rc)
			return rc;
		code |= bit;
		if (code - first < h->count[len]) {
			*sym = h->symbol[index + (code - first)];
			return 0;
		}
		index += h->count[len];
		first = (first + h->count[len]) << 1;
		code <<= 1;
	}
	return fail(s, -EINVAL, "deflate: invalid Huffman code");
}

static int put_byte(struct inflate_state *s, u8 byte)
{
	if (s->out_pos >= s->out_max)
		return fail(s, -E2BIG, "output larger than the buffer");
	s->out[s->out_pos++] = byte;
	return 0;
}

static int stored_block(struct inflate_state *s)
{
	size_t pos;
	unsigned int len, nlen;

	/* Drop the partial byte; give back whole bytes already loaded. */
	s->in_pos -= s->nbits / 8;
	s->bits = 0;
	s->nbits = 0;
	pos = s->in_pos;
	if (s->in_len - pos < 4)
		return fail(s, -ENODATA, "deflate stream truncated");
	len = s->in[pos] | (unsigned int)s->in[pos + 1] << 8;
	nlen = s->in[pos + 2] | (unsigned int)s->in[pos + 3] << 8;
	if (len != (~nlen & 0xffffu))
		return fail(s, -EINVAL, "deflate: stored block length check failed");
	pos += 4;
	if (s->in_len - pos < len)
		return fail(s, -ENODATA, "deflate stream truncated");
	if (s->out_max - s->out_pos < len)
		return fail(s, -E2BIG, "output larger than the buffer");
	memcpy(s->out + s->out_pos, s->in + pos, len);
	s->out_pos += len;
	s->in_pos = pos + len;
	return 0;
}

/* Decode literals and matches until end-of-block. */
static int huffman_block(struct inflate_state *s, const struct huffman *litlen,
			 const struct huffman *dist)
{
	unsigned int sym;
	u32 extra;
	size_t len, distance;

	for (;;) {
		int rc = decode(s, litlen, &sym);
		if (rc)
			return rc;
		if (sym < END_OF_BLOCK) {
			rc = put_byte(s, (u8)sym);
			if (rc)
				return rc;
			continue;
		}
		if (sym == END_OF_BLOCK)
			return 0;
		sym -= END_OF_BLOCK + 1;
		if (sym >= ARRAY_SIZE(length_base))
			return fail(s, -EINVAL, "deflate: invalid length symbol");
		rc = take_bits(s, length_extra[sym], &extra);
		if (rc)
			return rc;
		len = length_base[sym] + extra;
		rc = decode(s, dist, &sym);
		if (rc)
			return rc;
		if (sym >= ARRAY_SIZE(dist_base))
			return fail(s, -EINVAL, "deflate: invalid distance symbol");
		rc = take_bits(s, dist_extra[sym], &extra);
		if (rc)
			return rc;
		distance = dist_base[sym] + extra;
		if (distance > s->out_pos)
			return fail(s, -EINVAL, "deflate: distance before the start of the output");
		if (s->out_max - s->out_pos < len)
			return fail(s, -E2BIG, "output larger than the buffer");
		/* Byte by byte: the source may overlap what this match writes. */
		for (; len; len--, s->out_pos++)
			s->out[s->out_pos] = s->out[s->out_pos - distance];
	}
}

static int fixed_block(struct inflate_state *s)
{
	struct huffman litlen, dist;
	u8 lengths[LITLEN_SYMS];
	unsigned int sym;

	for (sym = 0; sym < LITLEN_SYMS; sym++)
		lengths[sym] = sym < 144 ? 8 : sym < 256 ? 9 : sym < 280 ? 7 : 8;
	build_huffman(&litlen, lengths, LITLEN_SYMS);
	memset(lengths, 5, DIST_SYMS);
	build_huffman(&dist, lengths, DIST_SYMS);
	return huffman_block(s, &litlen, &dist);
}

/* Read the code length code, then the literal/length and distance code lengths it codes. */
static int read_code_lengths(struct inflate_state *s, u8 *lengths, unsigned int total)
{
	struct huffman codelen;
	u8 cl_lengths[CODELEN_SYMS] = {0};
	unsigned int ncodelen, i = 0, sym, repeat;
	u32 v;
	u8 fill;
	int rc;

	rc = take_bits(s, 4, &v);
	if (rc)
		return rc;
	ncodelen = v + 4;
	for (sym = 0; sym < ncodelen; sym++) {
		rc = take_bits(s, 3, &v);
		if (rc)
			return rc;
		cl_lengths[codelen_order[sym]] = (u8)v;
	}
	rc = check_code(s, build_huffman(&codelen, cl_lengths, CODELEN_SYMS), &codelen, false,
			"deflate: bad code length code");
	if (rc)
		return rc;
	while (i < total) {
		rc = decode(s, &codelen, &sym);
		if (rc)
			return rc;
		if (sym < 16) {
			lengths[i++] = (u8)sym;
			continue;
		}
		fill = 0;
		if (sym == 16) {
			if (i == 0)
				return fail(s, -EINVAL, "deflate: length repeat with no previous");
			fill = lengths[i - 1];
			rc = take_bits(s, 2, &v);
			repeat = 3 + v;
		} else if (sym == 17) {
			rc = take_bits(s, 3, &v);
			repeat = 3 + v;
		} else {
			rc = take_bits(s, 7, &v);
			repeat = 11 + v;
		}
		if (rc)
			return rc;
		if (repeat > total - i)
			return fail(s, -EINVAL, "deflate: code lengths overrun");
		memset(lengths + i, fill, repeat);
		i += repeat;
	}
	return 0;
}

static int dynamic_block(struct inflate_state *s)
{
	struct huffman litlen, dist;
	u8 lengths[LITLEN_SYMS + DIST_SYMS];
	unsigned int nlitlen, ndist;
	u32 v;
	int rc;

	rc = take_bits(s, 5, &v);
	if (rc)
		return rc;
	nlitlen = v + 257;
	rc = take_bits(s, 5, &v);
	if (rc)
		return rc;
	ndist = v + 1;
	if (nlitlen > 286 || ndist > 30)
		return fail(s, -EINVAL, "deflate: too many length or distance codes");
	rc = read_code_lengths(s, lengths, nlitlen + ndist);
	if (rc)
		return rc;
	if (!lengths[END_OF_BLOCK])
		return fail(s, -EINVAL, "deflate: no end-of-block code");
	rc = check_code(s, build_huffman(&litlen, lengths, nlitlen), &litlen, false,
			"deflate: bad literal/length code");
	if (rc)
		return rc;
	rc = check_code(s, build_huffman(&dist, lengths + nlitlen, ndist), &dist, true,
			"deflate: bad distance code");
	if (rc)
		return rc;
	return huffman_block(s, &litlen, &dist);
}

int inflate_raw(const u8 *in, size_t in_len, size_t *in_used, u8 *out, size_t out_max,
		size_t *out_len, const char **why)
{
	struct inflate_state s = {
	    .in = in, .in_len = in_len, .out = out, .out_max = out_max, .why = NULL};
	u32 final, type;
	int rc;

	do {
		rc = take_bits(&s, 1, &final);
		if (!rc)
			rc = take_bits(&s, 2, &type);
		if (rc)
			break;
		if (type == 0)
			rc = stored_block(&s);
		else if (type == 1)
			rc = fixed_block(&s);
		else if (type == 2)
			rc = dynamic_block(&s);
		else
			rc = fail(&s, -EINVAL, "deflate: reserved block type");
	} while (!rc && !final);
	*in_used = s.in_pos - s.nbits / 8;
	*out_len = s.out_pos;
	*why = s.why;
	return rc;
}
