# Foreign maps (common/mm/foreign_map.c): validation, pins against ballooning, the owner's
# references (lifetime), unflushed unmaps; over the real domain memory, grant and frame code.
UNIT_TESTS += foreign
foreign_SRCS := common/mm/foreign_map.c common/grant/grant_entry.c common/grant/grant_table.c \
	common/grant/grant_map.c common/grant/grant_copy.c common/mm/domain_mem.c \
	common/mm/domain_balloon.c common/loader/pvh_info.c common/mm/frame_alloc.c \
	tests/unit/test_foreign.c tests/unit/shim_mm.c tests/unit/shim_spinlock.c \
	tests/unit/shim_grant.c
foreign_CFLAGS := -Iarch/x86/include -pthread -fno-sanitize-recover=all
