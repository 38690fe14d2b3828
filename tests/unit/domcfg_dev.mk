# Unit suite for the device keys of module lines (common/domain_config_devices.c).
UNIT_TESTS += domcfg_dev
domcfg_dev_SRCS := common/domain_config.c common/domain_config_shm.c common/domain_config_values.c common/domain_config_devices.c \
                   common/lib/string.c common/lib/vsprintf.c \
                   tests/unit/test_domcfg_devices.c tests/unit/shim_lib_printk.c
domcfg_dev_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
