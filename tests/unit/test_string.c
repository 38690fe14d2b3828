/* Unit tests for common/lib/string.c (built with names remapped to keel_*, see lib.mk). */
#include <keel/compiler.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#define BUF 96

static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

static void test_memset_all_alignments(void **state)
{
	unsigned char buf[BUF], ref[BUF];
	size_t off, len, i;

	(void)state;
	for (off = 0; off < 16; off++) {
		for (len = 0; off + len <= BUF; len++) {
			fill_pattern(buf, BUF, (unsigned int)len);
			fill_pattern(ref, BUF, (unsigned int)len);
			for (i = off; i < off + len; i++)
				ref[i] = 0xa5;
			assert_ptr_equal(memset(buf + off, 0x1a5, len),
					 buf + off); /* int is cut to a byte */
			for (i = 0; i < BUF; i++)
				assert_int_equal(buf[i], ref[i]);
		}
	}
}

static void test_memcpy_all_alignments(void **state)
{
	unsigned char src[BUF], dst[BUF], ref[BUF];
	size_t so, doff, len, i;

	(void)state;
	fill_pattern(src, BUF, 3);
	for (so = 0; so < 9; so++) {
		for (doff = 0; doff < 9; doff++) {
			for (len = 0; len + MAX(so, doff) <= BUF; len += 1 + len / 8) {
				memset(dst, 0xee, BUF);
				memset(ref, 0xee, BUF);
				for (i = 0; i < len; i++)
					ref[doff + i] = src[so + i];
				assert_ptr_equal(memcpy(dst + doff, src + so, len), dst + doff);
				for (i = 0; i < BUF; i++)
					assert_int_equal(dst[i], ref[i]);
			}
		}
	}
}

static void test_memmove_overlap_both_ways(void **state)
{
	unsigned char buf[BUF], ref[BUF], tmp[BUF];
	size_t from, to, len, i;

	(void)state;
	for (from = 0; from < 24; from++) {
		for (to = 0; to < 24; to++) {
			for (len = 0; len + MAX(from, to) <= BUF; len += 5) {
				fill_pattern(buf, BUF, (unsigned int)(from + to));
				fill_pattern(ref, BUF, (unsigned int)(from + to));
				for (i = 0; i < len; i++)
					tmp[i] = ref[from + i];
				for (i = 0; i < len; i++)
					ref[to + i] = tmp[i];
				assert_ptr_equal(memmove(buf + to, buf + from, len), buf + to);
				for (i = 0; i < BUF; i++)
					assert_int_equal(buf[i], ref[i]);
			}
		}
	}
}

static void test_memcmp_sign_and_length(void **state)
{
	(void)state;
	assert_int_equal(memcmp("abc", "abd", 0), 0);
	assert_int_equal(memcmp("abc", "abc", 3), 0);
	assert_true(memcmp("abc", "abd", 3) < 0);
	assert_true(memcmp("abd", "abc", 3) > 0);
	/* Bytes compare as unsigned char. */
	assert_true(memcmp("\x80", "\x7f", 1) > 0);
	/* Stops at n: differences after n do not count. */
	assert_int_equal(memcmp("abX", "abY", 2), 0);
}

static void test_strlen_strnlen(void **state)
{
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(strlen(""), 0);
	assert_int_equal(strlen("keel"), 4);
	assert_int_equal(strlen(big), 299);
	assert_int_equal(strnlen("keel", 10), 4);
	assert_int_equal(strnlen("keel", 2), 2);
	assert_int_equal(strnlen("keel", 0), 0);
	/* strnlen must not read past max: a heap buffer without NUL is caught by ASan if it does. */
	{
		char *raw = malloc(5);

		memcpy(raw, "abcde", 5);
		assert_int_equal(strnlen(raw, 5), 5);
		free(raw);
	}
}

static void test_strcmp_strncmp(void **state)
{
	(void)state;
	assert_int_equal(strcmp("", ""), 0);
	assert_int_equal(strcmp("keel", "keel"), 0);
	assert_true(strcmp("kee", "keel") < 0);
	assert_true(strcmp("keel", "kee") > 0);
	assert_true(strcmp("a", "b") < 0);
	assert_true(strcmp("\xff", "a") > 0); /* unsigned */
	assert_int_equal(strncmp("keel-x", "keel-y", 5), 0);
	assert_true(strncmp("keel-x", "keel-y", 6) < 0);
	assert_int_equal(strncmp("ab", "ab", 100), 0); /* stops at the NUL */
	assert_true(strncmp("ab", "abc", 100) < 0);
	assert_int_equal(strncmp("x", "y", 0), 0);
}

static void test_strchr(void **state)
{
	const char *s = "a=b=c";

	(void)state;
	assert_ptr_equal(strchr(s, '='), s + 1);
	assert_ptr_equal(strchr(s, 'c'), s + 4);
	assert_null(strchr(s, 'z'));
	assert_ptr_equal(strchr(s, '\0'), s + 5);  /* the terminator is part of the string */
	assert_ptr_equal(strchr(s, 'a' + 256), s); /* c is converted to char */
}

static void test_strlcpy_truncates_and_terminates(void **state)
{
	char dst[8];

	(void)state;
	memset(dst, 'Z', sizeof(dst));
	assert_int_equal(strlcpy(dst, "hello", sizeof(dst)), 5);
	assert_string_equal(dst, "hello");
	memset(dst, 'Z', sizeof(dst));
	assert_int_equal(strlcpy(dst, "hello, world", sizeof(dst)), 12);
	assert_string_equal(dst, "hello, ");
	assert_int_equal(strlcpy(dst, "abcdefgh", sizeof(dst)), 8); /* exactly one too many */
	assert_string_equal(dst, "abcdefg");
	memset(dst, 'Z', sizeof(dst));
	assert_int_equal(strlcpy(dst, "abc", 0), 3); /* size 0: nothing written */
	assert_int_equal(dst[0], 'Z');
	assert_int_equal(strlcpy(dst, "abc", 1), 3);
	assert_string_equal(dst, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memset_all_alignments),
	    cmocka_unit_test(test_memcpy_all_alignments),
	    cmocka_unit_test(test_memmove_overlap_both_ways),
	    cmocka_unit_test(test_memcmp_sign_and_length),
	    cmocka_unit_test(test_strlen_strnlen),
	    cmocka_unit_test(test_strcmp_strncmp),
	    cmocka_unit_test(test_strchr),
	    cmocka_unit_test(test_strlcpy_truncates_and_terminates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
