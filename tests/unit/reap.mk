# Reaping a dying domain against CPUs running its vCPUs: the real run loop, scheduler, vCPU, timer
# and domain-end code (common/sched, common/vcpu.c, common/domain_end.c) on threads as CPUs.
UNIT_TESTS += reap
reap_SRCS := common/sched/runloop.c common/sched/core.c common/sched/fair.c \
	common/sched/fair_rq.c common/sched/rt.c \
	common/sched/null.c common/sched/pool.c common/vcpu.c \
	common/timer.c common/domain_end.c common/runstate.c common/vcpu_timer.c \
	common/vcpu_down.c common/sched/poll.c tests/unit/test_reap.c tests/unit/shim_core.c \
	tests/unit/shim_spinlock_mt.c tests/unit/shim_core_timer.c tests/unit/shim_no_guest_mem.c
reap_CFLAGS := -Iarch/x86/include -pthread -fno-sanitize-recover=all
