# Scheduler (common/sched): the fair-share policy and the sched_* wrappers on a simulated machine.
SCHED_TEST_SRCS := common/sched/fair.c common/sched/core.c tests/unit/shim_sched.c

UNIT_TESTS += sched_fair sched_smp
sched_fair_SRCS := $(SCHED_TEST_SRCS) tests/unit/test_sched_fair.c
sched_smp_SRCS := $(SCHED_TEST_SRCS) tests/unit/test_sched_smp.c
