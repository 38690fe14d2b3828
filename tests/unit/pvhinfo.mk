# Unit suite for the PVH start-info builder and guest memory map (common/loader/pvh_info.c).
UNIT_TESTS += pvhinfo
pvhinfo_SRCS := common/loader/pvh_info.c common/lib/string.c tests/unit/test_pvhinfo.c
pvhinfo_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
