# Guest ACPI tables (common/loader/guest_acpi.c), parsed back with Keel's own host ACPI parser.
UNIT_TESTS += guestacpi
guestacpi_SRCS := common/loader/guest_acpi.c $(ACPI_PARSER_SRCS) tests/unit/test_guest_acpi.c \
	tests/unit/shim_acpi.c
guestacpi_CFLAGS := -fno-sanitize-recover=all
