# Heap (kmalloc/kfree) on top of the real frame allocator, plus mm_report.
UNIT_TESTS += heap
heap_SRCS := common/mm/heap.c common/mm/frame_alloc.c common/mm/mm_report.c \
	tests/unit/test_heap.c tests/unit/shim_mm.c tests/unit/shim_spinlock.c
