# Grant tables v1 (entry word, pins, maps and handles, copies) and ballooning, from the real
# sources over the real frame allocator; a fake physical map per domain (shim_grant.c).
UNIT_TESTS += grant
grant_SRCS := common/grant/grant_entry.c common/grant/grant_table.c common/grant/grant_map.c \
	common/grant/grant_copy.c common/mm/domain_mem.c common/mm/domain_balloon.c \
	common/loader/pvh_info.c common/mm/frame_alloc.c tests/unit/test_grant.c \
	tests/unit/shim_mm.c tests/unit/shim_spinlock.c tests/unit/shim_grant.c
grant_CFLAGS := -Iarch/x86/include -pthread -fno-sanitize-recover=all
