/* Unit tests for common/lib/vsprintf.c, checked against the host C library's snprintf. */
#include <keel/compiler.h>
#include <keel/printk.h>
#include <keel/string.h>
/* lib.mk maps snprintf/vsnprintf to keel_*; undo that here so the host's can be the reference. */
#undef snprintf
#undef vsnprintf
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* Format with both implementations and require identical text and return values. */
#define SAME(...)                                                                     \
	do {                                                                          \
		char keel_out[512], host_out[512];                                    \
		int keel_rc = keel_snprintf(keel_out, sizeof(keel_out), __VA_ARGS__); \
		int host_rc = snprintf(host_out, sizeof(host_out), __VA_ARGS__);      \
		assert_string_equal(keel_out, host_out);                              \
		assert_int_equal(keel_rc, host_rc);                                   \
	} while (0)

static void test_integers_match_host(void **state)
{
	(void)state;
	SAME("%d %i %u", 0, -1, 0u);
	SAME("%d %d", INT_MAX, INT_MIN);
	SAME("%u %x %X %o", UINT_MAX, 0xdeadbeefu, 0xdeadbeefu, 0755u);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0x123456789abcdefUL);
	SAME("%lld %llu %llx", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ULL);
	SAME("%zu %zd %zx", (size_t)12345, (ssize_t)-42, (size_t)0xabc);
	SAME("%hd %hu %hhd %hhu %hx", (short)-3, (unsigned short)65535, (signed char)-128,
	     (unsigned char)255, (unsigned short)0xbeef);
	/* h/hh truncate the promoted int as C requires. */
	SAME("%hd %hhu", 70000, 300);
	SAME("%hhd %hhd %hhd %hhi", 200, 0x17f, -129, 0x80); /* signed char: -56 127 127 -128 */
	SAME("%jd %td", (intmax_t)-9, (ptrdiff_t)-7);
}

static void test_width_flags_precision_match_host(void **state)
{
	(void)state;
	SAME("[%5d] [%-5d] [%05d]", 42, 42, 42);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat" /* deliberately redundant flags */
	SAME("[%-05d]", 42);
	SAME("[%5d] [%05d] [%+d] [% d] [%+05d]", -42, -42, 42, 42, 7);
	SAME("[%08x] [%-8X] [%#x] [%#X] [%#08x] [%#o] [%#x]", 0xbeef, 0xbeef, 0xbeef, 0xbeef, 0xbe,
	     8, 0);
	SAME("[%.3d] [%8.3d] [%-8.3d] [%08.3d] [%.0d] [%.0x] [%5.0d]", 7, -7, 7, 7, 0, 0, 0);
#pragma GCC diagnostic pop
	SAME("[%*d] [%-*d] [%*d] [%.*d]", 6, 1, 6, 2, -6, 3, 4, 5);
	SAME("[%5llu.%06llu]", 12ULL, 345ULL);
	SAME("[%2d] [%1x]", 12345, 0xabcdef);
	SAME("[%#.0o] [%#5o] [%#.3o]", 0, 8, 8);
}

static void test_strings_chars_percent_match_host(void **state)
{
	(void)state;
	SAME("[%s] [%10s] [%-10s] [%.2s] [%8.3s] [%-8.3s]", "keel", "keel", "keel", "keel", "keel",
	     "keel");
	SAME("[%.*s] [%.*s]", 3, "abcdef", 0, "abcdef");
	SAME("[%.*s]", -1, "negative precision means none");
	SAME("[%c] [%3c] [%-3c] [%c]", 'k', 'e', 'e', 0x141);
	SAME("100%% [%%] %s", "");
	SAME("%p", (void *)0x1234abcd);
	SAME("%p", (void *)&test_strings_chars_percent_match_host);
	SAME("[%20p] [%-20p]", (void *)0xabc, (void *)0xabc);
	SAME("%s", "");
	SAME("no conversions at all");
}

static void test_null_string_and_pointer(void **state)
{
	char out[64];

	(void)state;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-overflow" /* NULL %s on purpose */
	assert_int_equal(keel_snprintf(out, sizeof(out), "%s", (char *)NULL), 6);
	assert_string_equal(out, "(null)");
	keel_snprintf(out, sizeof(out), "[%8s]", (char *)NULL);
	assert_string_equal(out, "[  (null)]");
	keel_snprintf(out, sizeof(out), "%p", NULL);
	assert_string_equal(out, "(nil)");
#pragma GCC diagnostic pop
}

static void test_truncation_terminates_and_returns_full_length(void **state)
{
	const char *expect = "value=12345 name=keel";
	size_t size;

	(void)state;
	/* Exact-size heap buffers: ASan reports any byte written past size. */
	for (size = 1; size <= 24; size++) {
		char *out = malloc(size);
		int rc = keel_snprintf(out, size, "value=%d name=%s", 12345, "keel");

		assert_int_equal(rc, 21);
		assert_int_equal(strlen(out), MIN(size - 1, (size_t)21));
		assert_memory_equal(out, expect, strlen(out));
		free(out);
	}
	/* size 0: nothing written (NULL is allowed), the length still reported. */
	assert_int_equal(keel_snprintf(NULL, 0, "%d%s", -100, "abc"), 7);
	{
		char sentinel = 'S';

		assert_int_equal(keel_snprintf(&sentinel, 0, "xyz"), 3);
		assert_int_equal(sentinel, 'S');
	}
}

static int call_keel_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = keel_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return rc;
}

static void test_vsnprintf_and_odd_formats(void **state)
{
	char out[64];
	const char *fmt;

	(void)state;
	assert_int_equal(call_keel_vsnprintf(out, sizeof(out), "%s-%u", "a", 7u), 3);
	assert_string_equal(out, "a-7");
	/* Unknown conversions and a lone trailing '%' are printed as written. */
	fmt = "bad %q and %lk end %";
	assert_int_equal(call_keel_vsnprintf(out, sizeof(out), fmt), (int)strlen(fmt));
	assert_string_equal(out, fmt);
	/* Huge widths are capped rather than overflowing. */
	fmt = "%99999999999d|";
	assert_true(call_keel_vsnprintf(out, sizeof(out), fmt, 1) > 0);
	assert_int_equal(strlen(out), sizeof(out) - 1);
}

/* Random numbers with random flags, widths and precisions against the host. */
static void test_random_numeric_formats_match_host(void **state)
{
	static const char convs[] = "diuxXo";
	static const char *const flagsets[] = {"", "-", "0", "+", " ", "#", "-+", "0#", "- #"};
	unsigned int seed = 12345, i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		char fmt[32], keel_out[128], host_out[128];
		char conv = convs[rand_r(&seed) % 6];
		const char *flags = flagsets[rand_r(&seed) % ARRAY_SIZE(flagsets)];
		int width = rand_r(&seed) % 25, prec = rand_r(&seed) % 25 - 5;
		long long v = (long long)(((unsigned long long)rand_r(&seed) << 33) ^
					  ((unsigned long long)rand_r(&seed) << 7) ^
					  (unsigned long long)rand_r(&seed));
		int keel_rc, host_rc;

		if (rand_r(&seed) % 4 == 0)
			v = rand_r(&seed) % 3 - 1;
		if (conv != 'd' && conv != 'i' && strchr(flags, '+'))
			flags = "-";
		if (prec >= 0)
			snprintf(fmt, sizeof(fmt), "%%%s%d.%dll%c", flags, width, prec, conv);
		else
			snprintf(fmt, sizeof(fmt), "%%%s%dll%c", flags, width, conv);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		keel_rc = keel_snprintf(keel_out, sizeof(keel_out), fmt, v);
		host_rc = snprintf(host_out, sizeof(host_out), fmt, v);
#pragma GCC diagnostic pop
		if (strcmp(keel_out, host_out) != 0 || keel_rc != host_rc)
			fail_msg("format '%s' value %lld: keel '%s' host '%s'", fmt, v, keel_out,
				 host_out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_integers_match_host),
	    cmocka_unit_test(test_width_flags_precision_match_host),
	    cmocka_unit_test(test_strings_chars_percent_match_host),
	    cmocka_unit_test(test_null_string_and_pointer),
	    cmocka_unit_test(test_truncation_terminates_and_returns_full_length),
	    cmocka_unit_test(test_vsnprintf_and_odd_formats),
	    cmocka_unit_test(test_random_numeric_formats_match_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
