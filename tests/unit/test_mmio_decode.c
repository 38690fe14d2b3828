/* Unit tests for arch/x86/hvm/mmio_decode.c: every opcode, mode, prefix and addressing form. */
#include <asm/mmio_decode.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#define L    MMIO_LOAD
#define S    MMIO_STORE
#define NONE MMIO_EXT_NONE
#define ZX   MMIO_EXT_ZERO
#define SX   MMIO_EXT_SIGN

/* One instruction and what the decoder must report; len is also the byte count of @b. */
struct dcase {
	const char *name;
	unsigned int mode;
	u8 b[MMIO_INSN_MAX_LEN];
	enum mmio_op op;
	unsigned int size, len;
	int reg;
	bool high_byte;
	enum mmio_ext ext;
	unsigned int dest_size; /* 0 for stores */
	bool rip_relative;
	u64 imm;
};

/* Decode @c from a heap buffer of exactly @avail bytes, so ASan catches any over-read. */
static int decode_exact(const u8 *b, size_t avail, unsigned int mode, struct mmio_insn *out)
{
	u8 *buf = malloc(avail ? avail : 1);
	int rc;

	assert_non_null(buf);
	memcpy(buf, b, avail);
	rc = mmio_decode(buf, avail, mode, out);
	free(buf);
	return rc;
}

static void check_case(const struct dcase *c)
{
	struct mmio_insn in;
	u8 padded[32];
	int rc;

	rc = decode_exact(c->b, c->len, c->mode, &in);
	if (rc)
		fail_msg("%s: rc %d", c->name, rc);
	if (in.op != c->op || in.size != c->size || in.len != c->len || in.reg != c->reg ||
	    in.high_byte != c->high_byte || in.ext != c->ext || in.dest_size != c->dest_size ||
	    in.rip_relative != c->rip_relative || in.imm != c->imm)
		fail_msg("%s: op %d size %u len %u reg %d hb %d ext %d dest %u rip %d imm %llx",
			 c->name, in.op, in.size, in.len, in.reg, in.high_byte, in.ext,
			 in.dest_size, in.rip_relative, in.imm);

	/* Trailing bytes (the next instruction) change nothing. */
	memset(padded, 0xcc, sizeof(padded));
	memcpy(padded, c->b, c->len);
	assert_int_equal(mmio_decode(padded, sizeof(padded), c->mode, &in), 0);
	assert_int_equal(in.len, c->len);

	/* Every shorter fetch, at every prefix/opcode/ModRM/SIB/disp/imm boundary, is -EFAULT. */
	for (unsigned int n = 0; n < c->len; n++) {
		rc = decode_exact(c->b, n, c->mode, &in);
		if (rc != -EFAULT)
			fail_msg("%s: truncated to %u: rc %d", c->name, n, rc);
	}
}

static void check_cases(const struct dcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_case(&c[i]);
}
#define CHECK(tab) check_cases(tab, ARRAY_SIZE(tab))

static void expect_rc(const u8 *b, size_t n, unsigned int mode, int want)
{
	struct mmio_insn in;

	assert_int_equal(decode_exact(b, n, mode, &in), want);
}
#define EXPECT(mode, want, ...)                        \
	do {                                           \
		const u8 _b[] = {__VA_ARGS__};         \
		expect_rc(_b, sizeof(_b), mode, want); \
	} while (0)

/* ---- plain MOV, 64-bit mode ---- */

static const struct dcase mov64[] = {
    {"88 [rax],cl", 64, {0x88, 0x08}, S, 1, 2, 1, .imm = 0},
    {"89 [rbx],ecx", 64, {0x89, 0x0b}, S, 4, 2, 1, .imm = 0},
    {"48 89 [rbx],rcx", 64, {0x48, 0x89, 0x0b}, S, 8, 3, 1, .imm = 0},
    {"66 89 [rbx],cx", 64, {0x66, 0x89, 0x0b}, S, 2, 3, 1, .imm = 0},
    {"66 48 89 (W beats 66)", 64, {0x66, 0x48, 0x89, 0x0b}, S, 8, 4, 1, .imm = 0},
    {"8a cl,[rax]", 64, {0x8a, 0x08}, L, 1, 2, 1, .dest_size = 1},
    {"8b edx,[rax]", 64, {0x8b, 0x10}, L, 4, 2, 2, .dest_size = 4},
    {"48 8b rdi,[rax]", 64, {0x48, 0x8b, 0x38}, L, 8, 3, 7, .dest_size = 8},
    {"66 8b sp,[rax]", 64, {0x66, 0x8b, 0x20}, L, 2, 3, 4, .dest_size = 2},
};

static void test_mov_64(void **state)
{
	(void)state;
	CHECK(mov64);
}

/* ---- REX.R/X/B: r8..r15 as register operand and in addressing ---- */

static const struct dcase rex64[] = {
    {"4f 8b r8,[r8+r9*8]", 64, {0x4f, 0x8b, 0x04, 0xc8}, L, 8, 4, 8, .dest_size = 8},
    {"4c 89 [rax],r15", 64, {0x4c, 0x89, 0x38}, S, 8, 3, 15, .imm = 0},
    {"44 8b r10d,[rax]", 64, {0x44, 0x8b, 0x10}, L, 4, 3, 10, .dest_size = 4},
    {"41 8b eax,[r13+0]", 64, {0x41, 0x8b, 0x45, 0x00}, L, 4, 4, 0, .dest_size = 4},
    {"41 8b eax,[r12]", 64, {0x41, 0x8b, 0x04, 0x24}, L, 4, 4, 0, .dest_size = 4},
    {"44 88 [rax],r9b", 64, {0x44, 0x88, 0x08}, S, 1, 3, 9, .imm = 0},
    {"66 45 89 [r8],r8w", 64, {0x66, 0x45, 0x89, 0x00}, S, 2, 4, 8, .imm = 0},
    /* REX followed by another prefix is ignored, as on hardware */
    {"48 66 8b: REX dropped", 64, {0x48, 0x66, 0x8b, 0x00}, L, 2, 4, 0, .dest_size = 2},
    {"44 3e 8b: REX.R dropped", 64, {0x44, 0x3e, 0x8b, 0x08}, L, 4, 4, 1, .dest_size = 4},
    {"40 44 8b: last REX wins", 64, {0x40, 0x44, 0x8b, 0x08}, L, 4, 4, 9, .dest_size = 4},
};

static void test_rex_registers(void **state)
{
	(void)state;
	CHECK(rex64);
}

/* ---- byte registers: AH..BH without REX, SPL..DIL with it ---- */

static const struct dcase bytes64[] = {
    {"8a ah,[rax]", 64, {0x8a, 0x20}, L, 1, 2, 0, true, .dest_size = 1},
    {"8a bh,[rax]", 64, {0x8a, 0x38}, L, 1, 2, 3, true, .dest_size = 1},
    {"88 [rax],ch", 64, {0x88, 0x28}, S, 1, 2, 1, true, .imm = 0},
    {"40 8a spl,[rax]", 64, {0x40, 0x8a, 0x20}, L, 1, 3, 4, false, .dest_size = 1},
    {"40 88 [rax],dil", 64, {0x40, 0x88, 0x38}, S, 1, 3, 7, .imm = 0},
    {"40 3e 8a: REX dropped -> ah", 64, {0x40, 0x3e, 0x8a, 0x20}, L, 1, 4, 0, true, .dest_size = 1},
    {"32: 8a dh,[eax]", 32, {0x8a, 0x30}, L, 1, 2, 2, true, .dest_size = 1},
    {"16: 88 [bx+si],bh", 16, {0x88, 0x38}, S, 1, 2, 3, true, .imm = 0},
};

static void test_high_byte_registers(void **state)
{
	(void)state;
	CHECK(bytes64);
}

/* ---- ModRM/SIB/displacement lengths, 32/64-bit addressing ---- */

static const struct dcase addr64[] = {
    {"[rax+disp8]", 64, {0x8b, 0x40, 0x10}, L, 4, 3, 0, .dest_size = 4},
    {"[rax+disp32]", 64, {0x8b, 0x80, 1, 2, 3, 4}, L, 4, 6, 0, .dest_size = 4},
    {"[disp32] via SIB", 64, {0x8b, 0x04, 0x25, 1, 2, 3, 4}, L, 4, 7, 0, .dest_size = 4},
    {"[rsp+disp8]", 64, {0x8b, 0x44, 0x24, 0x08}, L, 4, 4, 0, .dest_size = 4},
    {"[rsp+disp32]", 64, {0x8b, 0x84, 0x24, 1, 2, 3, 4}, L, 4, 7, 0, .dest_size = 4},
    {"[rbp+idx+disp8]", 64, {0x8b, 0x44, 0x25, 0x08}, L, 4, 4, 0, .dest_size = 4},
    {"[idx*4+disp32]", 64, {0x8b, 0x04, 0x8d, 1, 2, 3, 4}, L, 4, 7, 0, .dest_size = 4},
    {"[rbp+idx*2+disp32]", 64, {0x8b, 0x84, 0x4d, 1, 2, 3, 4}, L, 4, 7, 0, .dest_size = 4},
    {"[rip+disp32]", 64, {0x8b, 0x05, 1, 2, 3, 4}, L, 4, 6, 0, .dest_size = 4, .rip_relative = 1},
    {"48 [rip] rcx",
     64,
     {0x48, 0x8b, 0x0d, 1, 2, 3, 4},
     L,
     8,
     7,
     1,
     .dest_size = 8,
     .rip_relative = 1},
    {"67 [eip+disp32]",
     64,
     {0x67, 0x8b, 0x05, 1, 2, 3, 4},
     L,
     4,
     7,
     0,
     .dest_size = 4,
     .rip_relative = 1},
    {"67 [eax+ecx*2+8]", 64, {0x67, 0x8b, 0x54, 0x48, 0x08}, L, 4, 5, 2, .dest_size = 4},
    {"32: [disp32] absolute", 32, {0x8b, 0x05, 1, 2, 3, 4}, L, 4, 6, 0, .dest_size = 4},
    {"32: [esp+disp8]", 32, {0x89, 0x4c, 0x24, 0x10}, S, 4, 4, 1, .imm = 0},
    {"32: [ebp+disp32]", 32, {0x89, 0x8d, 1, 2, 3, 4}, S, 4, 6, 1, .imm = 0},
};

static void test_addressing_32_64(void **state)
{
	(void)state;
	CHECK(addr64);
}

/* ---- 16-bit addressing (no SIB) and the 66/67 prefixes in 16/32-bit modes ---- */

static const struct dcase addr16[] = {
    {"16: 8b ax,[disp16]", 16, {0x8b, 0x06, 0x34, 0x12}, L, 2, 4, 0, .dest_size = 2},
    {"16: 8b ax,[bx+disp8]", 16, {0x8b, 0x47, 0x02}, L, 2, 3, 0, .dest_size = 2},
    {"16: 8b ax,[bx+disp16]", 16, {0x8b, 0x87, 0x00, 0x10}, L, 2, 4, 0, .dest_size = 2},
    {"16: 8b ax,[si] (rm=4, no SIB)", 16, {0x8b, 0x04}, L, 2, 2, 0, .dest_size = 2},
    {"16: 8b ax,[bp+0]", 16, {0x8b, 0x46, 0x00}, L, 2, 3, 0, .dest_size = 2},
    {"16: 66 8b eax", 16, {0x66, 0x8b, 0x07}, L, 4, 3, 0, .dest_size = 4},
    {"16: 67 8b ax,[esp]", 16, {0x67, 0x8b, 0x04, 0x24}, L, 2, 4, 0, .dest_size = 2},
    {"16: 67 8b ax,[disp32]", 16, {0x67, 0x8b, 0x05, 1, 2, 3, 4}, L, 2, 7, 0, .dest_size = 2},
    {"32: 67 8b eax,[si]", 32, {0x67, 0x8b, 0x04}, L, 4, 3, 0, .dest_size = 4},
    {"32: 67 8b eax,[disp16]", 32, {0x67, 0x8b, 0x06, 0x34, 0x12}, L, 4, 5, 0, .dest_size = 4},
    {"32: 66 89 [eax],dx", 32, {0x66, 0x89, 0x10}, S, 2, 3, 2, .imm = 0},
    {"32: 66 67 89 [bx],dx", 32, {0x66, 0x67, 0x89, 0x17}, S, 2, 4, 2, .imm = 0},
};

static void test_addressing_16_and_size_prefixes(void **state)
{
	(void)state;
	CHECK(addr16);
}

/* ---- every opcode in 32-bit mode ---- */

static const struct dcase ops32[] = {
    {"88", 32, {0x88, 0x03}, S, 1, 2, 0, .imm = 0},
    {"89", 32, {0x89, 0x03}, S, 4, 2, 0, .imm = 0},
    {"8a", 32, {0x8a, 0x0b}, L, 1, 2, 1, .dest_size = 1},
    {"8b", 32, {0x8b, 0x0b}, L, 4, 2, 1, .dest_size = 4},
    {"c6", 32, {0xc6, 0x03, 0x5a}, S, 1, 3, -1, .imm = 0x5a},
    {"c7", 32, {0xc7, 0x03, 0x78, 0x56, 0x34, 0x12}, S, 4, 6, -1, .imm = 0x12345678},
    {"66 c7", 32, {0x66, 0xc7, 0x03, 0x34, 0x12}, S, 2, 5, -1, .imm = 0x1234},
    {"0f b6", 32, {0x0f, 0xb6, 0x0b}, L, 1, 3, 1, .ext = ZX, .dest_size = 4},
    {"0f b7", 32, {0x0f, 0xb7, 0x0b}, L, 2, 3, 1, .ext = ZX, .dest_size = 4},
    {"0f be", 32, {0x0f, 0xbe, 0x0b}, L, 1, 3, 1, .ext = SX, .dest_size = 4},
    {"0f bf", 32, {0x0f, 0xbf, 0x0b}, L, 2, 3, 1, .ext = SX, .dest_size = 4},
    {"66 0f be", 32, {0x66, 0x0f, 0xbe, 0x0b}, L, 1, 4, 1, .ext = SX, .dest_size = 2},
    {"a0", 32, {0xa0, 1, 2, 3, 4}, L, 1, 5, 0, .dest_size = 1},
    {"a1", 32, {0xa1, 1, 2, 3, 4}, L, 4, 5, 0, .dest_size = 4},
    {"a2", 32, {0xa2, 1, 2, 3, 4}, S, 1, 5, 0, .imm = 0},
    {"a3", 32, {0xa3, 1, 2, 3, 4}, S, 4, 5, 0, .imm = 0},
    {"67 a3 (moffs16)", 32, {0x67, 0xa3, 1, 2}, S, 4, 4, 0, .imm = 0},
    {"66 a1", 32, {0x66, 0xa1, 1, 2, 3, 4}, L, 2, 6, 0, .dest_size = 2},
    {"16: a1 (moffs16)", 16, {0xa1, 1, 2}, L, 2, 3, 0, .dest_size = 2},
    {"16: 67 a1 (moffs32)", 16, {0x67, 0xa1, 1, 2, 3, 4}, L, 2, 6, 0, .dest_size = 2},
    {"16: c7 [disp16],imm16", 16, {0xc7, 0x06, 0x34, 0x12, 0xcd, 0xab}, S, 2, 6, -1, .imm = 0xabcd},
    {"16: 66 c7 imm32", 16, {0x66, 0xc7, 0x07, 1, 2, 3, 4}, S, 4, 7, -1, .imm = 0x04030201},
};

static void test_opcodes_32(void **state)
{
	(void)state;
	CHECK(ops32);
}

/* ---- immediates and moffs in 64-bit mode ---- */

static const struct dcase imm64[] = {
    {"c6 [rax],ab", 64, {0xc6, 0x00, 0xab}, S, 1, 3, -1, .imm = 0xab},
    {"c6 [rip],ib",
     64,
     {0xc6, 0x05, 1, 2, 3, 4, 0x7f},
     S,
     1,
     7,
     -1,
     .rip_relative = 1,
     .imm = 0x7f},
    {"c7 imm32", 64, {0xc7, 0x00, 0xef, 0xbe, 0xad, 0xde}, S, 4, 6, -1, .imm = 0xdeadbeef},
    {"66 c7 imm16", 64, {0x66, 0xc7, 0x00, 0x34, 0x12}, S, 2, 5, -1, .imm = 0x1234},
    {"48 c7 positive",
     64,
     {0x48, 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12},
     S,
     8,
     7,
     -1,
     .imm = 0x12345678},
    {"48 c7 -1", 64, {0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff}, S, 8, 7, -1, .imm = ~0ULL},
    {"48 c7 0x80000000",
     64,
     {0x48, 0xc7, 0x00, 0, 0, 0, 0x80},
     S,
     8,
     7,
     -1,
     .imm = 0xffffffff80000000ULL},
    {"49 c7 [r8+disp32+sib]",
     64,
     {0x49, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8},
     S,
     8,
     12,
     -1,
     .imm = 0x08070605},
    {"f0 c7 (lock store)", 64, {0xf0, 0xc7, 0x00, 1, 0, 0, 0}, S, 4, 7, -1, .imm = 1},
    {"f0 89 (lock store)", 64, {0xf0, 0x89, 0x00}, S, 4, 3, 0, .imm = 0},
    {"a0 moffs64", 64, {0xa0, 1, 2, 3, 4, 5, 6, 7, 8}, L, 1, 9, 0, .dest_size = 1},
    {"a1 moffs64", 64, {0xa1, 1, 2, 3, 4, 5, 6, 7, 8}, L, 4, 9, 0, .dest_size = 4},
    {"48 a1 moffs64", 64, {0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8}, L, 8, 10, 0, .dest_size = 8},
    {"49 a1: REX.B ignored", 64, {0x49, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8}, L, 8, 10, 0, .dest_size = 8},
    {"a2 moffs64", 64, {0xa2, 1, 2, 3, 4, 5, 6, 7, 8}, S, 1, 9, 0, .imm = 0},
    {"66 a3 moffs64", 64, {0x66, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8}, S, 2, 10, 0, .imm = 0},
    {"67 a1 moffs32", 64, {0x67, 0xa1, 1, 2, 3, 4}, L, 4, 6, 0, .dest_size = 4},
    {"67 48 a3 moffs32", 64, {0x67, 0x48, 0xa3, 1, 2, 3, 4}, S, 8, 7, 0, .imm = 0},
};

static void test_immediates_and_moffs_64(void **state)
{
	(void)state;
	CHECK(imm64);
}

/* ---- MOVZX / MOVSX / MOVSXD in 64-bit mode ---- */

static const struct dcase ext64[] = {
    {"0f b6 eax,byte", 64, {0x0f, 0xb6, 0x00}, L, 1, 3, 0, .ext = ZX, .dest_size = 4},
    {"48 0f b6 rax,byte", 64, {0x48, 0x0f, 0xb6, 0x00}, L, 1, 4, 0, .ext = ZX, .dest_size = 8},
    {"66 0f b6 ax,byte", 64, {0x66, 0x0f, 0xb6, 0x00}, L, 1, 4, 0, .ext = ZX, .dest_size = 2},
    {"44 0f b7 r9d,word", 64, {0x44, 0x0f, 0xb7, 0x08}, L, 2, 4, 9, .ext = ZX, .dest_size = 4},
    {"4c 0f be r12,byte[rip]",
     64,
     {0x4c, 0x0f, 0xbe, 0x25, 1, 2, 3, 4},
     L,
     1,
     8,
     12,
     .ext = SX,
     .dest_size = 8,
     .rip_relative = 1},
    {"0f bf esi,word", 64, {0x0f, 0xbf, 0x30}, L, 2, 3, 6, .ext = SX, .dest_size = 4},
    {"48 0f bf", 64, {0x48, 0x0f, 0xbf, 0x30}, L, 2, 4, 6, .ext = SX, .dest_size = 8},
    {"0f b6 ah? no: esp", 64, {0x0f, 0xb6, 0x20}, L, 1, 3, 4, .ext = ZX, .dest_size = 4},
    {"48 63 rcx,[rax]", 64, {0x48, 0x63, 0x08}, L, 4, 3, 1, .ext = SX, .dest_size = 8},
    {"4d 63 r9,[r8+disp8]", 64, {0x4d, 0x63, 0x48, 0x10}, L, 4, 4, 9, .ext = SX, .dest_size = 8},
};

static void test_movzx_movsx_64(void **state)
{
	(void)state;
	CHECK(ext64);
}

/* ---- segment overrides and long prefix runs up to the 15-byte limit ---- */

static const struct dcase seg[] = {
    {"64 8b (fs)", 64, {0x64, 0x8b, 0x00}, L, 4, 3, 0, .dest_size = 4},
    {"65 48 8b (gs)", 64, {0x65, 0x48, 0x8b, 0x00}, L, 8, 4, 0, .dest_size = 8},
    {"all segments", 64, {0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x89, 0x00}, S, 4, 8, 0, .imm = 0},
    {"32: 26 8b (es)", 32, {0x26, 0x8b, 0x00}, L, 4, 3, 0, .dest_size = 4},
    {"exactly 15 bytes",
     64,
     {0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x48, 0x8b, 0x80, 1, 2, 3, 4},
     L,
     8,
     15,
     0,
     .dest_size = 8},
    {"15 bytes with imm",
     64,
     {0x67, 0x65, 0x3e, 0x49, 0xc7, 0x84, 0xe0, 1, 2, 3, 4, 0xfe, 0xff, 0xff, 0xff},
     S,
     8,
     15,
     -1,
     .imm = ~1ULL},
};

static void test_segments_and_15_bytes(void **state)
{
	(void)state;
	CHECK(seg);
}

/* REX.B extends base/rm, but the "no base" and "RIP-relative" encodings stay on the low 3 bits. */
static const struct dcase rexb_forms[] = {
    {"41 [r13+disp8] not rip", 64, {0x41, 0x8b, 0x45, 0x10}, L, 4, 4, 0, .dest_size = 4},
    {"41 mod0 rm5: still rip",
     64,
     {0x41, 0x8b, 0x05, 1, 2, 3, 4},
     L,
     4,
     7,
     0,
     .dest_size = 4,
     .rip_relative = 1},
    {"41 mod0 rm4: SIB (r12)", 64, {0x41, 0x8b, 0x04, 0x24}, L, 4, 4, 0, .dest_size = 4},
    {"41 SIB base5 mod0: disp32",
     64,
     {0x41, 0x8b, 0x04, 0x25, 1, 2, 3, 4},
     L,
     4,
     8,
     0,
     .dest_size = 4},
    {"42 SIB index r12", 64, {0x42, 0x8b, 0x04, 0xa0}, L, 4, 4, 0, .dest_size = 4},
};

static void test_rex_b_keeps_modrm_forms(void **state)
{
	(void)state;
	CHECK(rexb_forms);
}

/* Real mode / 16-bit protected mode: every opcode with 16-bit defaults. */
static const struct dcase ops16[] = {
    {"88", 16, {0x88, 0x07}, S, 1, 2, 0, .imm = 0},
    {"89", 16, {0x89, 0x1f}, S, 2, 2, 3, .imm = 0},
    {"8a", 16, {0x8a, 0x0f}, L, 1, 2, 1, .dest_size = 1},
    {"8b", 16, {0x8b, 0x17}, L, 2, 2, 2, .dest_size = 2},
    {"c6", 16, {0xc6, 0x07, 0x11}, S, 1, 3, -1, .imm = 0x11},
    {"0f b6", 16, {0x0f, 0xb6, 0x07}, L, 1, 3, 0, .ext = ZX, .dest_size = 2},
    {"66 0f b7", 16, {0x66, 0x0f, 0xb7, 0x07}, L, 2, 4, 0, .ext = ZX, .dest_size = 4},
    {"0f be", 16, {0x0f, 0xbe, 0x07}, L, 1, 3, 0, .ext = SX, .dest_size = 2},
    {"66 0f bf", 16, {0x66, 0x0f, 0xbf, 0x07}, L, 2, 4, 0, .ext = SX, .dest_size = 4},
    {"a0", 16, {0xa0, 1, 2}, L, 1, 3, 0, .dest_size = 1},
    {"a2", 16, {0xa2, 1, 2}, S, 1, 3, 0, .imm = 0},
    {"66 a3", 16, {0x66, 0xa3, 1, 2}, S, 4, 4, 0, .imm = 0},
    {"2e 8b cs:[disp16]", 16, {0x2e, 0x8b, 0x1e, 0x00, 0x80}, L, 2, 5, 3, .dest_size = 2},
};

static void test_opcodes_16(void **state)
{
	(void)state;
	CHECK(ops16);
}

static void test_over_15_bytes(void **state)
{
	u8 b[32];
	struct mmio_insn in;

	(void)state;
	/* 9 prefixes + 8b 80 disp32 = 15 bytes is fine, 10 prefixes = 16 bytes is not */
	memset(b, 0x3e, sizeof(b));
	b[9] = 0x8b, b[10] = 0x80, b[11] = 1, b[12] = 2, b[13] = 3, b[14] = 4;
	assert_int_equal(mmio_decode(b, 15, 64, &in), 0);
	assert_int_equal(in.len, 15);
	memset(b, 0x3e, sizeof(b));
	b[10] = 0x8b, b[11] = 0x80;
	expect_rc(b, 16, 64, -EINVAL);
	expect_rc(b, 15, 64, -EINVAL); /* known to need 16 bytes: not a fetch problem */
	expect_rc(b, 12, 64, -EINVAL); /* ModRM says disp32 follows: 16 bytes */
	expect_rc(b, 11, 64, -EFAULT); /* ModRM missing: could still fit as far as we know */
	/* an endless prefix run */
	memset(b, 0x66, sizeof(b));
	expect_rc(b, sizeof(b), 64, -EINVAL);
	expect_rc(b, 15, 32, -EINVAL);
	expect_rc(b, 14, 16, -EFAULT);
	/* a long immediate pushes it over */
	{
		const u8 c[] = {0x66, 0x67, 0x26, 0x64, 0x65, 0x48, 0xc7, 0x84,
				0x24, 1,    2,	  3,	4,    5,    6,	  7};
		expect_rc(c, sizeof(c), 64, -EINVAL);
	}
	/* avail larger than 15 is fine */
	memset(b, 0, sizeof(b));
	b[0] = 0x8b, b[1] = 0x00;
	assert_int_equal(mmio_decode(b, sizeof(b), 64, &in), 0);
	assert_int_equal(in.len, 2);
}

/* ---- refusals ---- */

static void test_refuse_rep_and_strings(void **state)
{
	(void)state;
	EXPECT(64, -EINVAL, 0xf3, 0xa5);	     /* rep movsd */
	EXPECT(64, -EINVAL, 0xf3, 0x48, 0xa5);	     /* rep movsq */
	EXPECT(64, -EINVAL, 0xf3);		     /* refused before the opcode is even there */
	EXPECT(32, -EINVAL, 0xf2, 0x89, 0x00);	     /* repne mov */
	EXPECT(64, -EINVAL, 0x3e, 0xf3, 0x8b, 0x00); /* rep after another prefix */
	EXPECT(64, -EINVAL, 0xa5);		     /* movs */
	EXPECT(64, -EINVAL, 0xab);		     /* stos */
	EXPECT(64, -EINVAL, 0xa4);
	EXPECT(64, -EINVAL, 0xac); /* lods */
}

static void test_refuse_register_operand(void **state)
{
	(void)state;
	EXPECT(64, -EINVAL, 0x89, 0xc0);
	EXPECT(64, -EINVAL, 0x8b, 0xc8);
	EXPECT(64, -EINVAL, 0x88, 0xe0);
	EXPECT(64, -EINVAL, 0x8a, 0xff);
	EXPECT(64, -EINVAL, 0xc6, 0xc0, 0x01);
	EXPECT(64, -EINVAL, 0xc7, 0xc0, 1, 2, 3, 4);
	EXPECT(64, -EINVAL, 0x0f, 0xb6, 0xc0);
	EXPECT(64, -EINVAL, 0x48, 0x63, 0xc0);
	EXPECT(16, -EINVAL, 0x8b, 0xc0);
	EXPECT(64, -EINVAL, 0x8b, 0xc0); /* -EINVAL needs no more bytes */
}

static void test_refuse_unknown(void **state)
{
	(void)state;
	EXPECT(64, -EINVAL, 0x90);
	EXPECT(64, -EINVAL, 0x01, 0x00);			 /* add */
	EXPECT(64, -EINVAL, 0x87, 0x00);			 /* xchg */
	EXPECT(64, -EINVAL, 0xc6, 0x08, 0x00);			 /* c6 /1 */
	EXPECT(64, -EINVAL, 0xc7, 0x38, 1, 2, 3, 4);		 /* c7 /7 */
	EXPECT(64, -EINVAL, 0x0f, 0x05);			 /* syscall */
	EXPECT(64, -EINVAL, 0x0f, 0xb8, 0x00);			 /* popcnt without f3 */
	EXPECT(64, -EINVAL, 0xc5, 0xf9, 0x6f, 0x00);		 /* VEX */
	EXPECT(64, -EINVAL, 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x00); /* EVEX */
	EXPECT(64, -EINVAL, 0x63, 0x08);			 /* movsxd without REX.W */
	EXPECT(32, -EINVAL, 0x63, 0x08);			 /* arpl */
	EXPECT(32, -EINVAL, 0x48, 0x8b, 0x00);			 /* dec eax in 32-bit mode */
	EXPECT(16, -EINVAL, 0x41, 0x8b, 0x00);
	EXPECT(64, -EINVAL, 0xf0, 0x8b, 0x00); /* lock load */
	EXPECT(64, -EINVAL, 0xf0, 0x0f, 0xb6, 0x00);
	EXPECT(64, -EINVAL, 0xf0, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8);
}

static void test_refuse_bad_mode(void **state)
{
	static const unsigned int modes[] = {0, 8, 15, 17, 33, 63, 65, 128};
	const u8 b[] = {0x8b, 0x00};
	struct mmio_insn in;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		assert_int_equal(mmio_decode(b, sizeof(b), modes[i], &in), -EINVAL);
}

static void test_empty_input(void **state)
{
	struct mmio_insn in;

	(void)state;
	assert_int_equal(mmio_decode(NULL, 0, 64, &in), -EFAULT);
	assert_int_equal(mmio_decode(NULL, 8, 64, &in), -EFAULT); /* no buffer: nothing to read */
	expect_rc((const u8 *)"", 0, 32, -EFAULT);
}

/* Prefix-only input of every length is -EFAULT (more bytes could make it valid). */
static void test_truncated_prefix_runs(void **state)
{
	const u8 p[] = {0x66, 0x67, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0xf0, 0x66, 0x48};

	(void)state;
	for (size_t n = 0; n <= sizeof(p); n++) {
		expect_rc(p, n, 64, -EFAULT);
		if (n < sizeof(p)) /* the trailing 48 is an opcode (dec) outside 64-bit mode */
			expect_rc(p, n, 32, -EFAULT);
	}
	expect_rc(p, sizeof(p), 32, -EINVAL);
	EXPECT(64, -EFAULT, 0x0f);	       /* two-byte opcode cut */
	EXPECT(64, -EFAULT, 0x48, 0x0f, 0xbf); /* ModRM cut */
	EXPECT(64, -EFAULT, 0x8b, 0x04);       /* SIB cut */
	EXPECT(64, -EFAULT, 0xa1, 1, 2, 3, 4); /* moffs64 cut */
}

/* ---- mmio_apply_load ---- */

static u64 apply(const u8 *b, size_t n, unsigned int mode, u64 old, u64 value)
{
	struct mmio_insn in;

	assert_int_equal(mmio_decode(b, n, mode, &in), 0);
	assert_int_equal(in.op, MMIO_LOAD);
	return mmio_apply_load(old, &in, value);
}
#define APPLY(mode, old, value, ...)                     \
	({                                               \
		const u8 _b[] = {__VA_ARGS__};           \
		apply(_b, sizeof(_b), mode, old, value); \
	})

static void test_apply_plain(void **state)
{
	const u64 old = 0x1122334455667788ULL;

	(void)state;
	/* 32-bit writes zero-extend */
	assert_int_equal(APPLY(64, old, ~0ULL, 0x8b, 0x00), 0xffffffffULL);
	assert_int_equal(APPLY(64, old, 0xaabbccdd12345678ULL, 0x8b, 0x00), 0x12345678ULL);
	/* 64-bit */
	assert_int_equal(APPLY(64, old, ~0ULL, 0x48, 0x8b, 0x00), ~0ULL);
	/* 16-bit merges */
	assert_int_equal(APPLY(64, old, ~0ULL, 0x66, 0x8b, 0x00), 0x112233445566ffffULL);
	assert_int_equal(APPLY(16, old, 0xabcd1234, 0x8b, 0x00), 0x1122334455661234ULL);
	/* 8-bit merges, low and high byte */
	assert_int_equal(APPLY(64, old, ~0ULL, 0x8a, 0x00), 0x11223344556677ffULL);
	assert_int_equal(APPLY(64, old, 0x1ab, 0x8a, 0x20), 0x112233445566ab88ULL);	 /* ah */
	assert_int_equal(APPLY(64, old, 0xab, 0x40, 0x8a, 0x20), 0x11223344556677abULL); /* spl */
	/* moffs */
	assert_int_equal(APPLY(64, old, ~0ULL, 0xa0, 1, 2, 3, 4, 5, 6, 7, 8),
			 0x11223344556677ffULL);
	assert_int_equal(APPLY(32, old, ~0ULL, 0xa1, 1, 2, 3, 4), 0xffffffffULL);
}

static void test_apply_extend(void **state)
{
	const u64 old = 0x1122334455667788ULL;

	(void)state;
	/* movzx byte -> 32/64/16 */
	assert_int_equal(APPLY(64, old, ~0ULL, 0x0f, 0xb6, 0x00), 0xffULL);
	assert_int_equal(APPLY(64, old, ~0ULL, 0x48, 0x0f, 0xb6, 0x00), 0xffULL);
	assert_int_equal(APPLY(64, old, ~0ULL, 0x66, 0x0f, 0xb6, 0x00), 0x11223344556600ffULL);
	/* movzx word */
	assert_int_equal(APPLY(64, old, 0x12348765, 0x48, 0x0f, 0xb7, 0x00), 0x8765ULL);
	/* movsx byte: negative and positive */
	assert_int_equal(APPLY(64, old, ~0ULL, 0x48, 0x0f, 0xbe, 0x00), ~0ULL);
	assert_int_equal(APPLY(64, old, 0x80, 0x0f, 0xbe, 0x00), 0xffffff80ULL);
	assert_int_equal(APPLY(64, old, 0x17f, 0x48, 0x0f, 0xbe, 0x00), 0x7fULL);
	assert_int_equal(APPLY(64, old, 0x80, 0x66, 0x0f, 0xbe, 0x00), 0x112233445566ff80ULL);
	/* movsx word */
	assert_int_equal(APPLY(64, old, 0x8000, 0x48, 0x0f, 0xbf, 0x00), 0xffffffffffff8000ULL);
	assert_int_equal(APPLY(64, old, 0x8000, 0x0f, 0xbf, 0x00), 0xffff8000ULL);
	assert_int_equal(APPLY(64, old, 0x18000, 0x66, 0x0f, 0xbf, 0x00), 0x1122334455668000ULL);
	/* movsxd */
	assert_int_equal(APPLY(64, old, 0x80000000ULL, 0x48, 0x63, 0x00), 0xffffffff80000000ULL);
	assert_int_equal(APPLY(64, old, 0xffffffff7fffffffULL, 0x48, 0x63, 0x00), 0x7fffffffULL);
	assert_int_equal(APPLY(64, old, ~0ULL, 0x48, 0x63, 0x00), ~0ULL);
}

static void test_apply_refuses_non_loads(void **state)
{
	struct mmio_insn in = {.op = MMIO_STORE, .size = 4, .dest_size = 4, .reg = 0};

	(void)state;
	assert_int_equal(mmio_apply_load(42, &in, ~0ULL), 42);
	in.op = MMIO_LOAD;
	in.size = 3;
	assert_int_equal(mmio_apply_load(42, &in, ~0ULL), 42);
	in.size = 4;
	in.dest_size = 5;
	assert_int_equal(mmio_apply_load(42, &in, ~0ULL), 42);
	in.dest_size = 4;
	in.high_byte = true;
	assert_int_equal(mmio_apply_load(42, &in, ~0ULL), 42);
	in.high_byte = false;
	assert_int_equal(mmio_apply_load(42, &in, ~0ULL), 0xffffffffULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mov_64),
	    cmocka_unit_test(test_rex_registers),
	    cmocka_unit_test(test_high_byte_registers),
	    cmocka_unit_test(test_addressing_32_64),
	    cmocka_unit_test(test_addressing_16_and_size_prefixes),
	    cmocka_unit_test(test_opcodes_32),
	    cmocka_unit_test(test_immediates_and_moffs_64),
	    cmocka_unit_test(test_movzx_movsx_64),
	    cmocka_unit_test(test_segments_and_15_bytes),
	    cmocka_unit_test(test_over_15_bytes),
	    cmocka_unit_test(test_rex_b_keeps_modrm_forms),
	    cmocka_unit_test(test_opcodes_16),
	    cmocka_unit_test(test_refuse_rep_and_strings),
	    cmocka_unit_test(test_refuse_register_operand),
	    cmocka_unit_test(test_refuse_unknown),
	    cmocka_unit_test(test_refuse_bad_mode),
	    cmocka_unit_test(test_empty_input),
	    cmocka_unit_test(test_truncated_prefix_runs),
	    cmocka_unit_test(test_apply_plain),
	    cmocka_unit_test(test_apply_extend),
	    cmocka_unit_test(test_apply_refuses_non_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
