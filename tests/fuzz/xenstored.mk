# Fuzzer for keel-xenstored's wire framing and request handling (tools/xenstored/).
FUZZERS += fuzz_xenstored
fuzz_xenstored_SRCS := $(addprefix tools/xenstored/,wire.c handlers.c domain.c ops.c tree.c \
	perms.c watch.c transaction.c quota.c core.c) tests/fuzz/fuzz_xenstored.c
fuzz_xenstored_CFLAGS = $(shell pkg-config --cflags glib-2.0)
fuzz_xenstored_LIBS = $(shell pkg-config --libs glib-2.0)

# Fuzzer for the xenstore ring's byte queues (tools/xenstored/ring.c) with hostile indices.
FUZZERS += fuzz_xs_ring
fuzz_xs_ring_SRCS := tools/xenstored/ring.c tests/fuzz/fuzz_xs_ring.c
fuzz_xs_ring_CFLAGS :=
