# The management hypercalls (common/hypercall/domctl.c, sysctl.c) from dom0 and from a domU: the
# call rules, every command's ranges, and what they do, over the real domain list and lifecycle
# (common/domain.c, domain_end.c), vCPUs and scheduler, frame allocator, memory map and log ring;
# arch, event-channel and grant hooks are fakes (tests/unit/shim_mgmt.c).
MGMT_TEST_SRCS := common/hypercall/domctl.c common/hypercall/sysctl.c common/domain.c \
	common/domain_end.c common/vcpu.c common/sched/core.c common/sched/fair.c \
	common/sched/fair_rq.c common/sched/rt.c common/sched/null.c common/sched/pool.c \
	common/runstate.c common/vcpu_down.c common/vcpu_timer.c common/timer.c \
	common/sched/poll.c common/loader/pvh_info.c common/domain_acpi.c common/loader/guest_acpi.c common/mm/frame_alloc.c \
	common/mm/domain_mem.c common/printk.c common/logbuf.c common/console.c common/cmdline.c \
	common/lib/string.c common/lib/vsprintf.c tests/unit/shim_mgmt.c tests/unit/shim_mm.c \
	tests/unit/shim_spinlock.c tests/unit/shim_core_timer.c
MGMT_TEST_CFLAGS = $(KEEL_HOST_LIB_CFLAGS) -Iarch/x86/include -fno-sanitize-recover=all

UNIT_TESTS += domctl
domctl_SRCS := $(MGMT_TEST_SRCS) tests/unit/test_domctl.c
domctl_CFLAGS = $(MGMT_TEST_CFLAGS)
UNIT_TESTS += domctl_ops
domctl_ops_SRCS := $(MGMT_TEST_SRCS) tests/unit/test_domctl_ops.c
domctl_ops_CFLAGS = $(MGMT_TEST_CFLAGS)
UNIT_TESTS += sysctl
sysctl_SRCS := $(MGMT_TEST_SRCS) tests/unit/test_sysctl.c
sysctl_CFLAGS = $(MGMT_TEST_CFLAGS)
