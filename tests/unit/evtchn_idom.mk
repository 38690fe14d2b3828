# Event channels between domains (common/event/): unbound and interdomain ports, permissions,
# close and destruction of either end, status, reset, Keel-served ports, table growth, VIRQs.
UNIT_TESTS += evtchn_idom
evtchn_idom_SRCS := common/event/ports.c common/event/deliver.c common/event/deliver_2l.c common/event/deliver_fifo.c \
	common/event/interdomain.c common/event/keel_ports.c tests/unit/test_evtchn_idom.c \
	tests/unit/shim_core.c tests/unit/shim_spinlock.c tests/unit/shim_core_evtchn.c tests/unit/shim_poll_none.c
evtchn_idom_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
