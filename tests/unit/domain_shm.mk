# Shared memory regions of boot-time domains (common/domain_shm.c) with the real pairing, parser
# and event channels; frames, physical maps and the registry of domains are the test's.
UNIT_TESTS += domain_shm
domain_shm_SRCS := common/domain_shm.c common/domain_shm_pair.c common/domain_config.c common/domain_config_devices.c common/domain_config_values.c \
	common/domain_config_shm.c common/event/ports.c common/event/deliver.c \
	common/event/deliver_2l.c common/event/deliver_fifo.c common/event/interdomain.c \
	common/event/keel_ports.c common/event/doorbell.c common/lib/string.c common/lib/vsprintf.c \
	tests/unit/test_domain_shm.c tests/unit/shim_core.c tests/unit/shim_spinlock.c \
	tests/unit/shim_core_evtchn.c tests/unit/shim_poll_none.c
domain_shm_CFLAGS = $(KEEL_HOST_LIB_CFLAGS) -Iarch/x86/include -fno-sanitize-recover=all
# The same, booted with too little memory for a region.
UNIT_TESTS += domain_shm_oom
domain_shm_oom_SRCS := $(domain_shm_SRCS)
domain_shm_oom_CFLAGS = $(domain_shm_CFLAGS) -DSHM_TEST_OOM
