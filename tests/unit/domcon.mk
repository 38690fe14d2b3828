# Guest console output (common/domain_console.c) through the real printk and console registry:
# line buffering, the byte filter, the per-domain rate limit and drop summary, Keel's lines
# queued behind a guest line, flushes bounded in time and none with interrupts off.
UNIT_TESTS += domcon
domcon_SRCS := common/domain_console.c common/printk.c common/console.c common/cmdline.c \
               common/logbuf.c common/lib/string.c common/lib/vsprintf.c \
               tests/unit/test_domcon.c tests/unit/shim_lib_platform.c tests/unit/shim_spinlock.c
domcon_CFLAGS = $(KEEL_HOST_LIB_CFLAGS) -Iarch/x86/include -fno-sanitize-recover=all
