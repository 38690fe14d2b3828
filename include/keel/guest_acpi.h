/* The ACPI tables Keel builds for a guest: RSDP, RSDT/XSDT, FADT, MADT, DSDT in one page. */
#ifndef KEEL_GUEST_ACPI_H
#define KEEL_GUEST_ACPI_H

#include <keel/types.h>

/*
 * Where a PVH guest finds them: the page Xen uses, in the hole below 4 GiB. The memmap marks it
 * ACPI data (pvh_info.c); the RSDP is at its start and hvm_start_info.rsdp_paddr points there.
 */
#define GUEST_ACPI_GPA	0xFC000000ULL
#define GUEST_ACPI_SIZE 4096ULL

/*
 * The hardware-reduced ACPI registers the FADT names (system I/O, one byte each), emulated by
 * arch/x86/hvm/acpi_ports.c: Linux powers off by writing SLP_TYP (from \_S5) with SLP_EN to
 * the sleep control register, and resets through the reset register.
 */
#define GUEST_ACPI_SLEEP_CTL_PORT 0x0600
#define GUEST_ACPI_SLEEP_STS_PORT 0x0601
#define GUEST_ACPI_RESET_PORT	  0x0602
#define GUEST_ACPI_RESET_VALUE	  0x01
#define GUEST_ACPI_S5_SLP_TYP	  5
#define GUEST_ACPI_SLP_TYP_SHIFT  2
#define GUEST_ACPI_SLP_TYP_MASK	  (7u << GUEST_ACPI_SLP_TYP_SHIFT)
#define GUEST_ACPI_SLP_EN	  (1u << 5)
#define GUEST_ACPI_MAX_VCPUS	  32
#define GUEST_ACPI_LAPIC_ADDR	  0xFEE00000u
/* A domain given GSIs (irqs=) has one virtual IO-APIC here: id 1, GSI base 0 (arch/x86/hvm/vioapic.c). */
#define GUEST_ACPI_IOAPIC_ADDR 0xFEC00000u
#define GUEST_ACPI_IOAPIC_ID   1

/*
 * Build the tables for @nr_vcpus (1..GUEST_ACPI_MAX_VCPUS) vCPUs into @buf (@buflen bytes),
 * addressed as if copied to guest-physical @gpa (16-byte aligned, below 4 GiB). vCPU i is
 * ACPI processor i with APIC id 2i. Returns the bytes used (the RSDP at offset 0), -EINVAL
 * for bad parameters, -ENOSPC when @buflen is too small.
 */
int guest_acpi_build(unsigned int nr_vcpus, u64 gpa, void *buf, size_t buflen);
/* The same, and with @ioapic_addr non-zero the MADT lists an IO-APIC there (id 1, GSI base 0). */
int guest_acpi_build_ioapic(unsigned int nr_vcpus, u32 ioapic_addr, u64 gpa, void *buf,
			    size_t buflen);

struct domain;
/*
 * Build @d's tables (for its vCPU count) into frames populated for it at GUEST_ACPI_GPA, outside
 * its RAM reservation (common/domain_acpi.c): boot-time domains at build, domctl-created ones at
 * their first max_mem. 0 or -errno.
 */
int domain_load_acpi(struct domain *d);

#endif
