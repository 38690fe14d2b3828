/* Guest port I/O: IN/OUT through the domain's port table; ports no device claims read all ones. */
#include <asm/hvm.h>
#include <asm/hvm_emulate.h>
#include <asm/hvm_io.h>
#include <asm/io.h>
#include <keel/device_owner.h>
#include <keel/domain.h>
#include <keel/vcpu.h>

/*
 * dom0's ports no device claims reach the hardware, except those assigned to other domains
 * (keel/device_owner.h): for dom0 they are absent.
 */
static bool reaches_hardware(const struct vcpu *v, u16 port, unsigned int size)
{
	return v->domain->arch.io_passthrough &&
	       !devown_owner(DEVOWN_PORT, port, (u64)port + size - 1);
}

/* Crash @v's domain for a device model that refused an access (it cannot go on sensibly). */
static void device_failed(struct vcpu *v, const struct hvm_io_range *dev, u16 port, int rc)
{
	domain_crash(v->domain, "vCPU %u: device '%s' failed the access to port %#x (%d)", v->id,
		     dev->name, port, rc);
}

u32 hvm_port_read(struct vcpu *v, u16 port, unsigned int size)
{
	struct hvm_io_range dev;
	u64 val = ~0ULL;
	int rc;

	if (!hvm_io_lookup(&v->domain->arch.ports, port, &dev))
		return reaches_hardware(v, port, size) ? hvm_port_passthrough_read(port, size)
						       : 0xffffffffu;
	rc = dev.ops->read(v, dev.priv, port, size, &val);
	if (rc)
		device_failed(v, &dev, port, rc);
	return (u32)val;
}

void hvm_port_write(struct vcpu *v, u16 port, unsigned int size, u32 val)
{
	struct hvm_io_range dev;
	int rc;

	if (!hvm_io_lookup(&v->domain->arch.ports, port, &dev)) {
		if (reaches_hardware(v, port, size))
			hvm_port_passthrough_write(port, size, val);
		return;
	}
	rc = dev.ops->write(v, dev.priv, port, size, val);
	if (rc)
		device_failed(v, &dev, port, rc);
}

enum hvm_emul hvm_emulate_io(struct vcpu *v, const struct hvm_io_insn *io)
{
	struct guest_gprs *g = &v->arch.gprs;

	if (io->string)
		return hvm_emulate_string_io(v, io);
	if (io->in) {
		u64 mask = io->size == 4 ? 0xffffffffULL : ((1ULL << (io->size * 8)) - 1);
		u32 val = hvm_port_read(v, io->port, io->size);

		/* A 32-bit IN zero-extends into RAX; smaller ones keep the upper bits. */
		g->rax = io->size == 4 ? val : ((g->rax & ~mask) | (val & mask));
	} else {
		hvm_port_write(v, io->port, io->size, (u32)g->rax);
	}
	if (v->domain->state != DOMAIN_RUNNING)
		return HVM_EMUL_DEAD;
	hvm_ops->skip_insn(v, hvm_ops->exit_insn_len(v));
	return HVM_EMUL_DONE;
}

u32 hvm_port_passthrough_read(u16 port, unsigned int size)
{
	return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

void hvm_port_passthrough_write(u16 port, unsigned int size, u32 val)
{
	if (size == 1)
		outb(port, (u8)val);
	else if (size == 2)
		outw(port, (u16)val);
	else
		outl(port, val);
}
