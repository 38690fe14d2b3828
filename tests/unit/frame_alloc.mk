# Buddy frame allocator against a host arena standing in for physical RAM.
UNIT_TESTS += frame_alloc
frame_alloc_SRCS := common/mm/frame_alloc.c tests/unit/test_frame_alloc.c tests/unit/shim_mm.c tests/unit/shim_spinlock.c
