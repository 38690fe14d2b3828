/* INS/OUTS: string port I/O through the guest's segments, address size and page permissions. */
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/hvm_emulate.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

/*
 * Each element's address is computed here from the segment and the index register cut to the
 * address size (the exit's guest-linear-address field would give only the first one), with the
 * segment's checks, then translated with the guest's rights before the port is touched.
 */

/* Elements moved per exit; a longer REP re-executes, so interrupts are taken in between. */
#define STRING_IO_BATCH 128
#define INSN_MAX_LEN	15

int hvm_string_io_prefixes(const u8 *b, size_t n, unsigned int mode, unsigned int *addr_size,
			   int *seg)
{
	bool addr_override = false;

	*seg = X86_SEG_DS;
	for (size_t i = 0; i < n && i < INSN_MAX_LEN; i++) {
		switch (b[i]) {
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			*seg = (b[i] >> 3) & 3; /* ES, CS, SS, DS */
			break;
		case 0x64:
		case 0x65:
			*seg = b[i] == 0x64 ? X86_SEG_FS : X86_SEG_GS;
			break;
		case 0x67:
			addr_override = true;
			break;
		case 0x66:
		case 0xf0:
		case 0xf2:
		case 0xf3:
			break;
		default:
			if (mode == 64 && (b[i] & 0xf0) == 0x40)
				break; /* REX */
			if (b[i] < 0x6c || b[i] > 0x6f)
				return -EINVAL;
			if (!addr_override)
				*addr_size = mode;
			else
				*addr_size =
				    mode == 32 ? 16 : 32; /* 64 -> 32, 32 -> 16, 16 -> 32 */
			return 0;
		}
	}
	return -EINVAL;
}

/* @reg after writing @val to its low @addr_size bits (a 32-bit write clears bits 63:32). */
static u64 set_low(u64 reg, u64 val, unsigned int addr_size)
{
	if (addr_size == 16)
		return (reg & ~0xffffULL) | (val & 0xffff);
	return addr_size == 32 ? (u32)val : val;
}

/* Move one element between the port and memory at @offset; 0 or the emulation's error. */
static int move_element(struct vcpu *v, const struct hvm_io_insn *io, enum x86_seg seg, u64 offset,
			enum guest_priv priv)
{
	struct hvm_linear m;
	u64 la, val = 0;
	int rc;

	rc = hvm_segment_linear(v, seg, offset, io->size, io->in, &la);
	/* The memory operand is checked before the port is touched: a fault loses no input. */
	rc = rc
		 ?: hvm_linear_translate(v, la, io->size, io->in ? GUEST_WRITE : GUEST_READ, priv,
					 &m);
	if (rc)
		return rc;
	if (io->in) {
		val = hvm_port_read(v, io->port, io->size);
		return hvm_linear_copy(v, &m, &val, true);
	}
	rc = hvm_linear_copy(v, &m, &val, false);
	if (!rc)
		hvm_port_write(v, io->port, io->size, (u32)val);
	return rc;
}

enum hvm_emul hvm_emulate_string_io(struct vcpu *v, const struct hvm_io_insn *io)
{
	struct guest_gprs *g = &v->arch.gprs;
	unsigned int addr_size = io->addr_size;
	int seg = io->in ? X86_SEG_ES : io->seg;
	enum guest_priv priv = guest_current_priv(v);
	bool down = hvm_ops->get_reg(v, HVM_REG_RFLAGS) & X86_EFLAGS_DF;
	u64 *index = io->in ? &g->rdi : &g->rsi, mask;

	if (!addr_size || seg < 0) {
		u8 insn[INSN_MAX_LEN];
		size_t n = hvm_fetch_insn(v, insn, sizeof(insn));
		unsigned int decoded_size = 0;
		int decoded_seg = X86_SEG_DS;

		if (hvm_string_io_prefixes(insn, n, hvm_guest_mode(v), &decoded_size,
					   &decoded_seg)) {
			hvm_ops->vcpu_dump(v);
			domain_crash(v->domain,
				     "vCPU %u: cannot decode the string I/O at RIP %#llx", v->id,
				     hvm_ops->get_reg(v, HVM_REG_RIP));
			return HVM_EMUL_DEAD;
		}
		addr_size = addr_size ?: decoded_size;
		seg = seg < 0 ? decoded_seg : seg;
	}
	mask = addr_size == 64 ? ~0ULL : (1ULL << addr_size) - 1;
	for (unsigned int done = 0; done < STRING_IO_BATCH; done++) {
		int rc;

		if (io->rep && !(g->rcx & mask))
			break;
		rc = move_element(v, io, (enum x86_seg)seg, *index & mask, priv);
		if (rc == -EIO || v->domain->state != DOMAIN_RUNNING)
			return HVM_EMUL_DEAD;
		if (rc) /* a fault was injected, or a retry: RIP stays, the registers say how far */
			return HVM_EMUL_DONE;
		*index = set_low(*index, down ? *index - io->size : *index + io->size, addr_size);
		if (!io->rep)
			break;
		g->rcx = set_low(g->rcx, g->rcx - 1, addr_size);
	}
	if (io->rep && (g->rcx & mask))
		return HVM_EMUL_DONE; /* more to do: the instruction runs again */
	hvm_ops->skip_insn(v, hvm_ops->exit_insn_len(v));
	return HVM_EMUL_DONE;
}
