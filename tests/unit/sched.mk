# Scheduler (common/sched): pools, the rt, fair and null policies and the sched_* wrappers on a
# simulated machine.
SCHED_TEST_SRCS := common/sched/fair.c common/sched/fair_rq.c common/sched/rt.c common/sched/null.c \
	common/sched/pool.c common/sched/core.c tests/unit/shim_sched.c

UNIT_TESTS += sched_fair sched_smp sched_rt sched_pool
sched_fair_SRCS := $(SCHED_TEST_SRCS) tests/unit/test_sched_fair.c
sched_smp_SRCS := $(SCHED_TEST_SRCS) tests/unit/test_sched_smp.c
sched_rt_SRCS := $(SCHED_TEST_SRCS) tests/unit/test_sched_rt.c
sched_pool_SRCS := $(SCHED_TEST_SRCS) tests/unit/test_sched_pool.c

# The policies' private headers are not in the default prerequisites (include/keel, tests/unit).
SCHED_PRIV_USERS := sched_fair sched_smp sched_rt sched_pool reap domctl domctl_ops sysctl
$(addprefix $(BUILD)/tests/unit/,$(SCHED_PRIV_USERS)): common/sched/sched_priv.h \
	common/sched/fair_rq.h
