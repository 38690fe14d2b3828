# Guest page walks (arch/x86/hvm/guest_walk.c) and copy_{from,to}_guest (guest_access.c) over a
# fake guest RAM.
UNIT_TESTS += guestwalk
guestwalk_SRCS := arch/x86/hvm/guest_access.c arch/x86/hvm/guest_walk.c tests/unit/test_guestwalk.c tests/unit/shim_core.c tests/unit/shim_spinlock.c \
	tests/unit/shim_core_guest.c
guestwalk_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
