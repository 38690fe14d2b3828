# A vCPU's PV state: runstate accounting, SCHEDOP_poll wake-ups through real event delivery, the
# "every vCPU down" power-off, guest timers (common/runstate.c, sched/poll.c, vcpu_down.c, vcpu_timer.c).
UNIT_TESTS += vcpu_pv
vcpu_pv_SRCS := common/runstate.c common/sched/poll.c common/vcpu_down.c common/vcpu_timer.c \
	common/timer.c common/event/ports.c common/event/deliver.c common/event/deliver_2l.c \
	common/event/deliver_fifo.c common/event/interdomain.c common/event/keel_ports.c \
	tests/unit/test_vcpu_pv.c tests/unit/shim_core.c tests/unit/shim_spinlock.c \
	tests/unit/shim_core_timer.c tests/unit/shim_core_evtchn.c tests/unit/shim_sched_none.c
vcpu_pv_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
