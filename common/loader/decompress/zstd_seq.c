/* Zstandard sequences: the Sequences_Section header and tables, decoding and execution. */
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/types.h>

#include "zstd_internal.h"

enum { MODE_PREDEFINED, MODE_RLE, MODE_FSE, MODE_REPEAT };

static int bad(struct zstd_dec *d, const char *why)
{
	return zstd_fail(d, -EINVAL, why);
}

/* Set up one of the three tables from its compression mode; returns the bytes it takes. */
static int setup_table(struct zstd_dec *d, int which, unsigned int mode, const u8 *src, size_t len)
{
	static const u8 max_log[] = {ZSTD_LL_MAX_LOG, ZSTD_ML_MAX_LOG, ZSTD_OF_MAX_LOG};
	static const u8 max_sym[] = {ZSTD_LL_MAX_SYM, ZSTD_ML_MAX_SYM, ZSTD_OF_MAX_SYM};
	static const struct zstd_code *const codes[] = {zstd_ll_codes, zstd_ml_codes,
							zstd_of_codes};
	struct zstd_fse_entry *table = which == ZSTD_TABLE_LL	? d->ll
				       : which == ZSTD_TABLE_ML ? d->ml
								: d->of;
	u8 *log = which == ZSTD_TABLE_LL   ? &d->ll_log
		  : which == ZSTD_TABLE_ML ? &d->ml_log
					   : &d->of_log;
	bool *have = which == ZSTD_TABLE_LL   ? &d->have_ll
		     : which == ZSTD_TABLE_ML ? &d->have_ml
					      : &d->have_of;
	int used = 0;

	switch (mode) {
	case MODE_PREDEFINED:
		zstd_fse_predefined(d, which, table, log);
		break;
	case MODE_RLE:
		if (len < 1)
			return bad(d, "zstd: sequences section truncated");
		if (src[0] > max_sym[which])
			return bad(d, "zstd: RLE sequence code out of range");
		zstd_fse_rle(&codes[which][src[0]], table, log);
		used = 1;
		break;
	case MODE_FSE:
		used = zstd_fse_read_table(d, src, len, max_log[which], max_sym[which],
					   codes[which], table, log);
		if (used < 0)
			return used;
		break;
	default:
		if (!*have)
			return bad(d, "zstd: repeated sequence table without a previous one");
		break;
	}
	*have = true;
	return used;
}

typedef u64 __attribute__((may_alias, aligned(1))) unaligned_u64;

static inline void copy8(u8 *dst, const u8 *src)
{
	*(unaligned_u64 *)dst = *(const unaligned_u64 *)src;
}

/* Copy @n bytes in 8-byte steps, up to 7 more written and read: the caller has made room. */
static inline void wild_copy(u8 *dst, const u8 *src, size_t n)
{
	u8 *end = dst + n;

	do {
		copy8(dst, src);
		dst += 8;
		src += 8;
	} while (dst < end);
}

/* Copy @n bytes forwards, 16 at once and then in 8-byte steps: up to 15 more written and read. */
static inline void copy16_wild(u8 *dst, const u8 *src, size_t n)
{
	copy8(dst, src);
	copy8(dst + 8, src + 8);
	if (unlikely(n > 16))
		wild_copy(dst + 16, src + 16, n - 16);
}

/* A match with room for 16 bytes of overshoot; offsets under 8 repeat a short pattern. */
static inline void fast_match(u8 *op, size_t off, size_t ml)
{
	/* A multiple of each offset 1..7 that is at least 8: copying from that far back is the same. */
	static const u8 stride[8] = {0, 8, 8, 9, 8, 10, 12, 14};

	if (likely(off >= 16)) {
		copy16_wild(op, op - off, ml);
		return;
	}
	if (off >= 8) {
		wild_copy(op, op - off, ml);
		return;
	}
	for (int i = 0; i < 8; i++)
		op[i] = op[i - (long)off];
	if (ml > 8)
		wild_copy(op + 8, op + 8 - stride[off], ml - 8);
}

/* The sequence decoding state that outlives a batch. */
struct seq_state {
	struct zstd_bits b;
	u32 lls, mls, ofs;
	u32 rep[3];
};

/*
 * Decode one sequence into @seq; @update is false only for the block's last sequence. A
 * reload before leaves at least 57 bits readable: 31 + 26 state bits if the extra bits are
 * few, else a second reload after the offset and match length bits (at most 47).
 */
static inline __attribute__((always_inline)) void
decode_one(const struct zstd_dec *d, struct seq_state *st, struct zstd_seq *seq, bool update)
{
	const struct zstd_fse_entry *le = &d->ll[st->lls], *me = &d->ml[st->mls];
	const struct zstd_fse_entry *oe = &d->of[st->ofs];
	u32 ofv = oe->base + zstd_bits_read(&st->b, oe->extra);
	u32 ml = me->base + zstd_bits_read(&st->b, me->extra), ll, off;

	if (unlikely(oe->extra + me->extra + le->extra > 31))
		zstd_bits_reload(&st->b);
	ll = le->base + zstd_bits_read(&st->b, le->extra);
	if (update) {
		st->lls = le->next + zstd_bits_read(&st->b, le->nbits);
		st->mls = me->next + zstd_bits_read(&st->b, me->nbits);
		st->ofs = oe->next + zstd_bits_read(&st->b, oe->nbits);
	}
	zstd_bits_reload(&st->b);
	/* Offset_Value 1..3 picks a repeat offset (one further along after no literals). */
	if (ofv > 3) {
		off = ofv - 3;
		st->rep[2] = st->rep[1];
		st->rep[1] = st->rep[0];
		st->rep[0] = off;
	} else {
		/* Named, not indexed, so that the three stay in registers. */
		switch (ofv - 1 + (ll == 0)) {
		case 0:
			off = st->rep[0];
			break;
		case 1:
			off = st->rep[1];
			st->rep[1] = st->rep[0];
			st->rep[0] = off;
			break;
		default: /* 2: Repeated_Offset3; 3: Repeated_Offset1 - 1 */
			off = ofv + (ll == 0) == 3 ? st->rep[2] : st->rep[0] - 1;
			st->rep[2] = st->rep[1];
			st->rep[1] = st->rep[0];
			st->rep[0] = off;
			break;
		}
	}
	seq->ll = ll;
	seq->ml = ml;
	seq->off = off;
}

/* Decode @n sequences into d->seqs; @last: the block's last one is among them. */
static __attribute__((noinline)) void decode_batch(const struct zstd_dec *d,
						   struct seq_state *state, u32 n, bool last)
{
	struct seq_state st = *state; /* a local: output stores cannot alias it */
	struct zstd_seq *seq = (struct zstd_seq *)d->seqs, *end = seq + n - last;

	for (; seq < end; seq++)
		decode_one(d, &st, seq, true);
	if (last)
		decode_one(d, &st, seq, false);
	*state = st;
}

/*
 * Execute @n decoded sequences: literals, then the match, every length and offset checked. With
 * @in_out the literals sit in the output ahead of @op, and writes must stay below the ones not
 * yet copied; otherwise they are in the input and writes must stay below the block's end.
 */
static inline __attribute__((always_inline)) int execute_batch(struct zstd_dec *d, u32 n,
							       const bool in_out)
{
	const struct zstd_seq *seq = d->seqs, *end = seq + n;
	const u8 *lit = d->lit, *const lit_end = d->lit_end, *const lit_read_end = d->lit_read_end;
	u8 *op = d->op, *const oend = d->oend;
	const u8 *const frame = d->frame;

	for (; seq < end; seq++) {
		size_t ll = seq->ll, ml = seq->ml, off = seq->off;
		size_t room = in_out ? (size_t)(lit - op) + ll : (size_t)(oend - op);

		/* The common case: everything in bounds with 16 bytes to spare for wide copies. */
		if (likely(ll <= (size_t)(lit_end - lit) && off - 1 < (size_t)(op - frame) + ll &&
			   ll + ml + 16 <= room && ll + 16 <= (size_t)(lit_read_end - lit))) {
			copy16_wild(op, lit, ll);
			op += ll;
			lit += ll;
			fast_match(op, off, ml);
			op += ml;
			continue;
		}
		if (ll > (size_t)(lit_end - lit))
			return bad(d, "zstd: literal length beyond the literals");
		if (ll + ml > room)
			return zstd_too_big(d);
		if (off - 1 >= (size_t)(op - frame) + ll)
			return bad(d, "zstd: match offset before the start of the output");
		for (size_t i = 0; i < ll; i++)
			op[i] = lit[i];
		op += ll;
		lit += ll;
		const u8 *src = op - off;
		for (size_t i = 0; i < ml; i++)
			op[i] = src[i];
		op += ml;
	}
	d->op = op;
	d->lit = lit;
	return 0;
}

/* One copy of the loop for each place the literals can be in. */
static __attribute__((noinline)) int execute_lits_in_out(struct zstd_dec *d, u32 n)
{
	return execute_batch(d, n, true);
}

static __attribute__((noinline)) int execute_lits_in_input(struct zstd_dec *d, u32 n)
{
	return execute_batch(d, n, false);
}

/* Decode and execute @nseq sequences from @b, a batch at a time. */
static int execute(struct zstd_dec *d, const struct zstd_bits *b, u32 nseq)
{
	struct seq_state st;

	st.b = *b;
	st.lls = zstd_bits_read(&st.b, d->ll_log);
	st.ofs = zstd_bits_read(&st.b, d->of_log);
	st.mls = zstd_bits_read(&st.b, d->ml_log);
	zstd_bits_reload(&st.b);
	st.rep[0] = d->rep[0];
	st.rep[1] = d->rep[1];
	st.rep[2] = d->rep[2];
	while (nseq) {
		u32 n = nseq < ZSTD_SEQ_BATCH ? nseq : ZSTD_SEQ_BATCH;

		decode_batch(d, &st, n, n == nseq);
		if (zstd_bits_overflow(&st.b))
			return bad(d, "zstd: sequence bitstream overrun");
		int rc = d->lit_in_out ? execute_lits_in_out(d, n) : execute_lits_in_input(d, n);

		if (rc)
			return rc;
		nseq -= n;
	}
	if (!zstd_bits_done(&st.b))
		return bad(d, "zstd: sequence bitstream not consumed exactly");
	d->rep[0] = st.rep[0];
	d->rep[1] = st.rep[1];
	d->rep[2] = st.rep[2];
	return 0;
}

/* The literals left after the last sequence end the block. */
static int copy_last_literals(struct zstd_dec *d)
{
	size_t n = (size_t)(d->lit_end - d->lit);

	if (n > (size_t)(d->oend - d->op))
		return zstd_too_big(d);
	memmove(d->op, d->lit, n);
	d->op += n;
	return 0;
}

int zstd_decode_sequences(struct zstd_dec *d, const u8 *src, size_t len)
{
	size_t pos = 1;
	struct zstd_bits b;
	u32 nseq;
	int rc;

	if (len < 1)
		return bad(d, "zstd: sequences section truncated");
	nseq = src[0];
	if (nseq >= 128) {
		pos = nseq == 255 ? 3 : 2;
		if (len < pos)
			return bad(d, "zstd: sequences section truncated");
		nseq = nseq == 255 ? src[1] + ((u32)src[2] << 8) + 0x7f00
				   : ((nseq - 128) << 8) + src[1];
	}
	if (nseq == 0) {
		if (pos != len)
			return bad(d, "zstd: bytes after an empty sequences section");
		return copy_last_literals(d);
	}
	if (pos >= len)
		return bad(d, "zstd: sequences section truncated");
	unsigned int modes = src[pos++];
	if (modes & 3)
		return bad(d, "zstd: reserved bits set in sequence compression modes");
	rc = setup_table(d, ZSTD_TABLE_LL, modes >> 6, src + pos, len - pos);
	if (rc < 0)
		return rc;
	pos += (size_t)rc;
	rc = setup_table(d, ZSTD_TABLE_OF, (modes >> 4) & 3, src + pos, len - pos);
	if (rc < 0)
		return rc;
	pos += (size_t)rc;
	rc = setup_table(d, ZSTD_TABLE_ML, (modes >> 2) & 3, src + pos, len - pos);
	if (rc < 0)
		return rc;
	pos += (size_t)rc;
	if (zstd_bits_init(&b, src + pos, len - pos))
		return bad(d, "zstd: bad sequence bitstream");
	rc = execute(d, &b, nseq);
	return rc ? rc : copy_last_literals(d);
}
