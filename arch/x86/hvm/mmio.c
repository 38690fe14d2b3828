/* Emulated MMIO: a data access that faulted on a device range: decode it, call the device model. */
#include <asm/hvm.h>
#include <asm/hvm_emulate.h>
#include <asm/hvm_io.h>
#include <asm/mmio_decode.h>
#include <keel/device_owner.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

static enum hvm_emul cannot_emulate(struct vcpu *v, u64 gpa, const char *why)
{
	hvm_ops->vcpu_dump(v);
	domain_crash(v->domain,
		     "vCPU %u: cannot emulate the MMIO access to GPA %#llx at RIP %#llx (%s)",
		     v->id, gpa, hvm_ops->get_reg(v, HVM_REG_RIP), why);
	return HVM_EMUL_DEAD;
}

/* The value a STORE writes: the immediate, or the source register (AH..BH: bits 15:8). */
static u64 store_value(struct vcpu *v, const struct mmio_insn *in)
{
	u64 val = in->reg < 0 ? in->imm : hvm_read_gpr(v, (unsigned int)in->reg);

	if (in->high_byte)
		val >>= 8;
	return in->size == 8 ? val : val & ((1ULL << (in->size * 8)) - 1);
}

static int read_ones(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	*val = ~0ULL;
	return 0;
}

static int drop(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	return 0;
}

/* For dom0, a page assigned to another domain is not mapped: it reads as nothing is there. */
static const struct hvm_io_ops withheld = {.read = read_ones, .write = drop};

static bool withheld_from_dom0(struct vcpu *v, u64 gpa, struct hvm_io_range *out)
{
	if (!v->domain->arch.io_passthrough || !devown_owner(DEVOWN_MMIO, gpa, gpa))
		return false;
	*out =
	    (struct hvm_io_range){gpa, gpa, "a page assigned to another domain", &withheld, NULL};
	return true;
}

enum hvm_emul hvm_emulate_mmio(struct vcpu *v, u64 gpa)
{
	u8 bytes[MMIO_INSN_MAX_LEN];
	struct hvm_io_range dev;
	struct mmio_insn in;
	size_t n;
	u64 val;
	int rc;

	if (!hvm_io_lookup(&v->domain->arch.mmio, gpa, &dev) && !withheld_from_dom0(v, gpa, &dev))
		return HVM_EMUL_UNCLAIMED;
	n = hvm_fetch_insn(v, bytes, sizeof(bytes));
	rc = mmio_decode(bytes, n, hvm_guest_mode(v), &in);
	if (rc)
		return cannot_emulate(
		    v, gpa, rc == -EFAULT ? "instruction unreadable" : "unsupported instruction");
	if (in.op == MMIO_LOAD) {
		rc = dev.ops->read(v, dev.priv, gpa, in.size, &val);
		if (!rc)
			hvm_write_gpr(
			    v, (unsigned int)in.reg,
			    mmio_apply_load(hvm_read_gpr(v, (unsigned int)in.reg), &in, val));
	} else {
		rc = dev.ops->write(v, dev.priv, gpa, in.size, store_value(v, &in));
	}
	if (rc) {
		domain_crash(v->domain, "vCPU %u: device '%s' failed the access to GPA %#llx (%d)",
			     v->id, dev.name, gpa, rc);
		return HVM_EMUL_DEAD;
	}
	hvm_ops->skip_insn(v, in.len);
	return HVM_EMUL_DONE;
}
