# dom0's 1:1 RAM chosen at boot, modules moved out of it, and its memory map (common/mm/dom0_mem.c).
UNIT_TESTS += dom0mem
dom0mem_SRCS := common/mm/dom0_mem.c common/mm/boot_mem.c common/domain_config.c common/domain_config_values.c common/domain_config_shm.c common/domain_config_devices.c \
	\
	common/lib/string.c common/lib/vsprintf.c tests/unit/test_dom0mem.c \
	tests/unit/shim_lib_printk.c
dom0mem_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
