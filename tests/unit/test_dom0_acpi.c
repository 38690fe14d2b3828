/* Unit tests for dom0's ACPI tables: host tables kept in place, Keel's hidden, a MADT of its vCPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/acpi.h>
#include <keel/dom0_acpi.h>
#include <keel/errno.h>
/* cmocka.h needs the headers above. */
#include <cmocka.h>

#include "acpi_fixtures.h"

#define DOM0_GPA 0x0fe00000ULL

static u8 image[DOM0_ACPI_SIZE];
static struct acpi_info host, seen;
static paddr_t host_mcfg;

static paddr_t simple_table(const char *sig)
{
	struct fx_table t;

	fx_begin(&t, sig, 1);
	fx_put32(&t, 0x12345678);
	return fx_publish(&t);
}

/* An MCFG of two segment groups: Keel traps segment 0's window only. */
static paddr_t two_segment_mcfg(void)
{
	struct fx_table t;

	fx_begin(&t, "MCFG", 1);
	fx_put64(&t, 0);
	fx_put64(&t, 0xd0000000);
	fx_put16(&t, 1);
	fx_put8(&t, 0);
	fx_put8(&t, 0xff);
	fx_put32(&t, 0);
	fx_put64(&t, 0xe0000000);
	fx_put16(&t, 0);
	fx_put8(&t, 0);
	fx_put8(&t, 0x3f);
	fx_put32(&t, 0);
	return fx_publish(&t);
}

/* The host: 2 CPUs, one IO-APIC with two overrides, plus HPET, DMAR, an SSDT and an MCFG. */
static int setup(void **state)
{
	struct fx_table madt;
	paddr_t list[5];
	u8 rsdp[ACPI_RSDP_V2_LEN];

	(void)state;
	fx_init();
	fx_madt_begin(&madt, 0xfee00000, 1);
	fx_madt_lapic(&madt, 0, 0, 1);
	fx_madt_lapic(&madt, 1, 1, 1);
	fx_madt_ioapic(&madt, 2, 0xfec00000, 0);
	fx_madt_iso(&madt, 0, 0, 2, 0);
	fx_madt_iso(&madt, 0, 9, 9, 0xd); /* level, active high */
	list[0] = fx_publish(&madt);
	list[1] = simple_table("HPET");
	list[2] = simple_table("DMAR");
	list[3] = simple_table("SSDT");
	list[4] = host_mcfg = two_segment_mcfg();
	fx_rsdp_v2(rsdp, fx_rsdt(list, 5), fx_xsdt(list, 5));
	memset(&host, 0, sizeof(host));
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &host), 0);
	assert_true(host.has_dmar);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_fini();
	return 0;
}

/* Build for @n vCPUs at DOM0_GPA and parse what dom0 would see. */
static int build_and_parse(unsigned int n, u32 hide)
{
	int len = dom0_acpi_build(&host, n, hide, DOM0_GPA, image, sizeof(image));

	if (len <= 0)
		return len;
	shim_acpi_map(image, (size_t)len, DOM0_GPA);
	memset(&seen, 0, sizeof(seen));
	assert_true(acpi_checksum_ok(image, 20));
	assert_true(acpi_checksum_ok(image, ACPI_RSDP_V2_LEN));
	assert_int_equal(acpi_parse(image, ACPI_RSDP_V2_LEN, &seen), 0);
	return len;
}

static void test_madt_is_dom0s(void **state)
{
	(void)state;
	assert_true(build_and_parse(3, DOM0_ACPI_HIDE_HPET) > 0);
	assert_true(seen.xsdt);
	assert_true(seen.madt.present);
	assert_int_equal(seen.madt.nr_cpus, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(seen.madt.cpus[i].apic_id, 2 * i);
		assert_int_equal(seen.madt.cpus[i].acpi_uid, i);
	}
	assert_true(seen.madt.pcat_compat);
	assert_int_equal(seen.madt.nr_ioapics, 1);
	assert_int_equal(seen.madt.ioapics[0].id, 2);
	assert_int_equal(seen.madt.ioapics[0].address, 0xfec00000);
	assert_int_equal(seen.madt.nr_isos, 2);
	assert_int_equal(seen.madt.isos[1].source_irq, 9);
	assert_int_equal(seen.madt.isos[1].flags, 0xd);
	assert_int_equal(seen.madt.nr_lapic_nmis, 1);
}

static void test_keels_tables_hidden(void **state)
{
	(void)state;
	assert_true(build_and_parse(1, DOM0_ACPI_HIDE_HPET) > 0);
	assert_false(seen.has_dmar);
	assert_false(seen.hpet.present);
	assert_true(acpi_has_table(&seen, "SSDT"));
	assert_true(build_and_parse(1, 0) > 0);
	assert_true(acpi_has_table(&seen, "HPET")); /* shown when Keel does not keep it */
	assert_false(seen.has_dmar);		    /* the IOMMU is always Keel's */
}

/* dom0's MCFG is Keel's: one entry, segment 0's window, which Keel traps; the host's is hidden. */
static void test_mcfg_names_the_trapped_window(void **state)
{
	const u8 *xsdt;
	u64 xsdt_pa, entry;
	u32 len;
	unsigned int mcfgs = 0;

	(void)state;
	assert_true(host.mcfg.present);
	assert_true(build_and_parse(2, 0) > 0);
	assert_true(seen.mcfg.present);
	assert_int_equal(seen.mcfg.ecam_base, 0xe0000000);
	assert_int_equal(seen.mcfg.bus_start, 0);
	assert_int_equal(seen.mcfg.bus_end, 0x3f);
	/* One MCFG in dom0's XSDT, inside dom0's own image, with the one entry. */
	memcpy(&xsdt_pa, image + 24, 8);
	xsdt = image + (xsdt_pa - DOM0_GPA);
	memcpy(&len, xsdt + 4, 4);
	for (u32 off = 36; off + 8 <= len; off += 8) {
		const u8 *t;
		u32 tlen;

		memcpy(&entry, xsdt + off, 8);
		assert_true(entry != host_mcfg);
		if (entry < DOM0_GPA || entry >= DOM0_GPA + sizeof(image))
			continue;
		t = image + (entry - DOM0_GPA);
		if (memcmp(t, "MCFG", 4))
			continue;
		memcpy(&tlen, t + 4, 4);
		assert_int_equal(tlen, 44 + 16);
		mcfgs++;
	}
	assert_int_equal(mcfgs, 1);
	assert_int_equal(acpi_has_table(&seen, "MCFG"), true);
}

static void test_bad_parameters(void **state)
{
	(void)state;
	assert_int_equal(dom0_acpi_build(&host, 0, 0, DOM0_GPA, image, sizeof(image)), -EINVAL);
	assert_int_equal(
	    dom0_acpi_build(&host, DOM0_ACPI_MAX_VCPUS + 1, 0, DOM0_GPA, image, sizeof(image)),
	    -EINVAL);
	assert_int_equal(dom0_acpi_build(&host, 1, 0, DOM0_GPA + 4, image, sizeof(image)), -EINVAL);
	assert_int_equal(dom0_acpi_build(&host, 1, 0, 0xfffff000ULL, image, sizeof(image)),
			 -EINVAL);
	assert_int_equal(dom0_acpi_build(&host, 8, 0, DOM0_GPA, image, 100), -ENOSPC);
	host.root_addr = 0x1234000; /* nothing there */
	assert_int_equal(dom0_acpi_build(&host, 1, 0, DOM0_GPA, image, sizeof(image)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_madt_is_dom0s, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keels_tables_hidden, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mcfg_names_the_trapped_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_parameters, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
