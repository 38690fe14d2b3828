# What guest page walks check (arch/x86/hvm/guest_walk.c): U/S, R/W with CR0.WP, NX, SMEP, SMAP,
# reserved bits in every paging mode, accessed/dirty flags, and the copies' privilege.
UNIT_TESTS += guestwalk_rights
guestwalk_rights_SRCS := arch/x86/hvm/guest_access.c arch/x86/hvm/guest_walk.c \
	tests/unit/test_guestwalk_rights.c tests/unit/shim_core.c tests/unit/shim_spinlock.c \
	tests/unit/shim_core_guest.c
guestwalk_rights_CFLAGS := -Iarch/x86/include -fno-sanitize-recover=all
