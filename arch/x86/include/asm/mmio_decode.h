/* Decoder for the x86 MOV-family guest instructions Keel emulates on MMIO device accesses. */
#ifndef ASM_MMIO_DECODE_H
#define ASM_MMIO_DECODE_H

#include <keel/compiler.h>
#include <keel/types.h>

/*
 * When a guest touches an MMIO GPA that an emulated device claims (arch/x86/hvm/mmio.c), the
 * EPT-violation exit gives the GPA and the access type; to complete the access Keel decodes the
 * instruction at the guest's CS:RIP with mmio_decode() to learn the register, the operand size
 * and extension, and the instruction length to skip, and calls the device.
 *
 * Supported (memory operand only, any ModRM/SIB/displacement form, RIP-relative in 64-bit mode):
 *   88 /r  MOV r/m8, r8            (STORE, size 1)
 *   89 /r  MOV r/m, r              (STORE, size 2/4/8)
 *   8A /r  MOV r8, r/m8            (LOAD, size 1)
 *   8B /r  MOV r, r/m              (LOAD, size 2/4/8)
 *   C6 /0  MOV r/m8, imm8          (STORE of an immediate)
 *   C7 /0  MOV r/m, imm16/imm32    (STORE; imm32 sign-extended to 64 with REX.W)
 *   0F B6 / 0F B7  MOVZX r, r/m8 / r/m16
 *   0F BE / 0F BF  MOVSX r, r/m8 / r/m16
 *   REX.W 63       MOVSXD r64, r/m32 (64-bit mode only)
 *   A0..A3         MOV AL/rAX <-> moffs (moffs is the address size: 8/4/2 bytes)
 * Prefixes: 66, 67, segment overrides 2E/36/3E/26/64/65, REX 40..4F (64-bit mode; as on hardware,
 * a REX followed by another prefix is ignored), LOCK F0 on stores only (hardware raises #UD
 * for LOCK MOV, so it never reaches Keel; accepting it is harmless). F2/F3 are refused.
 */

#define MMIO_INSN_MAX_LEN 15 /* architectural instruction length limit */

enum mmio_op { MMIO_LOAD, MMIO_STORE };

enum mmio_ext {
	MMIO_EXT_NONE, /* plain MOV */
	MMIO_EXT_ZERO, /* MOVZX */
	MMIO_EXT_SIGN, /* MOVSX, MOVSXD */
};

struct mmio_insn {
	enum mmio_op op;
	unsigned int size; /* memory access size in bytes: 1, 2, 4 or 8 */
	unsigned int len;  /* instruction length in bytes (1..15), to advance RIP */
	/*
	 * LOAD: destination GPR; STORE: source GPR, or -1 for a store of an immediate.
	 * Numbering is Intel's: 0..15 = RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15. For
	 * AH/CH/DH/BH, @reg is the GPR that holds the byte (0..3) and @high_byte is set.
	 */
	int reg;
	bool high_byte;		/* the byte is bits 15:8 of @reg (AH/CH/DH/BH; only with size 1) */
	enum mmio_ext ext;	/* extension of the loaded value into the destination */
	unsigned int dest_size; /* LOAD: register width written (1, 2, 4 or 8); STORE: 0 */
	bool rip_relative;	/* memory operand is RIP/EIP-relative (64-bit mode, mod=0 rm=5) */
	u64 imm;		/* STORE of an immediate: the value stored (already @size wide) */
};

/*
 * Decode the instruction in @bytes[0..@avail) for a guest in @mode (16, 32 or 64 bit).
 * Returns 0 and fills @out; -EINVAL if it is not an instruction Keel emulates (or longer than
 * 15 bytes, or @mode is bad); -EFAULT if it needs more than @avail bytes. Never reads past @avail.
 */
int mmio_decode(const u8 *bytes, size_t avail, unsigned int mode, struct mmio_insn *out);

/*
 * The new value of the destination register of a LOAD @in that read @value from memory, per x86
 * rules: @value is truncated to @in->size and extended (@in->ext) to @in->dest_size; a 4-byte
 * write zero-extends to 64 bits, 1/2-byte writes merge into bits 7:0 or 15:0 (15:8 for
 * high_byte) of @old_reg. Returns @old_reg unchanged for a STORE or a malformed @in.
 */
u64 mmio_apply_load(u64 old_reg, const struct mmio_insn *in, u64 value);

#endif
