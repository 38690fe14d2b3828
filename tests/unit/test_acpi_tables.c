/* Unit tests for ACPI discovery: RSDP, RSDT/XSDT choice, table validation, FADT, HPET, MCFG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <keel/acpi.h>
#include <keel/errno.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#include "acpi_fixtures.h"

static struct acpi_info ai;

static int setup(void **state)
{
	(void)state;
	fx_init();
	shim_log_clear();
	memset(&ai, 0xa5, sizeof(ai)); /* acpi_parse must initialise everything */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_fini();
	return 0;
}

static void test_checksum_helper(void **state)
{
	u8 b[4] = {0x10, 0x20, 0x30, 0xa0};

	(void)state;
	assert_true(acpi_checksum_ok(b, 4));
	b[3] = 0xa1;
	assert_false(acpi_checksum_ok(b, 4));
	assert_true(acpi_checksum_ok(b, 0));
}

static void test_platform_v2_xsdt(void **state)
{
	struct fx_platform p;

	(void)state;
	fx_platform(&p);
	assert_int_equal(acpi_parse(p.rsdp, sizeof(p.rsdp), &ai), 0);
	assert_int_equal(ai.rsdp_revision, 2);
	assert_true(ai.xsdt);
	assert_int_equal(ai.root_addr, p.xsdt);
	assert_string_equal(ai.oem_id, "KEELFX");
	assert_true(acpi_has_table(&ai, "APIC"));
	assert_true(acpi_has_table(&ai, "FACP"));
	assert_true(acpi_has_table(&ai, "HPET"));
	assert_true(acpi_has_table(&ai, "MCFG"));
	assert_true(acpi_has_table(&ai, "DSDT"));
	assert_false(acpi_has_table(&ai, "DMAR"));
	assert_true(ai.madt.present);
	assert_int_equal(ai.madt.nr_cpus, 4);
	assert_true(ai.fadt.present);
	assert_true(ai.s5.valid);
	assert_int_equal(ai.s5.slp_typa, 5);
	assert_int_equal(ai.s5.slp_typb, 5);
	assert_true(ai.hpet.present);
	assert_int_equal(ai.hpet.base.address, 0xfed00000);
	assert_int_equal(ai.hpet.min_tick, 0x80);
	assert_true(ai.mcfg.present);
	assert_int_equal(ai.mcfg.ecam_base, 0xe0000000);
	assert_int_equal(ai.mcfg.bus_end, 0xff);
	assert_true(shim_log_contains("RSDP v2 (XSDT)"));
	assert_true(shim_log_contains("tables: FACP APIC HPET MCFG DSDT"));
	assert_true(shim_log_contains("MADT: 4 CPUs"));
	assert_true(shim_log_contains("S5 SLP_TYP a=5 b=5"));
}

static void test_rsdp_v1_rsdt(void **state)
{
	struct fx_platform p;
	u8 rsdp[ACPI_RSDP_V1_LEN];

	(void)state;
	fx_platform(&p);
	fx_rsdp_v1(rsdp, p.rsdt);
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
	assert_int_equal(ai.rsdp_revision, 0);
	assert_false(ai.xsdt);
	assert_int_equal(ai.root_addr, p.rsdt);
	assert_true(ai.madt.present);
	assert_true(ai.fadt.present);
	assert_true(ai.s5.valid);
	assert_true(shim_log_contains("(RSDT)"));
}

static void test_xsdt_preferred_over_rsdt(void **state)
{
	struct fx_platform p;
	paddr_t only_madt[1];
	u8 rsdp[ACPI_RSDP_V2_LEN];

	(void)state;
	fx_platform(&p);
	only_madt[0] = p.madt;
	fx_rsdp_v2(rsdp, fx_rsdt(only_madt, 1), p.xsdt);
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
	assert_true(ai.xsdt);
	assert_true(ai.fadt.present); /* only the XSDT lists the FADT */

	/* Without an XSDT address, the RSDT (MADT only) is used. */
	fx_rsdp_v2(rsdp, fx_rsdt(only_madt, 1), 0);
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
	assert_false(ai.xsdt);
	assert_true(ai.madt.present);
	assert_false(ai.fadt.present);

	/* A v2 RSDP handed over as a 20-byte copy can only use the RSDT. */
	fx_rsdp_v2(rsdp, fx_rsdt(only_madt, 1), p.xsdt);
	assert_int_equal(acpi_parse(rsdp, ACPI_RSDP_V1_LEN, &ai), 0);
	assert_false(ai.xsdt);
	assert_false(ai.fadt.present);
}

static void test_bad_rsdp_refused(void **state)
{
	struct fx_platform p;
	u8 rsdp[ACPI_RSDP_V2_LEN];

	(void)state;
	fx_platform(&p);
	memcpy(rsdp, p.rsdp, sizeof(rsdp));
	rsdp[16] ^= 1; /* RSDT address changed without fixing the checksum */
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), -EINVAL);
	assert_true(shim_log_contains("RSDP checksum bad"));
	assert_false(ai.madt.present);

	memcpy(rsdp, p.rsdp, sizeof(rsdp));
	rsdp[0] = 'X';
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), -EINVAL);
	assert_int_equal(acpi_parse(p.rsdp, 19, &ai), -EINVAL);
	assert_int_equal(acpi_parse(NULL, 36, &ai), -EINVAL);
	assert_int_equal(ai.nr_tables, 0);
}

static void test_bad_extended_checksum_uses_rsdt(void **state)
{
	struct fx_platform p;

	(void)state;
	fx_platform(&p);
	p.rsdp[33] ^= 0x40; /* reserved byte, covered only by the extended checksum */
	assert_int_equal(acpi_parse(p.rsdp, sizeof(p.rsdp), &ai), 0);
	assert_false(ai.xsdt);
	assert_int_equal(ai.root_addr, p.rsdt);
	assert_true(shim_log_contains("extended checksum bad"));
}

static void test_bad_xsdt_falls_back(void **state)
{
	struct fx_platform p;

	(void)state;
	fx_platform(&p);
	fx_virt(p.xsdt)[40] ^= 0xff;
	assert_int_equal(acpi_parse(p.rsdp, sizeof(p.rsdp), &ai), 0);
	assert_false(ai.xsdt);
	assert_true(ai.madt.present);
	assert_true(shim_log_contains("XSDT at"));
	assert_true(shim_log_contains("bad checksum"));

	/* Neither root usable. */
	fx_virt(p.rsdt)[40] ^= 0xff;
	assert_int_equal(acpi_parse(p.rsdp, sizeof(p.rsdp), &ai), -ENODEV);
	assert_false(ai.madt.present);
}

static void test_bad_table_checksum_skipped(void **state)
{
	struct fx_platform p;

	(void)state;
	fx_platform(&p);
	fx_virt(p.hpet)[50] ^= 0x01;
	assert_int_equal(acpi_parse(p.rsdp, sizeof(p.rsdp), &ai), 0);
	assert_false(ai.hpet.present);
	assert_false(acpi_has_table(&ai, "HPET"));
	assert_true(shim_log_contains("HPET at"));
	assert_true(shim_log_contains("bad checksum"));
	assert_true(ai.madt.present);
	assert_true(ai.fadt.present);
}

static void test_bad_table_lengths_skipped(void **state)
{
	static struct fx_table t;
	static const u8 filler[64];
	paddr_t list[6];
	u8 rsdp[ACPI_RSDP_V2_LEN];

	(void)state;
	/* Claims 0x2010 bytes: its last byte falls inside the next (separate) mapping. */
	fx_begin(&t, "SRAT", 1);
	fx_set_len(&t, 64);
	t.buf[4] = 0x10, t.buf[5] = 0x20, t.buf[6] = 0, t.buf[7] = 0;
	list[5] = fx_publish_keep_len(&t);
	assert_int_equal(fx_publish_raw(filler, sizeof(filler)), list[5] + 0x2000);
	/* Claims 2 MiB: over the sanity limit. */
	fx_begin(&t, "HPET", 1);
	fx_set_len(&t, 56);
	t.buf[4] = 0, t.buf[5] = 0, t.buf[6] = 0x20, t.buf[7] = 0;
	list[0] = fx_publish_keep_len(&t);
	/* Claims 20 bytes: shorter than a header. */
	fx_begin(&t, "SSDT", 1);
	t.buf[4] = 20, t.buf[5] = 0, t.buf[6] = 0, t.buf[7] = 0;
	list[1] = fx_publish_keep_len(&t);
	/* Claims 4 KiB but only 64 bytes exist (the rest is unmapped). */
	fx_begin(&t, "DMAR", 1);
	fx_set_len(&t, 64);
	t.buf[4] = 0, t.buf[5] = 0x10, t.buf[6] = 0, t.buf[7] = 0;
	list[2] = fx_publish_keep_len(&t);
	list[3] = 0xdead0000; /* nothing there */
	list[4] = 0;
	fx_rsdp_v2(rsdp, 0, fx_xsdt(list, 6));
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
	assert_int_equal(ai.nr_tables, 0);
	assert_false(ai.has_dmar);
	assert_true(shim_log_contains("bad length 2097152"));
	assert_true(shim_log_contains("bad length 20, skipped"));
	assert_true(shim_log_contains("DMAR at 0x"));
	assert_true(shim_log_contains("4096 bytes not mapped"));
	assert_true(shim_log_contains("0xdead0000: not mapped"));
	assert_true(shim_log_contains("null address"));
	assert_true(shim_log_contains("SRAT at"));
	assert_true(shim_log_contains("8208 bytes not mapped"));
}

static void test_rsdt_partial_entry(void **state)
{
	static struct fx_table t;
	struct fx_platform p;
	u8 rsdp[ACPI_RSDP_V1_LEN];

	(void)state;
	fx_platform(&p);
	fx_begin(&t, "RSDT", 1);
	fx_put32(&t, (u32)p.madt);
	fx_put16(&t, 0x1234); /* half an entry */
	fx_rsdp_v1(rsdp, fx_publish(&t));
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
	assert_true(ai.madt.present);
	assert_int_equal(ai.nr_tables, 1);
	assert_true(shim_log_contains("partial entry"));
}

static void parse_with_fadt(const struct fx_fadt *f)
{
	paddr_t list[1] = {fx_fadt(f)};
	u8 rsdp[ACPI_RSDP_V2_LEN];

	fx_rsdp_v2(rsdp, 0, fx_xsdt(list, 1));
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
}

static void test_fadt_rev1_short(void **state)
{
	struct fx_fadt f;
	u8 aml[128];
	size_t n = fx_aml_s5_default(aml, sizeof(aml));

	(void)state;
	fx_fadt_rev1_defaults(&f, (u32)fx_dsdt(aml, n));
	parse_with_fadt(&f);
	assert_true(ai.fadt.present);
	assert_int_equal(ai.fadt.revision, 1);
	assert_int_equal(ai.fadt.smi_cmd, 0xb2);
	assert_int_equal(ai.fadt.acpi_enable, 0xf0);
	assert_int_equal(ai.fadt.sci_int, 9);
	assert_int_equal(ai.fadt.pm1a_cnt.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(ai.fadt.pm1a_cnt.address, 0x404);
	assert_int_equal(ai.fadt.pm1a_cnt.bit_width, 16);
	assert_int_equal(ai.fadt.pm1a_evt.address, 0x400);
	assert_int_equal(ai.fadt.pm1a_evt.bit_width, 32);
	assert_int_equal(ai.fadt.pm1b_cnt.address, 0);
	assert_int_equal(ai.fadt.pm_tmr.address, 0x408);
	assert_false(ai.fadt.reset_reg_valid);
	assert_int_equal(ai.fadt.iapc_boot_arch, 0);
	assert_int_equal(ai.fadt.dsdt_addr, f.dsdt);
	assert_true(ai.s5.valid);
}

static void test_fadt_rev6_x_fields(void **state)
{
	static const u8 other_s5[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01};
	struct fx_fadt f;
	u8 aml[128];
	size_t n = fx_aml_s5_default(aml, sizeof(aml));

	(void)state;
	fx_fadt_rev6_defaults(&f, fx_dsdt(aml, n));
	f.dsdt = (u32)fx_dsdt(other_s5, sizeof(other_s5)); /* the 32-bit field must lose */
	f.pm1a_cnt = 0x1004;				   /* stale legacy value */
	f.x_pm1b_cnt = (struct acpi_gas){ACPI_GAS_SYSTEM_MEMORY, 16, 0, 2, 0xfe000010};
	parse_with_fadt(&f);
	assert_int_equal(ai.fadt.revision, 6);
	assert_int_equal(ai.fadt.pm1a_cnt.address, 0x604);
	assert_int_equal(ai.fadt.pm1b_cnt.space_id, ACPI_GAS_SYSTEM_MEMORY);
	assert_int_equal(ai.fadt.pm1b_cnt.address, 0xfe000010);
	assert_int_equal(ai.fadt.pm_tmr.bit_width, 32);
	assert_true(ai.fadt.reset_reg_valid);
	assert_int_equal(ai.fadt.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(ai.fadt.reset_reg.address, 0xcf9);
	assert_int_equal(ai.fadt.reset_value, 6);
	assert_int_equal(ai.fadt.iapc_boot_arch, 3);
	assert_int_equal(ai.fadt.dsdt_addr, f.x_dsdt);
	assert_int_equal(ai.s5.slp_typa, 5);
	assert_true(shim_log_contains("differ, using X_DSDT"));

	/* An unusable X_DSDT falls back to the 32-bit DSDT. */
	fx_virt(f.x_dsdt)[40] ^= 0xff;
	parse_with_fadt(&f);
	assert_true(ai.s5.valid);
	assert_int_equal(ai.s5.slp_typa, 1);
	assert_int_equal(ai.s5.slp_typb, 1);
}

static void test_fadt_zero_x_fields_use_legacy(void **state)
{
	struct fx_fadt f;

	(void)state;
	fx_fadt_rev6_defaults(&f, 0);
	memset(&f.x_pm1a_cnt, 0, sizeof(f.x_pm1a_cnt));
	f.pm1a_cnt = 0x1804;
	f.pm1b_cnt = 0x1904;
	f.flags = ACPI_FADT_HW_REDUCED; /* and no RESET_REG_SUP */
	parse_with_fadt(&f);
	assert_int_equal(ai.fadt.pm1a_cnt.address, 0x1804);
	assert_int_equal(ai.fadt.pm1a_cnt.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(ai.fadt.pm1b_cnt.address, 0x1904);
	assert_false(ai.fadt.reset_reg_valid);
	assert_true(ai.fadt.flags & ACPI_FADT_HW_REDUCED);
	assert_false(ai.s5.valid);
	assert_true(shim_log_contains("no usable DSDT"));
}

static void test_fadt_short_tables(void **state)
{
	struct fx_fadt f;

	(void)state;
	/* RESET_REG_SUP set but the table ends before the reset register. */
	fx_fadt_rev1_defaults(&f, 0);
	f.flags = ACPI_FADT_RESET_REG_SUP;
	parse_with_fadt(&f);
	assert_true(ai.fadt.present);
	assert_false(ai.fadt.reset_reg_valid);
	assert_true(shim_log_contains("claims a reset register"));

	/* Too short to hold the PM1 blocks at all. */
	f.length = 100;
	parse_with_fadt(&f);
	assert_false(ai.fadt.present);
	assert_true(shim_log_contains("FADT too short"));
}

static void test_misc_tables(void **state)
{
	static struct fx_table t;
	paddr_t list[6];
	u8 rsdp[ACPI_RSDP_V2_LEN];
	struct fx_fadt f;

	(void)state;
	fx_begin(&t, "DMAR", 1);
	fx_set_len(&t, 48);
	list[0] = fx_publish(&t);
	fx_begin(&t, "IVRS", 2);
	fx_set_len(&t, 48);
	list[1] = fx_publish(&t);
	list[2] = fx_mcfg(0xb0000000, 1, 0, 0x3f); /* segment 1 only: not used */
	list[3] = fx_hpet(0, 0, 0);		   /* no base address */
	fx_fadt_rev1_defaults(&f, 0);
	list[4] = fx_fadt(&f);
	f.smi_cmd = 0x1234;
	list[5] = fx_fadt(&f); /* second FADT ignored */
	fx_rsdp_v2(rsdp, 0, fx_xsdt(list, 6));
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
	assert_true(ai.has_dmar);
	assert_true(ai.has_ivrs);
	assert_false(ai.mcfg.present);
	assert_false(ai.hpet.present);
	assert_int_equal(ai.fadt.smi_cmd, 0xb2);
	assert_true(shim_log_contains("second FADT ignored"));
	assert_true(shim_log_contains("HPET table has no base address"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_checksum_helper, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_platform_v2_xsdt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rsdp_v1_rsdt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_xsdt_preferred_over_rsdt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_rsdp_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_extended_checksum_uses_rsdt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_xsdt_falls_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_table_checksum_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_table_lengths_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rsdt_partial_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fadt_rev1_short, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fadt_rev6_x_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fadt_zero_x_fields_use_legacy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fadt_short_tables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_misc_tables, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
