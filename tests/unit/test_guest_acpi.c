/* Unit tests for the guest ACPI tables: built for 1, 2 and 32 vCPUs, parsed back, checksums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/acpi.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#include "acpi_fixtures.h"

static u8 image[GUEST_ACPI_SIZE];
static struct acpi_info ai;

static u32 get32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24);
}

static u64 get64(const u8 *p)
{
	return get32(p) | ((u64)get32(p + 4) << 32);
}

static const u8 *at(u64 gpa)
{
	assert_true(gpa >= GUEST_ACPI_GPA && gpa < GUEST_ACPI_GPA + GUEST_ACPI_SIZE);
	return image + (gpa - GUEST_ACPI_GPA);
}

/* A table by GPA: its length fits the image and its checksum is right. */
static const u8 *table(u64 gpa, const char *sig)
{
	const u8 *t = at(gpa);
	u32 len = get32(t + 4);

	assert_memory_equal(t, sig, 4);
	assert_true(len >= 36 && gpa + len <= GUEST_ACPI_GPA + GUEST_ACPI_SIZE);
	assert_true(acpi_checksum_ok(t, len));
	return t;
}

static int build(unsigned int n)
{
	int len;

	memset(image, 0xee, sizeof(image));
	len = guest_acpi_build(n, GUEST_ACPI_GPA, image, sizeof(image));
	shim_acpi_unmap_all();
	if (len > 0)
		shim_acpi_map(image, (size_t)len, GUEST_ACPI_GPA);
	return len;
}

/* Count the Processor objects in the AML and check each one's name and ProcessorID. */
static unsigned int count_processors(const u8 *aml, size_t len)
{
	unsigned int n = 0;

	for (size_t i = 0; i + 12 < len; i++) {
		char name[5];

		if (aml[i] != 0x5b || aml[i + 1] != 0x83)
			continue;
		assert_int_equal(aml[i + 2], 11); /* PkgLength: itself and 10 bytes */
		snprintf(name, sizeof(name), "C%03X", n);
		assert_memory_equal(aml + i + 3, name, 4);
		assert_int_equal(aml[i + 7], n); /* ProcessorID = MADT UID = vCPU id */
		assert_int_equal(get32(aml + i + 8), 0);
		n++;
		i += 12;
	}
	return n;
}

static void check(unsigned int n)
{
	const u8 *rsdp, *xsdt, *rsdt, *fadt, *madt, *dsdt;
	int len = build(n);

	assert_true(len > 0 && len <= (int)GUEST_ACPI_SIZE);
	assert_int_equal(image[len], 0); /* the rest of the page is zero */

	/* RSDP: revision 2, both checksums, RSDT and XSDT. */
	rsdp = image;
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(rsdp[15], 2);
	assert_true(acpi_checksum_ok(rsdp, 20));
	assert_true(acpi_checksum_ok(rsdp, 36));
	assert_int_equal(get32(rsdp + 20), 36);
	xsdt = table(get64(rsdp + 24), "XSDT");
	rsdt = table(get32(rsdp + 16), "RSDT");
	assert_int_equal(get32(xsdt + 4), 36 + 2 * 8);
	assert_int_equal(get32(rsdt + 4), 36 + 2 * 4);
	assert_int_equal(get64(xsdt + 36), get32(rsdt + 36));
	assert_int_equal(get64(xsdt + 44), get32(rsdt + 40));
	fadt = table(get64(xsdt + 36), "FACP");
	madt = table(get64(xsdt + 44), "APIC");
	assert_int_equal(get32(fadt + 4), 276);
	assert_true(fadt[8] >= 5);
	dsdt = table(get64(fadt + 140), "DSDT");
	assert_int_equal(get32(fadt + 40), get64(fadt + 140));
	assert_int_equal(get32(madt + 4), 44 + 8 * n);

	/* Keel's own parser agrees. */
	assert_int_equal(acpi_parse(image, 36, &ai), 0);
	assert_int_equal(ai.rsdp_revision, 2);
	assert_true(ai.xsdt);
	assert_string_equal(ai.oem_id, "KEEL  ");
	assert_true(acpi_has_table(&ai, "FACP"));
	assert_true(acpi_has_table(&ai, "APIC"));
	assert_true(acpi_has_table(&ai, "DSDT"));
	assert_false(acpi_has_table(&ai, "HPET"));

	assert_true(ai.madt.present);
	assert_int_equal(ai.madt.lapic_addr, 0xFEE00000);
	assert_false(ai.madt.pcat_compat);
	assert_int_equal(ai.madt.nr_cpus, n);
	assert_int_equal(ai.madt.nr_cpus_enabled, n);
	assert_int_equal(ai.madt.nr_ioapics, 0);
	assert_int_equal(ai.madt.nr_isos, 0);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(ai.madt.cpus[i].acpi_uid, i);
		assert_int_equal(ai.madt.cpus[i].apic_id, 2 * i);
		assert_true(ai.madt.cpus[i].flags & ACPI_CPU_ENABLED);
		assert_false(ai.madt.cpus[i].x2apic);
	}

	assert_true(ai.fadt.present);
	assert_true(ai.fadt.revision >= 5);
	assert_true(ai.fadt.flags & ACPI_FADT_HW_REDUCED);
	assert_int_equal(
	    ai.fadt.iapc_boot_arch & (ACPI_BOOT_ARCH_LEGACY_DEVICES | ACPI_BOOT_ARCH_8042), 0);
	assert_true(ai.fadt.iapc_boot_arch & ACPI_BOOT_ARCH_NO_VGA);
	assert_true(ai.fadt.iapc_boot_arch & ACPI_BOOT_ARCH_NO_MSI);
	assert_true(ai.fadt.iapc_boot_arch & ACPI_BOOT_ARCH_NO_CMOS_RTC);
	assert_int_equal(ai.fadt.smi_cmd, 0);
	assert_int_equal(ai.fadt.pm1a_cnt.address, 0);
	assert_int_equal(ai.fadt.pm_tmr.address, 0);
	assert_true(ai.fadt.reset_reg_valid);
	assert_int_equal(ai.fadt.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(ai.fadt.reset_reg.address, GUEST_ACPI_RESET_PORT);
	assert_int_equal(ai.fadt.reset_value, GUEST_ACPI_RESET_VALUE);
	assert_int_equal(ai.fadt.dsdt_addr, get64(fadt + 140));
	/* Sleep control and status registers (FADT 244 and 256): system I/O bytes. */
	assert_int_equal(fadt[244], ACPI_GAS_SYSTEM_IO);
	assert_int_equal(fadt[245], 8);
	assert_int_equal(get64(fadt + 248), GUEST_ACPI_SLEEP_CTL_PORT);
	assert_int_equal(fadt[256], ACPI_GAS_SYSTEM_IO);
	assert_int_equal(get64(fadt + 260), GUEST_ACPI_SLEEP_STS_PORT);

	/* DSDT: \_S5 with SLP_TYP 5, one Processor per vCPU. */
	assert_true(ai.s5.valid);
	assert_int_equal(ai.s5.slp_typa, GUEST_ACPI_S5_SLP_TYP);
	assert_int_equal(count_processors(dsdt + 36, get32(dsdt + 4) - 36), n);
}

static void test_one_vcpu(void **state)
{
	(void)state;
	check(1);
}

static void test_two_vcpus(void **state)
{
	(void)state;
	check(2);
}

static void test_32_vcpus(void **state)
{
	(void)state;
	check(32);
	/* The \_SB scope is long enough here for a two-byte PkgLength. */
	assert_true(get32(at(ai.fadt.dsdt_addr) + 4) > 36 + 64);
}

/* A domain given GSIs: its MADT also lists its IO-APIC (id 1, GSI base 0); nothing else moves. */
static void test_with_ioapic(void **state)
{
	int len;

	(void)state;
	memset(image, 0xee, sizeof(image));
	len = guest_acpi_build_ioapic(2, GUEST_ACPI_IOAPIC_ADDR, GUEST_ACPI_GPA, image,
				      sizeof(image));
	assert_true(len > 0);
	shim_acpi_unmap_all();
	shim_acpi_map(image, (size_t)len, GUEST_ACPI_GPA);
	assert_int_equal(acpi_parse(image, 36, &ai), 0);
	assert_int_equal(ai.madt.nr_cpus, 2);
	assert_int_equal(ai.madt.nr_ioapics, 1);
	assert_int_equal(ai.madt.ioapics[0].id, GUEST_ACPI_IOAPIC_ID);
	assert_int_equal(ai.madt.ioapics[0].address, 0xFEC00000u);
	assert_int_equal(ai.madt.ioapics[0].gsi_base, 0);
	assert_int_equal(ai.madt.nr_isos, 0);
	assert_int_equal(get32(table(get64(image + 24), "XSDT") + 4), 36 + 2 * 8);
	assert_int_equal(get32(table(get64(table(get64(image + 24), "XSDT") + 44), "APIC") + 4),
			 44 + 8 * 2 + 12);
	assert_true(ai.s5.valid);
	/* Address 0: no IO-APIC, the same bytes as guest_acpi_build(). */
	{
		static u8 plain[4096];
		int n = guest_acpi_build_ioapic(2, 0, GUEST_ACPI_GPA, plain, sizeof(plain));

		assert_int_equal(build(2), n);
		assert_memory_equal(plain, image, (size_t)n);
	}
}

static void test_refusals(void **state)
{
	int len;

	(void)state;
	assert_int_equal(guest_acpi_build(0, GUEST_ACPI_GPA, image, sizeof(image)), -EINVAL);
	assert_int_equal(
	    guest_acpi_build(GUEST_ACPI_MAX_VCPUS + 1, GUEST_ACPI_GPA, image, sizeof(image)),
	    -EINVAL);
	assert_int_equal(guest_acpi_build(1, GUEST_ACPI_GPA + 8, image, sizeof(image)), -EINVAL);
	assert_int_equal(guest_acpi_build(1, 0xFFFFF800ULL, image, sizeof(image)), -EINVAL);
	assert_int_equal(guest_acpi_build(1, GUEST_ACPI_GPA, NULL, sizeof(image)), -EINVAL);
	len = guest_acpi_build(32, GUEST_ACPI_GPA, image, sizeof(image));
	assert_true(len > 0);
	/* Every size short of the image: -ENOSPC, and nothing written past the buffer (ASan). */
	for (int n = 0; n < len; n++) {
		u8 *b = malloc(n ? (size_t)n : 1);

		assert_int_equal(guest_acpi_build(32, GUEST_ACPI_GPA, b, (size_t)n), -ENOSPC);
		free(b);
	}
	{
		u8 *b = malloc((size_t)len);

		assert_int_equal(guest_acpi_build(32, GUEST_ACPI_GPA, b, (size_t)len), len);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_vcpu), cmocka_unit_test(test_two_vcpus),
	    cmocka_unit_test(test_32_vcpus), cmocka_unit_test(test_with_ioapic),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
