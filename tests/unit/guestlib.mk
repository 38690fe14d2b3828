# Unit suite for the test guests' pure library code (guests/lib): formatter, command line,
# statistics, pvclock arithmetic and the 2-level event scan.
UNIT_TESTS += guestlib
guestlib_SRCS := guests/lib/fmt.c guests/lib/bootargs.c guests/lib/stats.c guests/lib/pvclock.c \
                 guests/lib/events_scan.c tests/unit/test_guestlib.c
guestlib_CFLAGS := -Iguests/lib
