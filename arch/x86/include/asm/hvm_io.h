/* Emulated devices of a domain: device-model callbacks and the per-domain MMIO and port tables. */
#ifndef ASM_HVM_IO_H
#define ASM_HVM_IO_H

#include <keel/spinlock.h>
#include <keel/types.h>

struct vcpu;
struct domain;

/*
 * A device model: what an access to its range does. @addr is the guest-physical address (MMIO)
 * or the port; @size is 1, 2, 4 or 8 bytes. Both return 0, or -errno to crash the domain (a
 * device model that cannot make sense of an access). The device that claims an access's first
 * byte gets all of it.
 */
struct hvm_io_ops {
	int (*read)(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val);
	int (*write)(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val);
};

/* One registered range [first, last] (inclusive, so a range may end at the top of the space). */
struct hvm_io_range {
	u64 first, last;
	const char *name;
	const struct hvm_io_ops *ops;
	void *priv;
};

#define HVM_IO_MAX_RANGES 40 /* dom0: its IO-APICs, the ECAM window, MSI-X tables */

/* Ranges sorted by address, never overlapping. The lock covers the array. */
struct hvm_io_table {
	spinlock_t lock;
	unsigned int nr;
	struct hvm_io_range r[HVM_IO_MAX_RANGES];
};

void hvm_io_table_init(struct hvm_io_table *t);
/*
 * Claim [@first, @first + @size) for a device: 0; -EINVAL for an empty or wrapping range or no
 * ops; -EEXIST if it overlaps a registered range; -ENOSPC when the table is full.
 */
int hvm_io_register(struct hvm_io_table *t, u64 first, u64 size, const char *name,
		    const struct hvm_io_ops *ops, void *priv);
/* Release exactly the range registered at [@first, @first + @size): 0 or -ENOENT. */
int hvm_io_unregister(struct hvm_io_table *t, u64 first, u64 size);
/*
 * The range holding @addr, copied to @out; false if none does. The copy is used after the lock
 * is dropped: a device model must stay valid until its vCPUs' accesses end (unregistering a
 * device of a running domain needs that guarantee from the caller).
 */
bool hvm_io_lookup(struct hvm_io_table *t, u64 addr, struct hvm_io_range *out);

/* The devices every domain has (arch/x86/hvm/devices.c). */
int hvm_domain_devices_init(struct domain *d);
/*
 * Claim [@first, @first + @size) of @d's MMIO for a device, inside the unclaimed-MMIO window
 * (which is split around it) or outside it; errors as hvm_io_register().
 */
int hvm_domain_claim_mmio(struct domain *d, u64 first, u64 size, const char *name,
			  const struct hvm_io_ops *ops, void *priv);
/* dom0 has the host's devices instead: drop the unclaimed-MMIO window and the guest FADT ports. */
void hvm_domain_devices_drop_domu(struct domain *d);
/* dom0's ports Keel keeps or filters (arch/x86/hvm/dom0_ports.c). */
int hvm_dom0_ports_init(struct domain *d);
void hvm_dom0_ports_free(struct domain *d);
/* A port access no device claims, done on the hardware (dom0, and a domain's own ports). */
u32 hvm_port_passthrough_read(u16 port, unsigned int size);
void hvm_port_passthrough_write(u16 port, unsigned int size, u32 val);
/* The guest FADT's sleep control/status and reset registers (arch/x86/hvm/acpi_ports.c). */
int hvm_acpi_ports_init(struct domain *d);

#endif
