/* Unit tests for MADT parsing: CPUs, IOAPICs, overrides, caps and malformed entry lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <keel/acpi.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#include "../../drivers/acpi/acpi_internal.h"
#include "acpi_fixtures.h"

static struct acpi_info ai;
static struct fx_table t;

static int setup(void **state)
{
	(void)state;
	fx_init();
	shim_log_clear();
	memset(&ai, 0xa5, sizeof(ai));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_fini();
	return 0;
}

/* Publish @t as the only table behind an XSDT and parse it. */
static void parse_madt(struct fx_table *madt, bool keep_len)
{
	paddr_t list[1];
	u8 rsdp[ACPI_RSDP_V2_LEN];

	list[0] = keep_len ? fx_publish_keep_len(madt) : fx_publish(madt);
	fx_rsdp_v2(rsdp, 0, fx_xsdt(list, 1));
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
}

static void test_madt_mixed_entries(void **state)
{
	(void)state;
	fx_madt_begin(&t, 0xfee00000, 1);
	fx_madt_lapic(&t, 0, 0, ACPI_CPU_ENABLED);
	fx_madt_lapic(&t, 1, 2, ACPI_CPU_ENABLED);
	fx_madt_x2apic(&t, 0x100, 0x200, ACPI_CPU_ENABLED);
	fx_madt_x2apic(&t, 0x101, 0x201, ACPI_CPU_ONLINE_CAPABLE);
	fx_madt_ioapic(&t, 4, 0xfec00000, 0);
	fx_madt_ioapic(&t, 5, 0xfec01000, 24);
	fx_madt_iso(&t, 0, 0, 2, 0);
	fx_madt_iso(&t, 0, 9, 20, 0xf);
	fx_madt_lapic_nmi(&t, 0xff, 5, 1);
	parse_madt(&t, false);

	assert_true(ai.madt.present);
	assert_true(ai.madt.pcat_compat);
	assert_int_equal(ai.madt.lapic_addr, 0xfee00000);
	assert_int_equal(ai.madt.nr_cpus, 4);
	assert_int_equal(ai.madt.nr_cpus_enabled, 3);
	assert_int_equal(ai.madt.cpus[1].apic_id, 2);
	assert_int_equal(ai.madt.cpus[1].acpi_uid, 1);
	assert_false(ai.madt.cpus[1].x2apic);
	assert_int_equal(ai.madt.cpus[2].apic_id, 0x100);
	assert_int_equal(ai.madt.cpus[2].acpi_uid, 0x200);
	assert_true(ai.madt.cpus[2].x2apic);
	assert_int_equal(ai.madt.cpus[3].flags, ACPI_CPU_ONLINE_CAPABLE);
	assert_int_equal(ai.madt.nr_ioapics, 2);
	assert_int_equal(ai.madt.ioapics[1].id, 5);
	assert_int_equal(ai.madt.ioapics[1].address, 0xfec01000);
	assert_int_equal(ai.madt.ioapics[1].gsi_base, 24);
	assert_int_equal(ai.madt.nr_isos, 2);
	assert_int_equal(ai.madt.isos[1].source_irq, 9);
	assert_int_equal(ai.madt.isos[1].gsi, 20);
	assert_int_equal(ai.madt.isos[1].flags, 0xf);
	assert_int_equal(ai.madt.nr_lapic_nmis, 1);
	assert_true(
	    shim_log_contains("MADT: 4 CPUs (3 enabled), 2 IOAPIC, 2 ISO, LAPIC at 0xfee00000"));
}

static void test_madt_lapic_override_and_filters(void **state)
{
	(void)state;
	fx_madt_begin(&t, 0xfee00000, 0);
	fx_madt_lapic_override(&t, 0x1fee00000ull);
	fx_madt_lapic(&t, 0, 0, 0); /* neither enabled nor online-capable */
	fx_madt_lapic(&t, 1, 1, ACPI_CPU_ENABLED);
	fx_madt_x2apic(&t, 1, 1, ACPI_CPU_ENABLED);	      /* same CPU again as x2APIC */
	fx_madt_x2apic(&t, 0xffffffffu, 9, ACPI_CPU_ENABLED); /* invalid ID */
	fx_put8(&t, 0x7f);				      /* unknown type, length 5: skipped */
	fx_put8(&t, 5);
	fx_put(&t, "\x01\x02\x03", 3);
	fx_madt_lapic(&t, 2, 3, ACPI_CPU_ENABLED | 0x80);
	parse_madt(&t, false);

	assert_false(ai.madt.pcat_compat);
	assert_int_equal(ai.madt.lapic_addr, 0x1fee00000ull);
	assert_int_equal(ai.madt.nr_cpus, 2);
	assert_int_equal(ai.madt.cpus[0].apic_id, 1);
	assert_false(ai.madt.cpus[0].x2apic);
	assert_int_equal(ai.madt.cpus[1].apic_id, 3);
	assert_int_equal(ai.madt.cpus[1].flags, ACPI_CPU_ENABLED);
	assert_true(shim_log_contains("invalid ID"));
}

static void test_madt_truncated_entry(void **state)
{
	(void)state;
	fx_madt_begin(&t, 0xfee00000, 1);
	fx_madt_lapic(&t, 0, 0, ACPI_CPU_ENABLED);
	fx_madt_ioapic(&t, 4, 0xfec00000, 0);
	t.len -= 3; /* the IOAPIC entry runs past the table end */
	parse_madt(&t, false);
	assert_int_equal(ai.madt.nr_cpus, 1);
	assert_int_equal(ai.madt.nr_ioapics, 0);
	assert_true(shim_log_contains("runs past the table"));
}

static void test_madt_zero_length_entry(void **state)
{
	(void)state;
	fx_madt_begin(&t, 0xfee00000, 1);
	fx_madt_lapic(&t, 0, 0, ACPI_CPU_ENABLED);
	fx_put8(&t, 0);
	fx_put8(&t, 0); /* length 0 would loop forever if accepted */
	fx_madt_lapic(&t, 1, 1, ACPI_CPU_ENABLED);
	parse_madt(&t, false);
	assert_int_equal(ai.madt.nr_cpus, 1);
	assert_true(shim_log_contains("entry type 0 at offset 52 has bad length 0"));

	/* The same for a type Keel does not read, and a length of 1. */
	shim_log_clear();
	fx_madt_begin(&t, 0xfee00000, 1);
	fx_put8(&t, 0x30);
	fx_put8(&t, 0);
	fx_madt_lapic(&t, 1, 1, ACPI_CPU_ENABLED);
	parse_madt(&t, false);
	assert_int_equal(ai.madt.nr_cpus, 0);
	assert_true(shim_log_contains("entry type 48 at offset 44 has bad length 0"));
	fx_madt_begin(&t, 0xfee00000, 1);
	fx_put8(&t, 0x30);
	fx_put8(&t, 1);
	fx_madt_lapic(&t, 1, 1, ACPI_CPU_ENABLED);
	parse_madt(&t, false);
	assert_int_equal(ai.madt.nr_cpus, 0);
}

static void test_madt_short_known_entry(void **state)
{
	(void)state;
	fx_madt_begin(&t, 0xfee00000, 1);
	fx_madt_iso(&t, 0, 0, 2, 0);
	fx_put8(&t, 9); /* x2APIC entry claiming 8 bytes (needs 16) */
	fx_put8(&t, 8);
	fx_put32(&t, 0);
	fx_put16(&t, 0);
	fx_madt_lapic(&t, 1, 1, ACPI_CPU_ENABLED);
	parse_madt(&t, false);
	assert_int_equal(ai.madt.nr_isos, 1);
	assert_int_equal(ai.madt.nr_cpus, 0);
	assert_true(shim_log_contains("entry type 9 at offset 54 has bad length 8"));
}

static void test_madt_trailing_byte(void **state)
{
	(void)state;
	fx_madt_begin(&t, 0xfee00000, 1);
	fx_madt_lapic(&t, 0, 0, ACPI_CPU_ENABLED);
	fx_put8(&t, 0);
	parse_madt(&t, false);
	assert_int_equal(ai.madt.nr_cpus, 1);
	assert_true(shim_log_contains("truncated entry header"));
}

static void test_madt_too_short(void **state)
{
	(void)state;
	fx_begin(&t, "APIC", 5);
	fx_put32(&t, 0xfee00000); /* flags missing */
	parse_madt(&t, false);
	assert_false(ai.madt.present);
	assert_int_equal(ai.madt.nr_cpus, 0);
	assert_true(shim_log_contains("MADT too short"));
}

static void test_madt_too_many_cpus_capped(void **state)
{
	(void)state;
	fx_madt_begin(&t, 0xfee00000, 1);
	for (u32 i = 0; i < 300; i++)
		fx_madt_x2apic(&t, i, i, ACPI_CPU_ENABLED);
	parse_madt(&t, false);
	assert_int_equal(ai.madt.nr_cpus, ACPI_MAX_CPUS);
	assert_int_equal(ai.madt.nr_cpus_dropped, 300 - ACPI_MAX_CPUS);
	assert_int_equal(ai.madt.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	assert_true(shim_log_contains("more than 256 CPUs"));
	assert_true(shim_log_contains("44 CPUs beyond the limit"));
}

static void test_madt_too_many_ioapics_and_isos(void **state)
{
	(void)state;
	fx_madt_begin(&t, 0xfee00000, 1);
	for (u32 i = 0; i < ACPI_MAX_IOAPICS + 2; i++)
		fx_madt_ioapic(&t, (u8)i, 0xfec00000 + i * 0x1000, i * 24);
	for (u32 i = 0; i < ACPI_MAX_ISOS + 1; i++)
		fx_madt_iso(&t, 0, (u8)i, i, 0);
	parse_madt(&t, false);
	assert_int_equal(ai.madt.nr_ioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(ai.madt.ioapics[ACPI_MAX_IOAPICS - 1].gsi_base,
			 (ACPI_MAX_IOAPICS - 1) * 24);
	assert_int_equal(ai.madt.nr_isos, ACPI_MAX_ISOS);
	assert_true(shim_log_contains("IOAPIC 16 ignored"));
}

/* Direct walker call on an exact-size buffer: every truncation point must be safe. */
static void test_madt_every_truncation(void **state)
{
	struct acpi_madt_info *madt = &ai.madt;

	(void)state;
	fx_madt_begin(&t, 0xfee00000, 1);
	fx_madt_lapic(&t, 0, 0, ACPI_CPU_ENABLED);
	fx_madt_x2apic(&t, 0x100, 1, ACPI_CPU_ENABLED);
	fx_madt_ioapic(&t, 4, 0xfec00000, 0);
	fx_madt_iso(&t, 0, 9, 9, 0xd);
	fx_madt_lapic_override(&t, 0xfee00000);
	for (size_t len = 0; len <= t.len; len++) {
		u8 *copy = test_malloc(len ? len : 1);

		memcpy(copy, t.buf, len);
		acpi_madt_parse(copy, (u32)len, madt);
		assert_true(madt->nr_cpus <= 2);
		if (len == t.len) {
			assert_int_equal(madt->nr_cpus, 2);
			assert_int_equal(madt->nr_isos, 1);
		}
		test_free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_madt_mixed_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_lapic_override_and_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_truncated_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_zero_length_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_short_known_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_trailing_byte, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_too_short, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_too_many_cpus_capped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_too_many_ioapics_and_isos, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_madt_every_truncation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
