# Fuzzer for the PV console ring's index handling (guest-controlled page contents).
FUZZERS += fuzz_conring
fuzz_conring_SRCS := common/console_ring_io.c tests/fuzz/fuzz_conring.c
fuzz_conring_CFLAGS :=
