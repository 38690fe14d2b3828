/* Vendor-neutral instruction emulation for exit handlers: registers, CPU mode, port I/O, MMIO. */
#ifndef ASM_HVM_EMULATE_H
#define ASM_HVM_EMULATE_H

#include <keel/types.h>

struct vcpu;

/* What an emulation did; the vendor's exit handler turns it into its own next step. */
enum hvm_emul {
	HVM_EMUL_DONE,	    /* completed, or an exception was injected: resume the guest */
	HVM_EMUL_DEAD,	    /* the domain was crashed */
	HVM_EMUL_UNCLAIMED, /* MMIO: no device at the address; the caller decides */
};

/* General-purpose register @n (Intel numbering: 0 RAX .. 4 RSP .. 15 R15), all 64 bits. */
u64 hvm_read_gpr(struct vcpu *v, unsigned int n);
void hvm_write_gpr(struct vcpu *v, unsigned int n, u64 val);
/* The guest's operating mode: 64 (64-bit code), 32 or 16 (by CS.L with EFER.LMA, and CS.D). */
unsigned int hvm_guest_mode(struct vcpu *v);
/* Fetch up to @max instruction bytes at the guest RIP, stopping at an unmapped page; the count. */
size_t hvm_fetch_insn(struct vcpu *v, u8 *buf, size_t max);

/* A port I/O exit as the vendor reports it. */
struct hvm_io_insn {
	u16 port;
	unsigned int size; /* 1, 2 or 4 */
	bool in, string, rep;
};
/* IN/OUT/INS/OUTS through the domain's port table (arch/x86/hvm/ioport.c, string_io.c). */
enum hvm_emul hvm_emulate_io(struct vcpu *v, const struct hvm_io_insn *io);
enum hvm_emul hvm_emulate_string_io(struct vcpu *v, const struct hvm_io_insn *io);
/* A port read (all ones where no device is) and a port write (dropped where none is). */
u32 hvm_port_read(struct vcpu *v, u16 port, unsigned int size);
void hvm_port_write(struct vcpu *v, u16 port, unsigned int size, u32 val);
/* A data access to guest-physical @gpa that faulted: emulate it if a device claims @gpa. */
enum hvm_emul hvm_emulate_mmio(struct vcpu *v, u64 gpa);

#endif
