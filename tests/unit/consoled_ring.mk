# keel-consoled's ring queues, hostile indices, pty fifo and file names (tools/consoled/), on
# plain memory.
UNIT_TESTS += consoled_ring
consoled_ring_SRCS := tools/consoled/ring.c tools/consoled/names.c tests/unit/test_consoled_ring.c
consoled_ring_CFLAGS := -fno-sanitize-recover=all
