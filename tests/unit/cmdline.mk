# Unit suite for the command-line parser.
UNIT_TESTS += cmdline
cmdline_SRCS := common/cmdline.c common/lib/string.c common/lib/vsprintf.c \
                tests/unit/test_cmdline.c tests/unit/shim_lib_printk.c
cmdline_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
