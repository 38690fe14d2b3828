/* libFuzzer target for arch/x86/hvm/mmio_decode.c: arbitrary bytes in every mode, self-consistency. */
#include <asm/mmio_decode.h>
#include <keel/errno.h>
#include <stdlib.h>
#include <string.h>

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_insn(const u8 *bytes, size_t avail, unsigned int mode, const struct mmio_insn *in)
{
	struct mmio_insn again;

	check(in->len >= 1 && in->len <= avail && in->len <= MMIO_INSN_MAX_LEN);
	check(in->size == 1 || in->size == 2 || in->size == 4 || in->size == 8);
	check(in->reg >= -1 && in->reg <= 15);
	check(in->op == MMIO_LOAD || in->op == MMIO_STORE);
	check(!in->high_byte || (in->size == 1 && in->reg >= 0 && in->reg <= 3));
	check(!in->rip_relative || mode == 64);
	if (in->op == MMIO_LOAD) {
		check(in->reg >= 0 && in->imm == 0);
		check(in->dest_size >= in->size && in->dest_size <= 8);
		check(in->ext != MMIO_EXT_NONE || in->dest_size == in->size);
		check(in->ext == MMIO_EXT_NONE || in->size < in->dest_size || in->size == 2);
	} else {
		check(in->dest_size == 0 && in->ext == MMIO_EXT_NONE);
		if (in->reg >= 0)
			check(in->imm == 0);
		else if (in->size < 8)
			check(in->imm >> (8 * in->size) == 0);
	}
	if (mode != 64)
		check(in->reg <= 7 && in->size != 8);

	/* Exactly len bytes decode the same; one fewer needs more. */
	check(mmio_decode(bytes, in->len, mode, &again) == 0);
	check(memcmp(in, &again, sizeof(again)) == 0);
	check(mmio_decode(bytes, in->len - 1, mode, &again) == -EFAULT);

	if (in->op == MMIO_LOAD) {
		u64 r = mmio_apply_load(0x0123456789abcdefULL, in, ~0ULL);

		if (in->dest_size == 4)
			check(r >> 32 == 0);
		if (in->dest_size == 8 && in->ext != MMIO_EXT_ZERO)
			check(r == ~0ULL);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const unsigned int modes[] = {16, 32, 64};
	struct mmio_insn in;
	unsigned int mode;
	u8 *buf;
	int rc;

	if (size < 1)
		return 0;
	/* First byte picks the mode (and occasionally a bad one); the rest is the fetch. */
	mode = (data[0] & 0x80) ? data[0] & 0x7f : modes[data[0] % 3];
	size--;
	buf = malloc(size ? size : 1); /* exactly the input, so ASan sees any over-read */
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size);

	memset(&in, 0xa5, sizeof(in));
	rc = mmio_decode(buf, size, mode, &in);
	check(rc == 0 || rc == -EINVAL || rc == -EFAULT);
	if (mode != 16 && mode != 32 && mode != 64)
		check(rc == -EINVAL);
	if (rc == 0)
		check_insn(buf, size, mode, &in);
	else if (rc == -EFAULT)
		check(size < MMIO_INSN_MAX_LEN);
	free(buf);
	return 0;
}
