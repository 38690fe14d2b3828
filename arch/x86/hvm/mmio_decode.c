/* Decoder for the x86 MOV-family guest instructions Keel emulates on MMIO device accesses. */
#include <asm/mmio_decode.h>
#include <keel/errno.h>

struct decode_state {
	const u8 *bytes;
	size_t avail;
	unsigned int pos; /* bytes consumed so far */
};

/* Can @n more bytes be consumed? -EINVAL past the 15-byte limit, -EFAULT past @avail. */
static int decode_need(const struct decode_state *s, unsigned int n)
{
	if (s->pos + n > MMIO_INSN_MAX_LEN)
		return -EINVAL;
	if (s->pos + n > s->avail)
		return -EFAULT;
	return 0;
}

static int decode_u8(struct decode_state *s, u8 *b)
{
	int rc = decode_need(s, 1);

	if (rc)
		return rc;
	*b = s->bytes[s->pos++];
	return 0;
}

/* Little-endian immediate of @n bytes (0..8). */
static int decode_imm(struct decode_state *s, unsigned int n, u64 *v)
{
	int rc = decode_need(s, n);
	unsigned int i;

	if (rc)
		return rc;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (u64)s->bytes[s->pos + i] << (8 * i);
	s->pos += n;
	return 0;
}

/*
 * ModRM (+ SIB + displacement) of a memory operand. @addr_size is 2, 4 or 8 bytes. Stores the
 * ModRM reg field (without REX.R) in @reg_field; @want_reg >= 0 requires that /digit.
 */
static int decode_modrm(struct decode_state *s, unsigned int addr_size, bool mode64, int want_reg,
			u8 *reg_field, bool *rip_relative)
{
	unsigned int mod, rm, disp = 0;
	u8 modrm, sib;
	int rc;

	rc = decode_u8(s, &modrm);
	if (rc)
		return rc;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg_field = (modrm >> 3) & 7;
	if (mod == 3)
		return -EINVAL; /* register operand: not a memory access */
	if (want_reg >= 0 && *reg_field != want_reg)
		return -EINVAL;

	if (addr_size == 2) {
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || (mod == 0 && rm == 6))
			disp = 2;
	} else {
		if (rm == 4) {
			rc = decode_u8(s, &sib);
			if (rc)
				return rc;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4; /* no base, disp32 */
		} else if (mod == 0 && rm == 5) {
			disp = 4;
			*rip_relative = mode64;
		}
		if (mod == 1)
			disp = 1;
		else if (mod == 2)
			disp = 4;
	}
	rc = decode_need(s, disp);
	if (rc)
		return rc;
	s->pos += disp;
	return 0;
}

/* A byte register from a 3-bit field: AH..BH without REX, SPL..DIL / R8B.. with it. */
static void decode_byte_reg(struct mmio_insn *out, unsigned int r, bool has_rex)
{
	if (!has_rex && r >= 4 && r <= 7) {
		out->reg = r - 4;
		out->high_byte = true;
	} else {
		out->reg = r;
	}
}

int mmio_decode(const u8 *bytes, size_t avail, unsigned int mode, struct mmio_insn *out)
{
	struct decode_state s = {.bytes = bytes, .avail = bytes ? avail : 0, .pos = 0};
	bool opsize_prefix = false, addrsize_prefix = false, lock = false;
	bool has_rex = false, mode64 = mode == 64;
	unsigned int rex = 0, opsize, addr_size;
	u8 op, reg_field;
	u64 v;
	int rc;

	*out = (struct mmio_insn){.reg = -1};
	if (mode != 16 && mode != 32 && mode != 64)
		return -EINVAL;

	/* Prefixes, then the opcode. */
	for (;;) {
		rc = decode_u8(&s, &op);
		if (rc)
			return rc;
		if (op == 0x66) {
			opsize_prefix = true;
		} else if (op == 0x67) {
			addrsize_prefix = true;
		} else if (op == 0xf0) {
			lock = true;
		} else if (op == 0xf2 || op == 0xf3) {
			return -EINVAL; /* REP/REPNE: string instructions are not emulated */
		} else if (op == 0x2e || op == 0x36 || op == 0x3e || op == 0x26 || op == 0x64 ||
			   op == 0x65) {
			/* segment override: the exit already gives the GPA */
		} else if (mode64 && (op & 0xf0) == 0x40) {
			has_rex = true;
			rex = op & 0xf;
			continue; /* skip the "REX is dropped" reset below */
		} else {
			break;
		}
		has_rex = false; /* a REX not directly before the opcode is ignored */
		rex = 0;
	}

	if (rex & 8)
		opsize = 8;
	else if (mode == 16)
		opsize = opsize_prefix ? 4 : 2;
	else
		opsize = opsize_prefix ? 2 : 4;
	if (mode == 64)
		addr_size = addrsize_prefix ? 4 : 8;
	else if (mode == 32)
		addr_size = addrsize_prefix ? 2 : 4;
	else
		addr_size = addrsize_prefix ? 4 : 2;

	switch (op) {
	case 0x88: /* MOV r/m8, r8 */
	case 0x8a: /* MOV r8, r/m8 */
		rc = decode_modrm(&s, addr_size, mode64, -1, &reg_field, &out->rip_relative);
		if (rc)
			return rc;
		out->op = op == 0x88 ? MMIO_STORE : MMIO_LOAD;
		out->size = 1;
		decode_byte_reg(out, reg_field | ((rex & 4) << 1), has_rex);
		break;
	case 0x89: /* MOV r/m, r */
	case 0x8b: /* MOV r, r/m */
		rc = decode_modrm(&s, addr_size, mode64, -1, &reg_field, &out->rip_relative);
		if (rc)
			return rc;
		out->op = op == 0x89 ? MMIO_STORE : MMIO_LOAD;
		out->size = opsize;
		out->reg = reg_field | ((rex & 4) << 1);
		break;
	case 0xc6: /* MOV r/m8, imm8 */
	case 0xc7: /* MOV r/m, imm16/imm32 */
		rc = decode_modrm(&s, addr_size, mode64, 0, &reg_field, &out->rip_relative);
		if (rc)
			return rc;
		out->op = MMIO_STORE;
		out->size = op == 0xc6 ? 1 : opsize;
		rc = decode_imm(&s, out->size == 8 ? 4 : out->size, &v);
		if (rc)
			return rc;
		if (out->size == 8 && (v & 0x80000000u))
			v |= 0xffffffff00000000ULL;
		out->imm = v;
		break;
	case 0x63: /* MOVSXD r64, r/m32; without REX.W (or outside 64-bit mode: ARPL) refused */
		if (!mode64 || !(rex & 8))
			return -EINVAL;
		rc = decode_modrm(&s, addr_size, mode64, -1, &reg_field, &out->rip_relative);
		if (rc)
			return rc;
		out->op = MMIO_LOAD;
		out->size = 4;
		out->ext = MMIO_EXT_SIGN;
		out->reg = reg_field | ((rex & 4) << 1);
		out->dest_size = 8;
		break;
	case 0x0f: /* MOVZX / MOVSX */
		rc = decode_u8(&s, &op);
		if (rc)
			return rc;
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return -EINVAL;
		rc = decode_modrm(&s, addr_size, mode64, -1, &reg_field, &out->rip_relative);
		if (rc)
			return rc;
		out->op = MMIO_LOAD;
		out->size = (op & 1) ? 2 : 1;
		out->ext = (op & 8) ? MMIO_EXT_SIGN : MMIO_EXT_ZERO;
		out->reg = reg_field | ((rex & 4) << 1);
		out->dest_size = opsize;
		break;
	case 0xa0: /* MOV AL, moffs8 */
	case 0xa1: /* MOV rAX, moffs */
	case 0xa2: /* MOV moffs8, AL */
	case 0xa3: /* MOV moffs, rAX */
		rc = decode_need(&s, addr_size);
		if (rc)
			return rc;
		s.pos += addr_size;
		out->op = (op & 2) ? MMIO_STORE : MMIO_LOAD;
		out->size = (op & 1) ? opsize : 1;
		out->reg = 0;
		break;
	default:
		return -EINVAL;
	}

	if (lock && out->op != MMIO_STORE)
		return -EINVAL;
	if (out->op == MMIO_LOAD && !out->dest_size)
		out->dest_size = out->size;
	out->len = s.pos;
	return 0;
}

u64 mmio_apply_load(u64 old_reg, const struct mmio_insn *in, u64 value)
{
	unsigned int bits = in->size * 8;

	if (in->op != MMIO_LOAD ||
	    (in->size != 1 && in->size != 2 && in->size != 4 && in->size != 8))
		return old_reg;
	if (in->high_byte && (in->size != 1 || in->dest_size != 1))
		return old_reg;
	if (bits < 64) {
		value &= (1ULL << bits) - 1;
		if (in->ext == MMIO_EXT_SIGN && ((value >> (bits - 1)) & 1))
			value |= ~0ULL << bits;
	}

	switch (in->dest_size) {
	case 1:
		if (in->high_byte)
			return (old_reg & ~0xff00ULL) | ((value & 0xff) << 8);
		return (old_reg & ~0xffULL) | (value & 0xff);
	case 2:
		return (old_reg & ~0xffffULL) | (value & 0xffff);
	case 4:
		return value & 0xffffffffULL; /* 32-bit writes zero-extend */
	case 8:
		return value;
	default:
		return old_reg;
	}
}
