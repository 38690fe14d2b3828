# Unit suite for device ownership at boot (common/device_owner.c): conflicts, Keel's resources.
UNIT_TESTS += devown
devown_SRCS := common/device_owner.c common/domain_config_devices.c \
               common/lib/string.c common/lib/vsprintf.c \
               tests/unit/test_device_owner.c tests/unit/shim_lib_printk.c
devown_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
