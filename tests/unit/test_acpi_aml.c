/* Unit tests for the \_S5 AML reader: encodings, PkgLength forms, truncation and DSDT handling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <keel/acpi.h>
#include <keel/errno.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#include "../../drivers/acpi/acpi_internal.h"
#include "acpi_fixtures.h"

static struct acpi_s5_info s5;

static int setup(void **state)
{
	(void)state;
	fx_init();
	shim_log_clear();
	memset(&s5, 0xa5, sizeof(s5));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_fini();
	return 0;
}

/* Run the reader on an exact-size heap copy so any over-read trips the sanitizer. */
static int find_s5(const u8 *aml, size_t len)
{
	u8 *copy = test_malloc(len ? len : 1);
	int rc;

	memcpy(copy, aml, len);
	rc = acpi_aml_find_s5(copy, len, &s5);
	test_free(copy);
	return rc;
}

static void test_s5_default_fixture(void **state)
{
	u8 aml[128];
	size_t n = fx_aml_s5_default(aml, sizeof(aml));

	(void)state;
	assert_int_equal(find_s5(aml, n), 0);
	assert_true(s5.valid);
	assert_int_equal(s5.slp_typa, 5);
	assert_int_equal(s5.slp_typb, 5);
}

static void test_s5_zero_one_ops(void **state)
{
	/* Name (_S5_, Package (2) { Zero, One }) without root prefix */
	static const u8 aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x01};

	(void)state;
	assert_int_equal(find_s5(aml, sizeof(aml)), 0);
	assert_int_equal(s5.slp_typa, 0);
	assert_int_equal(s5.slp_typb, 1);
}

static void test_s5_word_dword_prefixes(void **state)
{
	static const u8 aml[] = {0xa3, 0x08, '_',  'S',	 '5',  '_',  0x12, 0x0a, 0x02,
				 0x0b, 0x07, 0x00, 0x0c, 0x06, 0x00, 0x00, 0x00};

	(void)state;
	assert_int_equal(find_s5(aml, sizeof(aml)), 0);
	assert_int_equal(s5.slp_typa, 7);
	assert_int_equal(s5.slp_typb, 6);
}

static void test_s5_two_byte_pkglength(void **state)
{
	/* PkgLength 0x41 0x04 = 0x41 (65 bytes) with 64 padding elements after a and b. */
	u8 aml[7 + 65];
	size_t n = 0;

	(void)state;
	aml[n++] = 0x08;
	memcpy(aml + n, "\\_S5_", 5);
	n += 5;
	aml[n++] = 0x12;
	aml[n++] = 0x41; /* one following byte; low nibble 1 */
	aml[n++] = 0x04; /* 1 | 0x04 << 4 = 65 */
	aml[n++] = 60;	 /* elements: a, b and 58 Zeros */
	aml[n++] = 0x0a;
	aml[n++] = 0x03;
	aml[n++] = 0x0a;
	aml[n++] = 0x04;
	while (n < sizeof(aml))
		aml[n++] = 0x00;
	assert_int_equal(n, 7 + 65);
	assert_int_equal(find_s5(aml, n), 0);
	assert_int_equal(s5.slp_typa, 3);
	assert_int_equal(s5.slp_typb, 4);
}

static void test_s5_single_element_and_wide_values(void **state)
{
	static const u8 one[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x02};
	static const u8 wide[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x0d, 0x01};

	(void)state;
	assert_int_equal(find_s5(one, sizeof(one)), 0);
	assert_int_equal(s5.slp_typa, 2);
	assert_int_equal(s5.slp_typb, 2);
	assert_int_equal(find_s5(wide, sizeof(wide)), 0);
	assert_int_equal(s5.slp_typa, 5); /* 0x0d & 7 */
	assert_int_equal(s5.slp_typb, 1);
	assert_true(shim_log_contains("wider than SLP_TYP"));
}

static void test_s5_absent(void **state)
{
	/* _S5_ only as a reference (no NameOp before it), and an _S4_ package. */
	static const u8 aml[] = {0x70, '_', 'S', '5',  '_',  0x60, 0x08, '_',
				 'S',  '4', '_', 0x12, 0x04, 0x02, 0x00, 0x00};

	(void)state;
	assert_int_equal(find_s5(aml, sizeof(aml)), -ENOENT);
	assert_false(s5.valid);
	assert_int_equal(find_s5(aml, 0), -ENOENT);
	assert_int_equal(find_s5(aml, 3), -ENOENT);
}

static void test_s5_every_truncation(void **state)
{
	u8 aml[128];
	size_t n = fx_aml_s5_default(aml, sizeof(aml));
	size_t s5_end;

	(void)state;
	/* The \_S5_ package ends 9 bytes (the trailing method) before the fixture's end. */
	s5_end = n - 9;
	for (size_t len = 0; len < n; len++) {
		int rc = find_s5(aml, len);

		if (len >= s5_end) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_not_equal(rc, 0);
			assert_false(s5.valid);
		}
	}
}

static void test_s5_bad_encodings(void **state)
{
	/* Package length pointing past the end of the AML. */
	static const u8 past[] = {0x08, '_', 'S', '5', '_', 0x12, 0x30, 0x02, 0x00, 0x00};
	/* Four-byte PkgLength cut short. */
	static const u8 cut[] = {0x08, '_', 'S', '5', '_', 0x12, 0xc0, 0x01};
	/* Element that is a name, not a constant. */
	static const u8 name[] = {0x08, '_', 'S', '5', '_', 0x12, 0x07,
				  0x02, 'A', 'B', 'C', 'D', 0x00};
	/* Empty package. */
	static const u8 empty[] = {0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00};
	/* Package length too small to hold its element count. */
	static const u8 tiny[] = {0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0x00, 0x00};
	/* Element declared inside the package but the package ends first. */
	static const u8 short_pkg[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a, 0x05};
	/* _S5_ named but not a package (a buffer). */
	static const u8 buffer[] = {0x08, '_', 'S', '5', '_', 0x11, 0x03, 0x0a, 0x00};

	(void)state;
	assert_int_equal(find_s5(past, sizeof(past)), -EINVAL);
	assert_true(shim_log_contains("runs past the DSDT"));
	assert_int_equal(find_s5(cut, sizeof(cut)), -EINVAL);
	assert_int_equal(find_s5(name, sizeof(name)), -EINVAL);
	assert_int_equal(find_s5(empty, sizeof(empty)), -EINVAL);
	assert_int_equal(find_s5(tiny, sizeof(tiny)), -EINVAL);
	assert_int_equal(find_s5(short_pkg, sizeof(short_pkg)), -EINVAL);
	assert_int_equal(find_s5(buffer, sizeof(buffer)), -EINVAL);
	assert_true(shim_log_contains("not a package"));
	assert_false(s5.valid);
}

static void test_s5_second_candidate_used(void **state)
{
	/* A broken \_S5_ first (bad element), then a good one. */
	static const u8 aml[] = {0x08, '_', 'S', '5', '_',  0x12, 0x04, 0x02, 0x5b, 0x00, 0x08,
				 '_',  'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x07, 0x0a, 0x03};

	(void)state;
	assert_int_equal(find_s5(aml, sizeof(aml)), 0);
	assert_int_equal(s5.slp_typa, 7);
	assert_int_equal(s5.slp_typb, 3);
}

/* Through acpi_parse: a DSDT without \_S5, and a DSDT with a bad checksum. */
static void test_dsdt_via_fadt(void **state)
{
	static const u8 no_s5[] = {0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x00, 0x00};
	static struct acpi_info ai;
	struct fx_fadt f;
	paddr_t list[1];
	u8 rsdp[ACPI_RSDP_V2_LEN];
	u8 aml[128];
	size_t n = fx_aml_s5_default(aml, sizeof(aml));

	(void)state;
	fx_fadt_rev6_defaults(&f, fx_dsdt(no_s5, sizeof(no_s5)));
	list[0] = fx_fadt(&f);
	fx_rsdp_v2(rsdp, 0, fx_xsdt(list, 1));
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
	assert_true(ai.fadt.present);
	assert_false(ai.s5.valid);
	assert_true(shim_log_contains("DSDT has no \\_S5"));

	fx_fadt_rev6_defaults(&f, fx_dsdt(aml, n));
	fx_virt(f.x_dsdt)[9] ^= 0x10;
	list[0] = fx_fadt(&f);
	fx_rsdp_v2(rsdp, 0, fx_xsdt(list, 1));
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &ai), 0);
	assert_false(ai.s5.valid);
	assert_true(shim_log_contains("DSDT at"));
	assert_false(acpi_has_table(&ai, "DSDT"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_s5_default_fixture, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_s5_zero_one_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_s5_word_dword_prefixes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_s5_two_byte_pkglength, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_s5_single_element_and_wide_values, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_s5_absent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_s5_every_truncation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_s5_bad_encodings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_s5_second_candidate_used, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dsdt_via_fadt, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
