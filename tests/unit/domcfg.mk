# Unit suite for boot-module domain configs (common/domain_config.c).
UNIT_TESTS += domcfg
domcfg_SRCS := common/domain_config.c common/domain_config_values.c common/domain_config_shm.c common/domain_config_devices.c \
	common/lib/string.c common/lib/vsprintf.c \
               tests/unit/test_domcfg.c tests/unit/shim_lib_printk.c
domcfg_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
