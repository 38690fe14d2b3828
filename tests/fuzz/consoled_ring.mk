# Fuzzer for keel-consoled's console ring queues and pty fifo (tools/consoled/ring.c): indices,
# output and input as a hostile guest and a slow pty make them.
FUZZERS += fuzz_consoled_ring
fuzz_consoled_ring_SRCS := tools/consoled/ring.c tests/fuzz/fuzz_consoled_ring.c
fuzz_consoled_ring_CFLAGS :=
