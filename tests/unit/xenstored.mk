# keel-xenstored's protocol core (tools/xenstored/): requests, perms, watches, transactions,
# quotas; its ring byte queues on plain memory.
XS_UNIT_CORE := $(addprefix tools/xenstored/,wire.c handlers.c domain.c ops.c tree.c perms.c \
	watch.c transaction.c quota.c core.c)
UNIT_TESTS += xenstored xs_ring
xenstored_SRCS := $(XS_UNIT_CORE) tests/unit/test_xenstored.c
xenstored_CFLAGS = $(shell pkg-config --cflags glib-2.0) -fno-sanitize-recover=all
xenstored_LIBS = $(shell pkg-config --libs glib-2.0)
xs_ring_SRCS := tools/xenstored/ring.c tests/unit/test_xs_ring.c
xs_ring_CFLAGS := -fno-sanitize-recover=all
