# ACPI table parsing (drivers/acpi): discovery and FADT/HPET/MCFG, MADT walker, \_S5 AML reader.
ACPI_PARSER_SRCS := drivers/acpi/tables.c drivers/acpi/madt.c drivers/acpi/fadt.c \
                    drivers/acpi/hpet_mcfg.c drivers/acpi/aml_s5.c
ACPI_TEST_SUPPORT := tests/unit/acpi_fixtures.c tests/unit/shim_acpi.c

UNIT_TESTS += acpi_tables acpi_madt acpi_aml
acpi_tables_SRCS := $(ACPI_PARSER_SRCS) tests/unit/test_acpi_tables.c $(ACPI_TEST_SUPPORT)
acpi_madt_SRCS := $(ACPI_PARSER_SRCS) tests/unit/test_acpi_madt.c $(ACPI_TEST_SUPPORT)
acpi_aml_SRCS := $(ACPI_PARSER_SRCS) tests/unit/test_acpi_aml.c $(ACPI_TEST_SUPPORT)
# Undefined behaviour fails the test instead of only printing.
acpi_tables_CFLAGS := -fno-sanitize-recover=all
acpi_madt_CFLAGS := -fno-sanitize-recover=all
acpi_aml_CFLAGS := -fno-sanitize-recover=all
