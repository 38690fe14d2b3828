/* Vendor-neutral instruction emulation for exit handlers: registers, CPU mode, port I/O, MMIO. */
#ifndef ASM_HVM_EMULATE_H
#define ASM_HVM_EMULATE_H

#include <asm/guest_walk.h>
#include <asm/hvm.h>
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
/*
 * Fetch up to @max instruction bytes at CS:RIP as the guest's own fetch (CS base outside 64-bit
 * mode, its CPL, NX and SMEP), stopping where one faults; returns the count. No fault is injected.
 * The CS limit is not checked: the CPU checked it when it fetched the instruction that exited.
 */
size_t hvm_fetch_insn(struct vcpu *v, u8 *buf, size_t max);

/*
 * The linear address of @offset (already cut to the address size) in segment @seg for a data
 * access of @size bytes: 0; or -EFAULT after injecting #GP(0)/#SS(0) as the CPU would (unusable
 * segment, wrong type for the access, beyond the limit; non-canonical in 64-bit mode).
 */
int hvm_segment_linear(struct vcpu *v, enum x86_seg seg, u64 offset, unsigned int size, bool write,
		       u64 *la);

/* A linear range of at most a page, translated: at most two pieces of guest-physical memory. */
#define HVM_LINEAR_MAX_PIECES 2
struct hvm_linear {
	unsigned int n;
	u64 gpa[HVM_LINEAR_MAX_PIECES];
	unsigned int len[HVM_LINEAR_MAX_PIECES];
};
/*
 * Translate [@la, @la + @len) (@len <= 4096) for an access @acc with privilege @priv. 0; -EFAULT
 * after injecting the guest's #PF (CR2, error code) or #GP (non-canonical); -EAGAIN if the
 * guest's tables kept changing (resume it to retry the instruction); -EIO when the domain was
 * crashed (its page tables are not in its memory).
 */
int hvm_linear_translate(struct vcpu *v, u64 la, unsigned int len, enum guest_access acc,
			 enum guest_priv priv, struct hvm_linear *out);
/* Copy between @buf and the translated range: RAM, or a device model's MMIO; -EIO if neither. */
int hvm_linear_copy(struct vcpu *v, const struct hvm_linear *m, void *buf, bool write);
/* Both steps; the same results. */
int hvm_linear_read(struct vcpu *v, u64 la, void *buf, unsigned int len, enum guest_priv priv);
int hvm_linear_write(struct vcpu *v, u64 la, const void *buf, unsigned int len,
		     enum guest_priv priv);

/* A port I/O exit as the vendor reports it. */
struct hvm_io_insn {
	u16 port;
	unsigned int size; /* 1, 2 or 4 */
	bool in, string, rep;
	/* INS/OUTS, where the vendor decoded them (else the prefixes at RIP are read): */
	unsigned int addr_size; /* 16, 32 or 64; 0 if not known */
	int seg;		/* OUTS: the source segment (enum x86_seg); -1 if not known */
};
/* IN/OUT/INS/OUTS through the domain's port table (arch/x86/hvm/ioport.c, string_io.c). */
enum hvm_emul hvm_emulate_io(struct vcpu *v, const struct hvm_io_insn *io);
enum hvm_emul hvm_emulate_string_io(struct vcpu *v, const struct hvm_io_insn *io);
/*
 * The address size (16/32/64) and the source segment (enum x86_seg; DS unless overridden) of the
 * INS/OUTS instruction in @b[0..@n) for a guest in @mode, from its prefixes; -EINVAL if @b is not
 * one.
 */
int hvm_string_io_prefixes(const u8 *b, size_t n, unsigned int mode, unsigned int *addr_size,
			   int *seg);
/* A port read (all ones where no device is) and a port write (dropped where none is). */
u32 hvm_port_read(struct vcpu *v, u16 port, unsigned int size);
void hvm_port_write(struct vcpu *v, u16 port, unsigned int size, u32 val);
/* A data access to guest-physical @gpa that faulted: emulate it if a device claims @gpa. */
enum hvm_emul hvm_emulate_mmio(struct vcpu *v, u64 gpa);

#endif
