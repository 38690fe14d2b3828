# Unit suite for the shm= key of module lines (common/domain_config_shm.c).
UNIT_TESTS += domcfg_shm
domcfg_shm_SRCS := common/domain_config.c common/domain_config_devices.c common/domain_config_values.c common/domain_config_shm.c common/lib/string.c \
                   common/lib/vsprintf.c tests/unit/test_domcfg_shm.c tests/unit/shim_lib_printk.c
domcfg_shm_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
