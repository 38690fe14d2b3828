# EPT tables (arch/x86/ept) on the real frame allocator; frame_alloc is wrapped (--wrap) so the
# shim can make it fail, frame_free so it can see frees. Three suites: the operations one by one,
# stress (model, failures), and invalidation (generations, CPUs caching tables, the table limit).
EPT_TEST_SRCS := arch/x86/ept/ept.c common/mm/frame_alloc.c tests/unit/shim_ept.c \
	tests/unit/shim_mm.c tests/unit/shim_spinlock.c
EPT_TEST_CFLAGS := -Iarch/x86/include -Wl,--wrap=frame_alloc -Wl,--wrap=frame_free

UNIT_TESTS += ept ept_stress ept_flush
ept_SRCS := $(EPT_TEST_SRCS) tests/unit/test_ept.c
ept_CFLAGS := $(EPT_TEST_CFLAGS)
ept_stress_SRCS := $(EPT_TEST_SRCS) tests/unit/test_ept_stress.c
ept_stress_CFLAGS := $(EPT_TEST_CFLAGS)
ept_flush_SRCS := $(EPT_TEST_SRCS) tests/unit/test_ept_flush.c
ept_flush_CFLAGS := $(EPT_TEST_CFLAGS)
