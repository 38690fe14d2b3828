# The FIFO event-channel ABI (common/event/deliver_fifo.c) on real ports, with guest-side consumption.
UNIT_TESTS += evtchn_fifo
evtchn_fifo_SRCS := common/event/ports.c common/event/deliver.c common/event/deliver_2l.c \
	common/event/deliver_fifo.c common/event/interdomain.c common/event/keel_ports.c \
	common/hypercall/event_channel_op.c \
	tests/unit/test_evtchn_fifo.c tests/unit/shim_core.c tests/unit/shim_spinlock.c \
	tests/unit/shim_core_evtchn.c tests/unit/shim_poll_none.c
evtchn_fifo_CFLAGS := -Iarch/x86/include -Icommon/hypercall -fno-sanitize-recover=all
