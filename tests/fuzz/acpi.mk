# ACPI table parsing fuzzer: fake RSDP + table arena behind a bounded paddr_to_virt shim.
FUZZERS += acpi
acpi_SRCS := drivers/acpi/tables.c drivers/acpi/madt.c drivers/acpi/fadt.c \
             drivers/acpi/hpet_mcfg.c drivers/acpi/aml_s5.c \
             tests/fuzz/fuzz_acpi.c tests/unit/shim_acpi.c
acpi_CFLAGS := -fno-sanitize-recover=all
