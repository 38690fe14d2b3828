# timer_stop() against callbacks running on other CPUs: threads as CPUs, real spinning locks.
UNIT_TESTS += timer_sync
timer_sync_SRCS := common/timer.c tests/unit/test_timer_sync.c tests/unit/shim_core.c \
	tests/unit/shim_spinlock_mt.c tests/unit/shim_core_timer.c tests/unit/shim_sched_none.c
timer_sync_CFLAGS := -pthread -fno-sanitize-recover=all
