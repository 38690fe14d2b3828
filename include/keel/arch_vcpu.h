/* What arch-neutral domain and vCPU code asks of the architecture (arch/x86/hvm/arch_vcpu.c). */
#ifndef KEEL_ARCH_VCPU_H
#define KEEL_ARCH_VCPU_H

#include <keel/types.h>

struct domain;
struct vcpu;

/*
 * Why a vCPU leaves its CPU, from the exit handler that decides it through the vendor's run loop
 * to the CPU loop: one enum end to end. Exit handlers return VCPU_STAY to re-enter the guest.
 */
enum vcpu_leave {
	VCPU_STAY,	    /* not leaving: enter the guest again */
	VCPU_LEAVE_RESCHED, /* slice over, yield, kick or host work to do */
	VCPU_LEAVE_BLOCKED, /* the vCPU waits for an event */
	VCPU_LEAVE_DEAD,    /* its domain stopped */
};

bool arch_virt_available(void);
int arch_domain_init(struct domain *d);
void arch_domain_destroy(struct domain *d);
/* Map host frames [hpa, hpa+size) at guest-physical @gpa (RAM: write-back, RWX or RX). */
int arch_map_gpa(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable);
/*
 * Remove [gpa, gpa+size) from the physical map. 0 once every CPU has dropped its cached
 * translations; -ETIMEDOUT when the entries are gone but some CPU did not confirm the flush in
 * time: the frames must then stay allocated (until the domain is destroyed).
 */
int arch_unmap_gpa(struct domain *d, u64 gpa, u64 size);
/*
 * dom0: pass the host's devices through to @d: every address of the memory map @map (@n
 * entries) that is not RAM, and the holes below 4 GiB, mapped 1:1 as device memory except what
 * Keel keeps (local APIC, IO-APICs: emulated), I/O ports reach the hardware except Keel's own,
 * and device interrupts are routed to it. 0 or -errno.
 */
struct pvh_memmap_entry;
int arch_domain_passthrough(struct domain *d, const struct pvh_memmap_entry *map, unsigned int n);
/*
 * A domain other than dom0: give @d the devices @dev lists, already claimed for it
 * (keel/device_owner.h): its ports done on the hardware, its pages mapped 1:1 as uncached device
 * memory, its GSIs routed to a virtual IO-APIC of its own. 0 or -errno.
 */
struct domcfg_devices;
int arch_domain_assign_devices(struct domain *d, const struct domcfg_devices *dev);
/* The guest-physical address of @d's IO-APIC, for its MADT; 0 when it has none. */
u32 arch_domain_ioapic_gpa(const struct domain *d);
/* The host frame backing @gpa, or -EFAULT when @gpa is not (writable) guest memory. */
int arch_gpa_to_hpa(struct domain *d, u64 gpa, bool write, paddr_t *hpa);
int arch_vcpu_init(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
void arch_vcpu_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx);
/* A start by SIPI: real mode at CS:IP = (@vector << 8):0, registers from reset values. */
void arch_vcpu_set_sipi_entry(struct vcpu *v, u8 vector);
/* An interrupt (e.g. from the virtual LAPIC) that @v, loaded on this CPU, would take now. */
bool arch_vcpu_irq_pending(const struct vcpu *v);
/* HVMOP_set_evtchn_upcall_vector: @v's event upcall goes through its LAPIC as @vector. */
int arch_set_upcall_vector(struct vcpu *v, u8 vector);
/* Run @v on this CPU for at most @slice_ns; SCHED_SLICE_NONE (keel/sched.h): with no deadline. */
enum vcpu_leave arch_vcpu_run(struct vcpu *v, u64 slice_ns);
/* Print @v's registers (only while it is loaded on this CPU, i.e. from its exit handlers). */
void arch_vcpu_dump(struct vcpu *v);
/* Make a running vCPU on @cpu leave guest mode soon (an IPI). */
void arch_kick_cpu(unsigned int cpu);
/* Exit counters of @v by reason, for logs: calls @fn for every non-zero one. */
void arch_vcpu_exit_stats(struct vcpu *v, void (*fn)(const char *name, u64 count, void *ctx),
			  void *ctx);

#endif
