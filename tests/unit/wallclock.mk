# Wall clock (common/wallclock.c): CMOS RTC decoding (BCD/binary, 12/24 h, century) and shared_info wc_*.
UNIT_TESTS += wallclock
wallclock_SRCS := common/wallclock.c tests/unit/test_wallclock.c
wallclock_CFLAGS := -fno-sanitize-recover=all
