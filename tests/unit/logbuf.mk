# Unit suite for the log ring, printk (with its loglvl= option) and the console registry.
UNIT_TESTS += logbuf
logbuf_SRCS := common/logbuf.c common/printk.c common/console.c common/cmdline.c \
               common/lib/string.c common/lib/vsprintf.c tests/unit/test_logbuf.c \
               tests/unit/shim_lib_platform.c tests/unit/shim_spinlock.c
logbuf_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
