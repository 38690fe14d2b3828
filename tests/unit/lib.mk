# Unit suites for common/lib: string routines and the vsnprintf formatter.
#
# Keel defines memcpy, strlen, snprintf... which libc also defines. Host binaries that link
# Keel's common/lib sources compile everything with these names remapped to keel_*, so the
# code under test is Keel's while libc, cmocka and the sanitizers keep their own. Use
# $(KEEL_HOST_LIB_CFLAGS) (recursively: `X_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)`) in such suites.
KEEL_HOST_LIB_NAMES := memset memcpy memmove memcmp strlen strnlen strcmp strncmp strchr strlcpy \
                       vsnprintf snprintf
KEEL_HOST_LIB_CFLAGS := -fno-builtin -U_FORTIFY_SOURCE \
                        $(foreach f,$(KEEL_HOST_LIB_NAMES),-D$(f)=keel_$(f))
KEEL_HOST_LIB_SRCS := common/lib/string.c common/lib/vsprintf.c

UNIT_TESTS += string vsprintf
string_SRCS := common/lib/string.c tests/unit/test_string.c
string_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
vsprintf_SRCS := $(KEEL_HOST_LIB_SRCS) tests/unit/test_vsprintf.c
vsprintf_CFLAGS = $(KEEL_HOST_LIB_CFLAGS)
