/* dom0's view of the host ACPI tables: new RSDP, root tables and MADT; the rest used in place. */
#ifndef KEEL_DOM0_ACPI_H
#define KEEL_DOM0_ACPI_H

#include <keel/acpi.h>
#include <keel/types.h>

/* Host tables dom0 never sees (DMAR/IVRS: the IOMMU is Keel's; MADT: rewritten). */
#define DOM0_ACPI_HIDE_HPET (1u << 0) /* Keel uses the HPET */

/* Room reserved at the end of dom0's RAM for the tables (marked ACPI data in its memory map). */
#define DOM0_ACPI_SIZE	    0x4000ULL
#define DOM0_ACPI_MAX_VCPUS 32

/*
 * Build, into @buf (@buflen bytes) addressed as guest-physical @gpa (16-byte aligned, below
 * 4 GiB), the tables dom0 starts from: an RSDP (at offset 0), an XSDT and an RSDT listing the
 * host's tables in place except the MADT, MCFG, DMAR, IVRS and what @hide says, and a new MADT:
 * one LAPIC per vCPU (vCPU i = processor UID i, APIC id 2i), the host's IO-APICs (dom0's virtual
 * ones mirror them), interrupt source overrides and PC-AT flag, and LINT1 as NMI; when the host
 * has an ECAM window for segment 0, a new MCFG naming only it (Keel traps it: asm/dom0_pci.h).
 * Returns the bytes used, -EINVAL for bad parameters or no usable host root table, -ENOSPC.
 */
int dom0_acpi_build(const struct acpi_info *host, unsigned int nr_vcpus, u32 hide, u64 gpa,
		    void *buf, size_t buflen);

/* Keel's parsed view of the host tables (arch/x86/boot/setup.c). */
const struct acpi_info *acpi_host_info(void);

#endif
