/* Unit tests for common/cmdline.c: every value type, malformed words, `--`, the linked table. */
#include <keel/cmdline.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* tests/unit/shim_lib_printk.c */
extern unsigned int shim_printk_count[LOG_DEBUG + 1];
void shim_printk_reset(void);
bool shim_printk_contains(const char *text);

static bool opt_flag;
static bool opt_other_flag;
static u64 opt_num;
static char opt_name[8];
static char custom_seen[32];
static int custom_calls;

static int parse_custom(const char *value)
{
	custom_calls++;
	if (strcmp(value, "bad") == 0)
		return -EINVAL;
	strlcpy(custom_seen, value, sizeof(custom_seen));
	return 0;
}

static const struct keel_param table[] = {
    {"flag", PARAM_BOOL, &opt_flag, 0, NULL, "a boolean"},
    {"other_flag", PARAM_BOOL, &opt_other_flag, 0, NULL, "another boolean"},
    {"num", PARAM_UINT, &opt_num, 0, NULL, "a number"},
    {"name", PARAM_STRING, opt_name, sizeof(opt_name), NULL, "a short string"},
    {"custom", PARAM_CUSTOM, NULL, 0, parse_custom, "a custom value"},
};

static int parse(const char *line)
{
	return cmdline_parse(line, table, table + ARRAY_SIZE(table));
}

static int reset(void **state)
{
	(void)state;
	opt_flag = opt_other_flag = false;
	opt_num = 0;
	opt_name[0] = '\0';
	custom_seen[0] = '\0';
	custom_calls = 0;
	shim_printk_reset();
	return 0;
}

static void test_bool_forms(void **state)
{
	static const char *const yes[] = {"flag", "flag=1", "flag=yes", "flag=on", "flag=true"};
	static const char *const no[] = {"no-flag", "flag=0", "flag=no", "flag=off", "flag=false"};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		opt_flag = false;
		assert_int_equal(parse(yes[i]), 0);
		assert_true(opt_flag);
		opt_flag = true;
		assert_int_equal(parse(no[i]), 0);
		assert_false(opt_flag);
	}
	/* '-' and '_' are interchangeable in names. */
	assert_int_equal(parse("other-flag"), 0);
	assert_true(opt_other_flag);
	assert_int_equal(parse("no-other_flag"), 0);
	assert_false(opt_other_flag);
	assert_int_equal(shim_printk_count[LOG_WARN], 0);
}

static void test_bool_bad_values_rejected(void **state)
{
	(void)state;
	opt_flag = true;
	assert_int_equal(parse("flag=maybe flag=2 flag= flag=YESS no-flag=1"), 5);
	assert_true(opt_flag);
	assert_true(shim_printk_contains("expects yes/no"));
	assert_true(shim_printk_contains("'no-flag' only applies"));
	/* no- on a non-boolean is refused. */
	assert_int_equal(parse("no-num"), 1);
}

/*
 * The `no-` prefix path on words that are the prefix, shorter than it, or only look like it:
 * nothing past the word's end may be matched (the names compared start after "no-").
 */
static void test_no_prefix_edge_words(void **state)
{
	static const char *const unknown[] = {"n",	  "no",	     "no-",    "no-=1",
					      "no_flag",  "nO-flag", "no-fla", "no-flagx",
					      "no--flag", "-no-flag"};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		shim_printk_reset();
		opt_flag = true;
		assert_int_equal(parse(unknown[i]), 1);
		assert_true(opt_flag);
		assert_true(shim_printk_contains("unknown option"));
	}
	/* "no-" followed by a name in either spelling still negates; a value is refused. */
	assert_int_equal(parse("no-other-flag"), 0);
	assert_false(opt_other_flag);
	opt_other_flag = true;
	assert_int_equal(parse("no-other_flag=0"), 1);
	assert_true(opt_other_flag);
	/* The word ends at the "no-" (then a space or the end of the line) in a longer line. */
	assert_int_equal(parse("no- flag"), 1);
	assert_true(opt_flag);
	opt_flag = true;
	assert_int_equal(parse("flag no-"), 1);
	assert_true(opt_flag);
}

static void test_uint_forms(void **state)
{
	static const struct {
		const char *word;
		u64 value;
	} ok[] = {
	    {"num=0", 0},
	    {"num=123", 123},
	    {"num=0x7b", 0x7b},
	    {"num=0XABCdef", 0xabcdef},
	    {"num=4K", 4096},
	    {"num=2m", 2 << 20},
	    {"num=16G", 16ULL << 30},
	    {"num=0x10M", 16ULL << 20},
	    {"num=18446744073709551615", ~0ULL},
	    {"num=0xffffffffffffffff", ~0ULL},
	    {"num=17179869183G", 17179869183ULL << 30},
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		opt_num = 1;
		assert_int_equal(parse(ok[i].word), 0);
		assert_int_equal(opt_num, ok[i].value);
	}
}

static void test_uint_overflow_and_garbage_rejected(void **state)
{
	static const char *const bad[] = {
	    "num=18446744073709551616",
	    "num=0x10000000000000000",
	    "num=17179869184G",
	    "num=99999999999999999999999",
	    "num=",
	    "num",
	    "num=-1",
	    "num=12abc",
	    "num=0x",
	    "num=4KB",
	    "num=0xg",
	    "num=1K2",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		opt_num = 77;
		assert_int_equal(parse(bad[i]), 1);
		assert_int_equal(opt_num, 77);
	}
	/* A space ends the word: `num=` is refused and `5` is an unknown option. */
	assert_int_equal(parse("num= 5"), 2);
	assert_int_equal(opt_num, 77);
	assert_true(
	    shim_printk_contains("value '18446744073709551616' of option 'num' is too large"));
	assert_true(shim_printk_contains("option 'num' expects a number, not '12abc'"));
	assert_true(shim_printk_contains("option 'num' needs a value"));
}

static void test_string_values_and_quotes(void **state)
{
	(void)state;
	assert_int_equal(parse("name=keel"), 0);
	assert_string_equal(opt_name, "keel");
	assert_int_equal(parse("name=\"a b\""), 0);
	assert_string_equal(opt_name, "a b");
	assert_int_equal(parse("name=\"x\ty\" flag"), 0); /* quoted tab; parsing goes on */
	assert_string_equal(opt_name, "x\ty");
	assert_true(opt_flag);
	assert_int_equal(parse("name=1234567"), 0); /* exactly fills 8 bytes */
	assert_string_equal(opt_name, "1234567");
	assert_int_equal(parse("name="), 0);
	assert_string_equal(opt_name, "");
	assert_int_equal(parse("name=a\"=\"b"), 0); /* quotes anywhere, '=' inside a value */
	assert_string_equal(opt_name, "a=b");
}

static void test_string_too_long_rejected(void **state)
{
	(void)state;
	strlcpy(opt_name, "old", sizeof(opt_name));
	assert_int_equal(parse("name=12345678"), 1);
	assert_string_equal(opt_name, "old");
	assert_true(shim_printk_contains("value of option 'name' is longer than 7 bytes"));
}

static void test_bad_quotes(void **state)
{
	(void)state;
	/* An open quote swallows the rest of the line, which is then refused as a whole. */
	assert_int_equal(parse("flag name=\"abc num=5"), 1);
	assert_true(opt_flag);
	assert_int_equal(opt_num, 0);
	assert_string_equal(opt_name, "");
	assert_true(shim_printk_contains("unterminated quote"));
	/* An empty quoted word is nothing at all; a lone '"' is an open quote. */
	assert_int_equal(parse("\"\" num=1"), 0);
	assert_int_equal(opt_num, 1);
	assert_int_equal(parse("\""), 1);
}

static void test_custom_param(void **state)
{
	(void)state;
	assert_int_equal(parse("custom=hello"), 0);
	assert_string_equal(custom_seen, "hello");
	assert_int_equal(parse("custom=bad"), 1);
	assert_true(shim_printk_contains("bad value 'bad' for option 'custom'"));
	assert_int_equal(parse("custom"), 1); /* needs a value; parse() not called */
	assert_int_equal(custom_calls, 2);
}

static void test_unknown_option_warns_and_continues(void **state)
{
	(void)state;
	assert_int_equal(parse("bogus num=3 =5 other=1 flag"), 3);
	assert_true(shim_printk_contains("cmdline: unknown option 'bogus' ignored"));
	assert_true(shim_printk_contains("cmdline: unknown option 'other' ignored"));
	assert_true(shim_printk_contains("has no option name"));
	assert_int_equal(shim_printk_count[LOG_WARN], 3);
	assert_int_equal(opt_num, 3);
	assert_true(opt_flag);
}

static void test_duplicates_last_wins_and_whitespace(void **state)
{
	(void)state;
	assert_int_equal(parse("  num=1\tnum=2 \t  name=a   name=b flag no-flag  "), 0);
	assert_int_equal(opt_num, 2);
	assert_string_equal(opt_name, "b");
	assert_false(opt_flag);
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse(" \t "), 0);
	assert_int_equal(parse(NULL), 0);
}

static void test_double_dash_stops_parsing(void **state)
{
	(void)state;
	assert_int_equal(parse("num=1 -- num=2 bogus"), 0);
	assert_int_equal(opt_num, 1);
	assert_int_equal(shim_printk_count[LOG_WARN], 0);
	/* `--x` and `"--"` are ordinary words. */
	assert_int_equal(parse("--x"), 1);
	assert_int_equal(parse("num=5 --"), 0);
	assert_int_equal(opt_num, 5);
}

static void test_overlong_word_rejected_safely(void **state)
{
	char *line = malloc(3000);

	(void)state;
	memcpy(line, "name=", 5);
	memset(line + 5, 'z', 2000);
	strlcpy(line + 2005, " num=9", 3000 - 2005);
	assert_int_equal(parse(line), 1);
	assert_int_equal(opt_num, 9);
	assert_string_equal(opt_name, "");
	assert_true(shim_printk_contains("is longer than 511 bytes"));
	free(line);
}

/* ---- the linked keel_params section ---- */

static bool linked_bool;
static u64 linked_uint;
static char linked_str[16];
KEEL_PARAM_BOOL(linked_bool, linked_bool, "boolean in the section");
KEEL_PARAM_UINT(linked_uint, linked_uint, "number in the section");
KEEL_PARAM_STRING(linked_str, linked_str, "string in the section");

static void test_parse_all_uses_section_and_keeps_raw_copy(void **state)
{
	const char *line =
	    "linked_bool linked_uint=0x20 linked_str=\"hi there\" -- dom0 root=/dev/x";

	(void)state;
	assert_int_equal(cmdline_parse_all(line), 0);
	assert_true(linked_bool);
	assert_int_equal(linked_uint, 0x20);
	assert_string_equal(linked_str, "hi there");
	assert_string_equal(keel_cmdline, line);
	assert_string_equal(cmdline_dom0_args(), "dom0 root=/dev/x");
	/* The table-only options are not in the section. */
	assert_int_equal(cmdline_parse_all("num=1"), 1);
	assert_string_equal(cmdline_dom0_args(), "");
	assert_int_equal(cmdline_parse_all(NULL), 0);
}

static void test_parse_all_long_line_truncates_copy(void **state)
{
	char *line = malloc(2000);

	(void)state;
	memset(line, ' ', 1999);
	line[1999] = '\0';
	memcpy(line + 1990, "linked_uint=7", 9); /* cut: "linked_ui" is unknown */
	memcpy(line, "linked_uint=5", 13);
	assert_int_equal(cmdline_parse_all(line), 1);
	assert_int_equal(linked_uint, 5);
	assert_int_equal(strlen(keel_cmdline), 1023);
	assert_true(shim_printk_contains("kept copy truncated"));
	free(line);
}

static void test_print_help_lists_options(void **state)
{
	(void)state;
	cmdline_print_help();
	assert_true(shim_printk_contains("linked_uint=<num>  number in the section"));
	assert_true(shim_printk_contains("linked_bool[=bool]  boolean in the section"));
	assert_true(shim_printk_contains("linked_str=<text>"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_bool_forms, reset),
	    cmocka_unit_test_setup(test_bool_bad_values_rejected, reset),
	    cmocka_unit_test_setup(test_no_prefix_edge_words, reset),
	    cmocka_unit_test_setup(test_uint_forms, reset),
	    cmocka_unit_test_setup(test_uint_overflow_and_garbage_rejected, reset),
	    cmocka_unit_test_setup(test_string_values_and_quotes, reset),
	    cmocka_unit_test_setup(test_string_too_long_rejected, reset),
	    cmocka_unit_test_setup(test_bad_quotes, reset),
	    cmocka_unit_test_setup(test_custom_param, reset),
	    cmocka_unit_test_setup(test_unknown_option_warns_and_continues, reset),
	    cmocka_unit_test_setup(test_duplicates_last_wins_and_whitespace, reset),
	    cmocka_unit_test_setup(test_double_dash_stops_parsing, reset),
	    cmocka_unit_test_setup(test_overlong_word_rejected_safely, reset),
	    cmocka_unit_test_setup(test_parse_all_uses_section_and_keeps_raw_copy, reset),
	    cmocka_unit_test_setup(test_parse_all_long_line_truncates_copy, reset),
	    cmocka_unit_test_setup(test_print_help_lists_options, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
