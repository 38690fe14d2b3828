# keel-consoled's daemon (tools/consoled/: the scan, a domain's connection, pty and log) over
# fake Keel, xenstore, event channel and foreign memory libraries in the test: real ptys and
# files on the host.
UNIT_TESTS += consoled_daemon
consoled_daemon_SRCS := $(addprefix tools/consoled/,ring.c names.c pty.c domain.c scan.c) \
	tests/unit/test_consoled_daemon.c
consoled_daemon_CFLAGS = $(shell pkg-config --cflags glib-2.0) -fno-sanitize-recover=all
consoled_daemon_LIBS = $(shell pkg-config --libs glib-2.0)
