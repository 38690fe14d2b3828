# Per-CPU timers (common/timer.c) on a settable clock and CPU id (tests/unit/shim_core_timer.c).
UNIT_TESTS += timer
timer_SRCS := common/timer.c tests/unit/test_timer.c tests/unit/shim_core.c tests/unit/shim_spinlock.c \
	tests/unit/shim_core_timer.c tests/unit/shim_sched_none.c
timer_CFLAGS := -fno-sanitize-recover=all
