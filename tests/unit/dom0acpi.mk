# dom0's ACPI tables (common/loader/dom0_acpi.c) from fake host tables, parsed back by Keel's parser.
UNIT_TESTS += dom0acpi
dom0acpi_SRCS := common/loader/dom0_acpi.c $(ACPI_PARSER_SRCS) tests/unit/test_dom0_acpi.c \
	$(ACPI_TEST_SUPPORT)
dom0acpi_CFLAGS := -fno-sanitize-recover=all
