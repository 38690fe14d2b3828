# Fuzzer for the emulated-range tables (arch/x86/hvm/io_table.c): register/unregister/lookup
# sequences from the input, checked against a byte map.
FUZZERS += fuzz_io_table
fuzz_io_table_SRCS := arch/x86/hvm/io_table.c tests/fuzz/fuzz_io_table.c
fuzz_io_table_CFLAGS := -Iarch/x86/include
