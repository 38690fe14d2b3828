/* Guest ACPI tables: RSDP, RSDT/XSDT, a hardware-reduced FADT, the MADT and a small DSDT. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/string.h>

#include "acpi_out.h"

#define HDR_LEN		36
#define RSDP_LEN	36
#define FADT_LEN	276 /* ACPI 6 */
#define FADT_REVISION	6
#define MADT_LAPIC_LEN	8
#define MADT_IOAPIC_LEN 12
#define GAS_SYSTEM_IO	1
#define GAS_BYTE	1

/* FADT flags: WBINVD works, C1 (HLT) on every CPU, no fixed power/sleep buttons, RESET_REG. */
#define FADT_WBINVD	(1u << 0)
#define FADT_PROC_C1	(1u << 2)
#define FADT_PWR_BUTTON (1u << 4)
#define FADT_SLP_BUTTON (1u << 5)
#define FADT_RESET_REG	(1u << 10)
#define FADT_HW_REDUCED (1u << 20)
/* IAPC_BOOT_ARCH: no VGA, no MSI, no CMOS RTC; LEGACY_DEVICES and 8042 left clear. */
#define BOOT_ARCH_NO_VGA (1u << 2)
#define BOOT_ARCH_NO_MSI (1u << 3)
#define BOOT_ARCH_NO_RTC (1u << 5)

/* AML opcodes used by the DSDT. */
#define AML_NAME      0x08
#define AML_BYTE      0x0a
#define AML_SCOPE     0x10
#define AML_PACKAGE   0x12
#define AML_EXT	      0x5b
#define AML_PROCESSOR 0x83
#define AML_ROOT      0x5c

static void put_gas_io(struct out *o, u16 port)
{
	put8(o, GAS_SYSTEM_IO);
	put8(o, 8); /* bit width */
	put8(o, 0); /* bit offset */
	put8(o, GAS_BYTE);
	put_le(o, port, 8);
}

static void put_fadt_body(struct out *o, u64 dsdt)
{
	size_t start = o->len;

	put_le(o, 0, 4);    /* FIRMWARE_CTRL: no FACS on a hardware-reduced platform */
	put_le(o, dsdt, 4); /* DSDT */
	put_zeros(o,
		  109 - HDR_LEN - (o->len - start)); /* no SCI, SMI_CMD, PM/GPE blocks, CENTURY */
	put_le(o, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_MSI | BOOT_ARCH_NO_RTC, 2);
	put8(o, 0);
	put_le(o,
	       FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_RESET_REG |
		   FADT_HW_REDUCED,
	       4);
	put_gas_io(o, GUEST_ACPI_RESET_PORT);
	put8(o, GUEST_ACPI_RESET_VALUE);
	put_le(o, 0, 2); /* ARM_BOOT_ARCH */
	put8(o, 0);	 /* FADT minor version */
	put_le(o, 0, 8); /* X_FIRMWARE_CTRL */
	put_le(o, dsdt, 8);
	put_zeros(o, 96); /* X_PM1a_EVT .. X_GPE1 (8 GAS of 12 bytes): none */
	put_gas_io(o, GUEST_ACPI_SLEEP_CTL_PORT);
	put_gas_io(o, GUEST_ACPI_SLEEP_STS_PORT);
	put(o, "KEELKEEL", 8); /* hypervisor vendor identity */
}

static void put_madt_body(struct out *o, unsigned int nr_vcpus, u32 ioapic_addr)
{
	put_le(o, GUEST_ACPI_LAPIC_ADDR, 4);
	put_le(o, 0, 4); /* flags: no PC-AT 8259s */
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		put8(o, 0); /* Processor Local APIC */
		put8(o, MADT_LAPIC_LEN);
		put8(o, (u8)i);	      /* ACPI processor UID = vCPU id */
		put8(o, (u8)(2 * i)); /* APIC id */
		put_le(o, 1, 4);      /* enabled */
	}
	if (ioapic_addr) {
		put8(o, 1); /* I/O APIC */
		put8(o, MADT_IOAPIC_LEN);
		put8(o, GUEST_ACPI_IOAPIC_ID);
		put8(o, 0);
		put_le(o, ioapic_addr, 4);
		put_le(o, 0, 4); /* global system interrupt base */
	}
}

/* An AML PkgLength for a body of @body bytes that follow it (1 or 2 bytes: bodies < 4 KiB). */
static void put_pkglen(struct out *o, size_t body)
{
	if (body + 1 < 0x40) {
		put8(o, (u8)(body + 1));
		return;
	}
	body += 2;
	put8(o, (u8)(0x40 | (body & 0xf)));
	put8(o, (u8)(body >> 4));
}

static void put_processor_name(struct out *o, unsigned int i)
{
	static const char hex[] = "0123456789ABCDEF";
	char name[4] = {'C', hex[(i >> 8) & 0xf], hex[(i >> 4) & 0xf], hex[i & 0xf]};

	put(o, name, 4);
}

/*
 * The DSDT's AML: Name(\_S5, Package(4){5, 0, 0, 0}) and
 * Scope(\_SB) { Processor(Cnnn, n, 0, 0) {} for each vCPU } (no P_BLK).
 */
static void put_dsdt_body(struct out *o, unsigned int nr_vcpus)
{
	const size_t proc_body = 4 + 1 + 4 + 1;
	const size_t proc_len = 2 + 1 + proc_body; /* ExtOp, ProcessorOp, PkgLength, body */

	put8(o, AML_NAME);
	put(o, "_S5_", 4);
	put8(o, AML_PACKAGE);
	put_pkglen(o, 1 + 2 + 3);
	put8(o, 4); /* NumElements */
	put8(o, AML_BYTE);
	put8(o, GUEST_ACPI_S5_SLP_TYP);
	put8(o, 0); /* ZeroOp: SLP_TYPb (no PM1b), then two reserved */
	put8(o, 0);
	put8(o, 0);

	put8(o, AML_SCOPE);
	put_pkglen(o, 5 + nr_vcpus * proc_len);
	put8(o, AML_ROOT);
	put(o, "_SB_", 4);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		put8(o, AML_EXT);
		put8(o, AML_PROCESSOR);
		put_pkglen(o, proc_body);
		put_processor_name(o, i);
		put8(o, (u8)i);	 /* ProcessorID: matches the MADT's UID */
		put_le(o, 0, 4); /* PblkAddress */
		put8(o, 0);	 /* PblkLength */
	}
}

int guest_acpi_build(unsigned int nr_vcpus, u64 gpa, void *buf, size_t buflen)
{
	return guest_acpi_build_ioapic(nr_vcpus, 0, gpa, buf, buflen);
}

int guest_acpi_build_ioapic(unsigned int nr_vcpus, u32 ioapic_addr, u64 gpa, void *buf,
			    size_t buflen)
{
	struct out o = {.buf = buf, .cap = buflen};
	size_t rsdt, xsdt, fadt, madt, dsdt, at;

	if (!buf || nr_vcpus == 0 || nr_vcpus > GUEST_ACPI_MAX_VCPUS || !IS_ALIGNED(gpa, 16ULL) ||
	    gpa + buflen > 0x100000000ULL || gpa + buflen < gpa)
		return -EINVAL;
	if (buflen < 256)
		return -ENOSPC; /* room for the RSDP and the root tables reserved below */
	memset(buf, 0, buflen);

	/* Fixed layout: RSDP, RSDT, XSDT (pointers known in advance), then the tables. */
	o.len = RSDP_LEN;
	align16(&o);
	rsdt = o.len;
	o.len += HDR_LEN + 4 * 2;
	align16(&o);
	o.len += HDR_LEN + 8 * 2; /* the XSDT, written after the RSDT below */

	fadt = table_begin(&o, "FACP", FADT_REVISION);
	put_fadt_body(&o, 0);
	madt = table_begin(&o, "APIC", 5);
	put_madt_body(&o, nr_vcpus, ioapic_addr);
	table_end(&o, madt);
	dsdt = table_begin(&o, "DSDT", 2);
	put_dsdt_body(&o, nr_vcpus);
	table_end(&o, dsdt);
	if (o.overflow || o.len > buflen)
		return -ENOSPC;
	set_le(o.buf + fadt + 40, gpa + dsdt, 4);
	set_le(o.buf + fadt + 140, gpa + dsdt, 8);
	{
		size_t end = o.len;

		o.len = fadt + FADT_LEN;
		table_end(&o, fadt);
		o.len = end;
	}

	/* The root tables and the RSDP. */
	at = o.len;
	o.len = rsdt;
	rsdt = table_begin(&o, "RSDT", 1);
	put_le(&o, gpa + fadt, 4);
	put_le(&o, gpa + madt, 4);
	table_end(&o, rsdt);
	xsdt = table_begin(&o, "XSDT", 1);
	put_le(&o, gpa + fadt, 8);
	put_le(&o, gpa + madt, 8);
	table_end(&o, xsdt);
	o.len = 0;
	put(&o, "RSD PTR ", 8);
	put8(&o, 0); /* checksum of the first 20 bytes */
	put(&o, "KEEL  ", 6);
	put8(&o, 2); /* revision: ACPI 2.0+, with the XSDT */
	put_le(&o, gpa + rsdt, 4);
	put_le(&o, RSDP_LEN, 4);
	put_le(&o, gpa + xsdt, 8);
	put_le(&o, 0, 4); /* extended checksum, reserved */
	o.buf[8] = checksum_byte(o.buf, 20);
	o.buf[32] = checksum_byte(o.buf, RSDP_LEN);
	if (o.overflow)
		return -ENOSPC;
	return (int)at;
}
