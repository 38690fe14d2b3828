/* INS/OUTS: string port I/O, one element per exit; inputs store what the port reads. */
#include <asm/hvm.h>
#include <asm/hvm_emulate.h>
#include <keel/domain.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>

#define EFLAGS_DF (1u << 10)

enum hvm_emul hvm_emulate_string_io(struct vcpu *v, const struct hvm_io_insn *io)
{
	struct guest_gprs *g = &v->arch.gprs;
	u64 count = io->rep ? g->rcx : 1;
	int step = (hvm_ops->get_reg(v, HVM_REG_RFLAGS) & EFLAGS_DF) ? -1 : 1;

	if (count) {
		if (io->in) {
			u32 val = hvm_port_read(v, io->port, io->size);

			if (copy_to_guest(v, g->rdi, &val, io->size)) {
				hvm_ops->inject_exception(v, 14, true, 2);
				return HVM_EMUL_DONE;
			}
			g->rdi += (u64)(step * (int)io->size);
		} else {
			g->rsi += (u64)(step * (int)io->size);
		}
		if (io->rep && --g->rcx)
			return HVM_EMUL_DONE; /* re-execute for the next element */
	}
	hvm_ops->skip_insn(v, hvm_ops->exit_insn_len(v));
	return HVM_EMUL_DONE;
}
