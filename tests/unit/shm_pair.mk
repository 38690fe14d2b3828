# Pairing the boot domains' shared memory regions (common/domain_shm_pair.c).
UNIT_TESTS += shm_pair
shm_pair_SRCS := common/domain_shm_pair.c common/domain_config.c common/domain_config_devices.c common/domain_config_values.c common/domain_config_shm.c \
                 common/lib/string.c common/lib/vsprintf.c tests/unit/test_shm_pair.c \
                 tests/unit/shim_lib_printk.c
shm_pair_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
