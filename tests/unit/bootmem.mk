# Boot-time free-memory bookkeeping (common/mm/boot_mem.c), checked against a page-bitmap model.
UNIT_TESTS += bootmem
bootmem_SRCS := common/mm/boot_mem.c tests/unit/test_bootmem.c tests/unit/shim_core.c tests/unit/shim_spinlock.c
bootmem_CFLAGS := -fno-sanitize-recover=all
