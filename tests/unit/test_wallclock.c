/* Unit tests for the wall clock: RTC register decoding against known dates, and wc_* in shared_info. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <keel/errno.h>
#include <keel/wallclock.h>
#include <public/shared_info.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#define B_24H 0x02
#define B_BIN 0x04

static u64 fake_now;

u64 now_ns(void)
{
	return fake_now;
}

static u8 bcd(unsigned int v)
{
	return (u8)(((v / 10) << 4) | (v % 10));
}

/* The raw registers for a UTC time, encoded as status register B says. */
static struct cmos_rtc_raw encode(time_t t, u8 b, bool century)
{
	struct tm tm;
	struct cmos_rtc_raw r;
	unsigned int hour;

	gmtime_r(&t, &tm);
	hour = (unsigned int)tm.tm_hour;
	if (!(b & B_24H))
		hour = hour % 12 == 0 ? 12 : hour % 12;
	r.sec = b & B_BIN ? (u8)tm.tm_sec : bcd((unsigned int)tm.tm_sec);
	r.min = b & B_BIN ? (u8)tm.tm_min : bcd((unsigned int)tm.tm_min);
	r.hour = b & B_BIN ? (u8)hour : bcd(hour);
	if (!(b & B_24H) && tm.tm_hour >= 12)
		r.hour |= 0x80;
	r.mday = b & B_BIN ? (u8)tm.tm_mday : bcd((unsigned int)tm.tm_mday);
	r.mon = b & B_BIN ? (u8)(tm.tm_mon + 1) : bcd((unsigned int)tm.tm_mon + 1);
	r.year = b & B_BIN ? (u8)(tm.tm_year % 100) : bcd((unsigned int)tm.tm_year % 100);
	r.century = 0;
	if (century) {
		unsigned int c = (unsigned int)(tm.tm_year + 1900) / 100;

		r.century = b & B_BIN ? (u8)c : bcd(c);
	}
	r.status_b = b;
	return r;
}

static void test_decode_every_format(void **state)
{
	/* Bochs' time0, leap days, year ends, noon and midnight, the far end of 20xx. */
	static const time_t times[] = {946681200,	  946684800,  951782400,  951868799,
				       1709164800,	  1735689599, 1767225600, 1799999999,
				       4102444799,	  1000000000, 1234567890, 978307200,
				       1700000000 + 43200};
	static const u8 modes[] = {0, B_24H, B_BIN, B_BIN | B_24H};

	(void)state;
	for (unsigned int i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		for (unsigned int m = 0; m < 4; m++)
			for (int c = 0; c < 2; c++) {
				struct cmos_rtc_raw r = encode(times[i], modes[m], c);
				u64 got = 0;

				if (!c && times[i] < 946684800)
					continue; /* 1999 needs the century register */
				assert_int_equal(cmos_rtc_decode(&r, &got), 0);
				assert_int_equal(got, (u64)times[i]);
			}
}

static void test_decode_century(void **state)
{
	struct cmos_rtc_raw r = encode(946681200, B_24H, true); /* 1999-12-31 23:00 */
	u64 got;

	(void)state;
	assert_int_equal(r.century, 0x19);
	assert_int_equal(cmos_rtc_decode(&r, &got), 0);
	assert_int_equal(got, 946681200);
	r.century = 0; /* no century register: 2099 */
	assert_int_equal(cmos_rtc_decode(&r, &got), 0);
	assert_int_equal(got, 4102441200);
}

static void test_decode_refusals(void **state)
{
	struct cmos_rtc_raw good = encode(1234567890, B_24H, false), r;
	u64 got;

	(void)state;
	r = good;
	r.sec = 0x5a; /* not BCD */
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	r = good;
	r.sec = 0x60;
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	r = good;
	r.hour = 0x24;
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	r = good;
	r.mon = 0x13;
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	r = good;
	r.mon = 0x02;
	r.mday = 0x30; /* 30 February */
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	r = good;
	r.mday = 0;
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	r = good;
	r.status_b = 0; /* 12-hour mode: hour 0 does not exist */
	r.hour = 0x00;
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	r = good;
	r.century = 0x18; /* 18xx: before 1970 */
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	r = good;
	r.status_b = B_24H | B_BIN;
	r.year = 100;
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
	/* 29 February only in leap years; 2000 is one, 2100 is not. */
	r = encode(951782400, B_24H, true); /* 2000-02-29 */
	assert_int_equal(cmos_rtc_decode(&r, &got), 0);
	r.century = 0x21;
	assert_int_equal(cmos_rtc_decode(&r, &got), -EINVAL);
}

static void test_shared_info_wc(void **state)
{
	static struct shared_info si;

	(void)state;
	memset(&si, 0, sizeof(si));
	fake_now = 2500000000ULL; /* read 2.5 s after system time 0 */
	wallclock_set(946681210);
	assert_int_equal(wallclock_boot_ns(), 946681207500000000ULL);
	wallclock_fill(&si);
	assert_int_equal(si.wc_version, 2); /* even: complete */
	assert_int_equal(si.wc_sec, 946681207);
	assert_int_equal(si.wc_nsec, 500000000);
	assert_int_equal(si.wc_sec_hi, 0);
	wallclock_fill(&si);
	assert_int_equal(si.wc_version, 4);
	/* Past 2106: the high word. */
	fake_now = 0;
	wallclock_set(0x123456789ULL);
	wallclock_fill(&si);
	assert_int_equal(si.wc_sec, 0x23456789);
	assert_int_equal(si.wc_sec_hi, 1);
	assert_int_equal(si.wc_nsec, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_every_format),
	    cmocka_unit_test(test_decode_century),
	    cmocka_unit_test(test_decode_refusals),
	    cmocka_unit_test(test_shared_info_wc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
