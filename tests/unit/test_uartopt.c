/* Unit tests for the UART option parser uart_parse_options() (drivers/uart/uart_options.c). */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/uart.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* LCR bits: word length 0-3 (5-8 bits), 0x04 two stop bits, 0x08 parity, 0x10 even parity. */
#define LCR_8N1 0x03

static u32 baud;
static u8 lcr;

static int setup(void **state)
{
	(void)state;
	baud = 0xdeadbeef;
	lcr = 0xaa;
	return 0;
}

static int parse(const char *s)
{
	return uart_parse_options(s, &baud, &lcr);
}

/* A refused option leaves the outputs as they were. */
static void assert_refused(const char *s, int err)
{
	baud = 0xdeadbeef;
	lcr = 0xaa;
	if (parse(s) != err)
		fail_msg("\"%s\": expected %d, got %d", s, err, parse(s));
	assert_int_equal(baud, 0xdeadbeef);
	assert_int_equal(lcr, 0xaa);
}

static void test_baud_only(void **state)
{
	(void)state;
	assert_int_equal(parse("115200"), 0);
	assert_int_equal(baud, 115200);
	assert_int_equal(lcr, LCR_8N1); /* default 8n1 */
	assert_int_equal(parse("9600"), 0);
	assert_int_equal(baud, 9600);
	assert_int_equal(parse("50"), 0); /* the lowest */
	assert_int_equal(baud, 50);
	assert_int_equal(parse("000300"), 0); /* leading zeros */
	assert_int_equal(baud, 300);
}

static void test_baud_and_format(void **state)
{
	(void)state;
	assert_int_equal(parse("9600,8n1"), 0);
	assert_int_equal(baud, 9600);
	assert_int_equal(lcr, 0x03);
	assert_int_equal(parse("115200,7e2"), 0);
	assert_int_equal(baud, 115200);
	assert_int_equal(lcr, 0x02 | 0x18 | 0x04);
	assert_int_equal(parse("57600,5o1"), 0);
	assert_int_equal(lcr, 0x00 | 0x08);
	assert_int_equal(parse("38400,6n2"), 0);
	assert_int_equal(lcr, 0x01 | 0x04);
	assert_int_equal(parse("19200,8e1"), 0);
	assert_int_equal(lcr, 0x03 | 0x18);
}

static void test_auto(void **state)
{
	(void)state;
	assert_int_equal(parse("auto"), 0);
	assert_int_equal(baud, 0); /* keep the loader's divisor */
	assert_int_equal(lcr, LCR_8N1);
	assert_int_equal(parse("auto,8n1"), 0);
	assert_int_equal(baud, 0);
	assert_int_equal(lcr, 0x03);
	assert_int_equal(parse("auto,7o2"), 0);
	assert_int_equal(lcr, 0x02 | 0x08 | 0x04);
}

static void test_bad_baud(void **state)
{
	(void)state;
	assert_refused("", -EINVAL);
	assert_refused("abc", -EINVAL);
	assert_refused("-9600", -EINVAL);
	assert_refused("+9600", -EINVAL);
	assert_refused(" 9600", -EINVAL);
	assert_refused(",8n1", -EINVAL);
	assert_refused("aut", -EINVAL);
	assert_refused("AUTO", -EINVAL);
	assert_refused("autox", -EINVAL);
	assert_refused("auto8n1", -EINVAL);
}

static void test_baud_range(void **state)
{
	(void)state;
	assert_refused("0", -ERANGE);
	assert_refused("49", -ERANGE);
	/* Above the 1.8432 MHz clock / 16 no divisor exists. */
	assert_refused("115201", -ERANGE);
	assert_refused("230400", -ERANGE);
	assert_refused("4000000", -ERANGE);
	assert_refused("4000001", -ERANGE);
	assert_refused("50000000", -ERANGE);
}

static void test_overflow(void **state)
{
	(void)state;
	/* Digits that would wrap a 32-bit value must not come back as a small baud rate. */
	assert_refused("4294967296", -ERANGE);		 /* 2^32: wraps to 0 */
	assert_refused("4294977296", -ERANGE);		 /* wraps to 10000 */
	assert_refused("18446744073709561616", -ERANGE); /* 2^64 + 10000 */
	assert_refused("99999999999999999999999999999999999999", -ERANGE);
}

static void test_bad_format(void **state)
{
	(void)state;
	assert_refused("115200,9n1", -EINVAL);
	assert_refused("115200,4n1", -EINVAL);
	assert_refused("115200,8x1", -EINVAL);
	assert_refused("115200,8N1", -EINVAL);
	assert_refused("115200,8n3", -EINVAL);
	assert_refused("115200,8n0", -EINVAL);
	assert_refused("115200,", -EINVAL);
	assert_refused("115200,8", -EINVAL);
	assert_refused("115200,8n", -EINVAL);
	assert_refused("115200,n81", -EINVAL);
	assert_refused("auto,", -EINVAL);
	assert_refused("auto,9n1", -EINVAL);
}

static void test_trailing_junk(void **state)
{
	(void)state;
	assert_refused("115200x", -EINVAL);
	assert_refused("115200 ", -EINVAL);
	assert_refused("115200,8n1x", -EINVAL);
	assert_refused("115200,8n1,", -EINVAL);
	assert_refused("115200,8n1,8n1", -EINVAL);
	assert_refused("9600,,8n1", -EINVAL);
	assert_refused("auto,8n1 ", -EINVAL);
}

/* Every option string is read only up to its terminator (ASan checks the exact-size copies). */
static void test_reads_stay_in_bounds(void **state)
{
	static const char *const inputs[] = {"",	 "1",	    "11",    "auto",   "auto,",
					     "auto,8",	 "auto,8n", "9600,", "9600,8", "9600,8n",
					     "9600,8n1", "a",	    "au"};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(inputs); i++) {
		size_t n = strlen(inputs[i]) + 1;
		char *copy = malloc(n);

		assert_non_null(copy);
		memcpy(copy, inputs[i], n);
		(void)parse(copy);
		free(copy);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_baud_only),	T(test_baud_and_format), T(test_auto),
	    T(test_bad_baud),	T(test_baud_range),	 T(test_overflow),
	    T(test_bad_format), T(test_trailing_junk),	 T(test_reads_stay_in_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
