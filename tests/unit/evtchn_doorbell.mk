# Doorbells (common/event/doorbell.c): Keel-made interdomain channels of shared memory regions.
UNIT_TESTS += evtchn_doorbell
evtchn_doorbell_SRCS := common/event/ports.c common/event/deliver.c common/event/deliver_2l.c \
	common/event/deliver_fifo.c common/event/interdomain.c common/event/keel_ports.c \
	common/event/doorbell.c tests/unit/test_evtchn_doorbell.c tests/unit/shim_core.c \
	tests/unit/shim_spinlock.c tests/unit/shim_core_evtchn.c tests/unit/shim_poll_none.c
evtchn_doorbell_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
