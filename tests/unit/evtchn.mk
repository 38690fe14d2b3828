# Event channels (common/event_channel.c): ports, 2-level delivery into a real shared_info.
UNIT_TESTS += evtchn
evtchn_SRCS := common/event_channel.c tests/unit/test_evtchn.c tests/unit/shim_core.c tests/unit/shim_spinlock.c \
	tests/unit/shim_core_evtchn.c
evtchn_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
