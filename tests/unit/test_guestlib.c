/* Unit tests for guests/lib pure code: fmt, bootargs, stats, pvclock, events_scan. */
#include "bootargs.h"
#include "events.h"
#include "fmt.h"
#include "pvclock.h"
#include "stats.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* ---- fmt ---- */

/* No format attribute: lets the tests feed malformed formats and NULL strings. */
static int unchecked_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define CHECK_RAW(expect, ...)                                    \
	do {                                                      \
		char b[128];                                      \
		int n = unchecked_fmt(b, sizeof(b), __VA_ARGS__); \
		assert_string_equal(b, expect);                   \
		assert_int_equal(n, (int)strlen(expect));         \
	} while (0)

#define CHECK_FMT(expect, ...)                                   \
	do {                                                     \
		char b[128];                                     \
		int n = fmt_snprintf(b, sizeof(b), __VA_ARGS__); \
		assert_string_equal(b, expect);                  \
		assert_int_equal(n, (int)strlen(expect));        \
	} while (0)

static void test_fmt_integers(void **state)
{
	(void)state;
	CHECK_FMT("0 -1 42", "%d %i %u", 0, -1, 42u);
	CHECK_FMT("-2147483648", "%d", INT_MIN);
	CHECK_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK_FMT("18446744073709551615", "%lu", ULONG_MAX);
	CHECK_FMT("ff FF 0xff 0XFF 0", "%x %X %#x %#X %#x", 255u, 255u, 255u, 255u, 0u);
	CHECK_FMT("17 017", "%o %#o", 15u, 15u);
	CHECK_FMT("  42|42  |00042|-0042", "%4d|%-4d|%05d|%05d", 42, 42, 42, -42);
	CHECK_FMT("+5 -5  5", "%+d %+d % d", 5, -5, 5);
	CHECK_FMT("00ab", "%.4x", 0xabu);
	CHECK_FMT("", "%.0d", 0);
	CHECK_FMT("255 -1 65535", "%hhu %hhd %hu", 0x1ffu, 0xff, 0x1ffffu);
	CHECK_FMT("123456789012", "%zu", (size_t)123456789012ull);
	CHECK_FMT("0x1000", "%p", (void *)0x1000);
	CHECK_FMT("   7", "%*d", 4, 7);
	CHECK_FMT("7   |", "%*d|", -4, 7);
}

static void test_fmt_strings(void **state)
{
	(void)state;
	CHECK_FMT("abc", "%s", "abc");
	CHECK_RAW("(null)", "%s", (char *)NULL);
	CHECK_FMT("  ab|ab  |a", "%4s|%-4s|%.1s", "ab", "ab", "abc");
	CHECK_FMT("XenV", "%.4s", "XenVMMXenVMM");
	CHECK_FMT("x|  y", "%c|%3c", 'x', 'y');
	CHECK_FMT("100%", "100%%");
	CHECK_RAW("%q %", "%q %");
	CHECK_RAW("a%", "a%");
	CHECK_RAW("%l", "%l");
}

static void test_fmt_truncation(void **state)
{
	char b[8];
	int n;

	(void)state;
	memset(b, 'Z', sizeof(b));
	n = fmt_snprintf(b, sizeof(b), "%s-%d", "hello", 12345);
	assert_int_equal(n, 11);
	assert_string_equal(b, "hello-1");
	memset(b, 'Z', sizeof(b));
	n = fmt_snprintf(b, 1, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], 'Z');
	n = fmt_snprintf(NULL, 0, "abc%d", 10);
	assert_int_equal(n, 5);
}

/* ---- bootargs ---- */

static void test_bootargs_lookup(void **state)
{
	const char *cl = "  runtime_ms=1500 name=dom1  force\tx= runtime=7 runtime_ms=0x10 ";
	char v[8];

	(void)state;
	assert_int_equal(bootargs_get_u64(cl, "runtime_ms", 1), 16); /* last wins */
	assert_int_equal(bootargs_get_u64(cl, "runtime", 1), 7);     /* no prefix match */
	assert_int_equal(bootargs_get(cl, "name", v, sizeof(v)), 4);
	assert_string_equal(v, "dom1");
	assert_true(bootargs_has(cl, "force"));
	assert_false(bootargs_has(cl, "forc"));
	assert_false(bootargs_has(cl, "orce"));
	assert_int_equal(bootargs_get(cl, "force", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(bootargs_get(cl, "x", v, sizeof(v)), 0);
	assert_int_equal(bootargs_get(cl, "missing", v, sizeof(v)), -1);
	assert_int_equal(bootargs_get_u64(cl, "missing", 99), 99);
	assert_int_equal(bootargs_get(NULL, "name", v, sizeof(v)), -1);
	assert_int_equal(bootargs_get(cl, "", v, sizeof(v)), -1);
	assert_false(bootargs_has("", "force"));
}

static void test_bootargs_truncation(void **state)
{
	char v[4];

	(void)state;
	assert_int_equal(bootargs_get("name=abcdefgh", "name", v, sizeof(v)), 8);
	assert_string_equal(v, "abc");
	assert_int_equal(bootargs_get("name=abcdefgh", "name", NULL, 0), 8);
}

static void test_bootargs_numbers(void **state)
{
	uint64_t v = 5;

	(void)state;
	assert_int_equal(bootargs_parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(bootargs_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(bootargs_parse_u64("0xFFFFffffFFFFffff", &v), 0);
	assert_true(v == UINT64_MAX);
	v = 5;
	assert_int_equal(bootargs_parse_u64("18446744073709551616", &v), -1);
	assert_int_equal(bootargs_parse_u64("0x10000000000000000", &v), -1);
	assert_int_equal(bootargs_parse_u64("", &v), -1);
	assert_int_equal(bootargs_parse_u64("0x", &v), -1);
	assert_int_equal(bootargs_parse_u64("12a", &v), -1);
	assert_int_equal(bootargs_parse_u64("-1", &v), -1);
	assert_int_equal(bootargs_parse_u64("0xg", &v), -1);
	assert_int_equal(v, 5);
	assert_int_equal(bootargs_get_u64("n=12ms", "n", 3), 3);
	assert_int_equal(bootargs_get_u64("n=123456789012345678901234567890", "n", 3), 3);
	assert_int_equal(bootargs_get_u64("n", "n", 3), 3);
}

static void test_bootargs_unterminated_is_bounded(void **state)
{
	/* A command line without a NUL within the scan limit is not read past the limit. */
	static char big[8192];

	(void)state;
	memset(big, 'a', sizeof(big));
	memcpy(big, "k=1 ", 4);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(bootargs_get_u64(big, "k", 0), 1);
	assert_false(bootargs_has(big, "zzz"));
}

/* ---- stats ---- */

static void test_stats_median(void **state)
{
	uint64_t a[] = {5, 1, 4, 2, 3};
	uint64_t b[] = {10, 2, 8, 4};
	uint64_t one[] = {7};
	uint64_t dup[] = {3, 3, 1, 3, 9, 3};

	(void)state;
	assert_int_equal(stats_median_u64(a, 5), 3);
	for (int i = 0; i < 5; i++)
		assert_int_equal(a[i], (uint64_t)i + 1);
	assert_int_equal(stats_median_u64(b, 4), 4); /* lower middle */
	assert_int_equal(stats_median_u64(one, 1), 7);
	assert_int_equal(stats_median_u64(NULL, 0), 0);
	assert_int_equal(stats_median_u64(dup, 6), 3);
}

static void test_stats_sort_large(void **state)
{
	static uint64_t v[1000];
	uint64_t x = 88172645463325252ull;

	(void)state;
	for (size_t i = 0; i < 1000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[i] = x % 5000;
	}
	v[17] = UINT64_MAX;
	stats_sort_u64(v, 1000);
	for (size_t i = 1; i < 1000; i++)
		assert_true(v[i - 1] <= v[i]);
	assert_true(v[999] == UINT64_MAX);
}

/* ---- pvclock ---- */

static void test_pvclock_scale(void **state)
{
	(void)state;
	/* mul = 2^32 * 0.5: half a ns per tick. */
	assert_int_equal(pvclock_scale_delta(1000, 0x80000000u, 0), 500);
	/* shift +1 doubles before the multiply, -1 halves. */
	assert_int_equal(pvclock_scale_delta(1000, 0x80000000u, 1), 1000);
	assert_int_equal(pvclock_scale_delta(1000, 0x80000000u, -1), 250);
	/* The product needs more than 64 bits. */
	assert_true(pvclock_scale_delta(1ull << 62, 0xFFFFFFFFu, 0) == 0x3FFFFFFFC0000000ull);
	assert_int_equal(pvclock_scale_delta(12345, 0xFFFFFFFFu, 64), 0);
	assert_int_equal(pvclock_scale_delta(12345, 0xFFFFFFFFu, -64), 0);
	assert_int_equal(pvclock_scale_delta(0, 0xFFFFFFFFu, 5), 0);
}

static struct vcpu_time_info fake_time;
static int tsc_reads;
static uint64_t fake_tsc;

/* Simulates a hypervisor update racing with the first snapshot. */
static uint64_t racing_tsc(void)
{
	if (tsc_reads++ == 0) {
		fake_time.version += 2;
		fake_time.system_time = 5000000;
		fake_time.tsc_timestamp = 2000;
	}
	return fake_tsc;
}

static void test_pvclock_read_retries(void **state)
{
	(void)state;
	memset(&fake_time, 0, sizeof(fake_time));
	fake_time.version = 2;
	fake_time.system_time = 1000;
	fake_time.tsc_timestamp = 100;
	fake_time.tsc_to_system_mul = 0x80000000u; /* 0.5 ns/tick */
	fake_tsc = 3000;
	tsc_reads = 0;
	/* First pass sees old fields, then a changed version: must use the new record. */
	assert_int_equal(pvclock_read(&fake_time, racing_tsc), 5000000 + (3000 - 2000) / 2);
	assert_int_equal(tsc_reads, 2);
	/* A TSC behind the stamp gives system_time, not a huge wrapped value. */
	fake_tsc = 1000;
	tsc_reads = 1;
	assert_int_equal(pvclock_read(&fake_time, racing_tsc), 5000000);
}

static volatile struct vcpu_time_info *odd_record;
static int odd_reads;

static uint64_t clearing_tsc(void)
{
	/* The record is odd (mid-update) for the first two reads, then settles. */
	if (++odd_reads == 2)
		odd_record->version++;
	return 42;
}

static void test_pvclock_read_waits_for_even_version(void **state)
{
	(void)state;
	memset(&fake_time, 0, sizeof(fake_time));
	fake_time.version = 3;
	fake_time.system_time = 77;
	fake_time.tsc_timestamp = 42;
	fake_time.tsc_to_system_mul = 1;
	odd_record = &fake_time;
	odd_reads = 0;
	assert_int_equal(pvclock_read(&fake_time, clearing_tsc), 77);
	assert_int_equal(odd_reads, 3);
}

/* ---- events_scan ---- */

static struct shared_info si;
static evtchn_port_t seen[64];
static unsigned int nseen;

static void record_port(evtchn_port_t port, void *ctx)
{
	(void)ctx;
	if (nseen < 64)
		seen[nseen++] = port;
}

static void set_pending(unsigned int vcpu, evtchn_port_t port)
{
	si.evtchn_pending[port / 64] |= 1ull << (port % 64);
	si.vcpu_info[vcpu].evtchn_pending_sel |= 1ull << (port / 64);
	si.vcpu_info[vcpu].upcall_pending = 1;
}

static void test_events_scan_dispatch(void **state)
{
	(void)state;
	memset(&si, 0, sizeof(si));
	nseen = 0;
	set_pending(0, 3);
	set_pending(0, 64);
	set_pending(0, 4095);
	set_pending(0, 5);
	assert_int_equal(events_scan(&si, 0, record_port, NULL), 4);
	assert_int_equal(nseen, 4);
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 5);
	assert_int_equal(seen[2], 64);
	assert_int_equal(seen[3], 4095);
	assert_int_equal(si.vcpu_info[0].upcall_pending, 0);
	assert_true(si.vcpu_info[0].evtchn_pending_sel == 0);
	for (int w = 0; w < EVTCHN_2L_WORDS; w++)
		assert_true(si.evtchn_pending[w] == 0);
	/* Nothing left: a second scan handles nothing. */
	assert_int_equal(events_scan(&si, 0, record_port, NULL), 0);
}

static void test_events_scan_masked_and_other_vcpu(void **state)
{
	(void)state;
	memset(&si, 0, sizeof(si));
	nseen = 0;
	set_pending(0, 10);
	set_pending(0, 11);
	si.evtchn_mask[0] = 1ull << 11;
	set_pending(1, 200); /* another vCPU's selector */
	assert_int_equal(events_scan(&si, 0, record_port, NULL), 1);
	assert_int_equal(seen[0], 10);
	/* The masked port stays pending; vCPU 1's work is untouched. */
	assert_true(si.evtchn_pending[0] == 1ull << 11);
	assert_true(si.evtchn_pending[200 / 64] == 1ull << (200 % 64));
	assert_int_equal(si.vcpu_info[1].upcall_pending, 1);
	/* A selector bit with nothing pending and a NULL handler are harmless. */
	si.vcpu_info[0].evtchn_pending_sel = 1ull << 40;
	assert_int_equal(events_scan(&si, 0, NULL, NULL), 0);
	si.evtchn_mask[0] = 0;
	si.vcpu_info[0].evtchn_pending_sel = 1;
	assert_int_equal(events_scan(&si, 0, NULL, NULL), 1);
	assert_true(si.evtchn_pending[0] == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fmt_integers),
	    cmocka_unit_test(test_fmt_strings),
	    cmocka_unit_test(test_fmt_truncation),
	    cmocka_unit_test(test_bootargs_lookup),
	    cmocka_unit_test(test_bootargs_truncation),
	    cmocka_unit_test(test_bootargs_numbers),
	    cmocka_unit_test(test_bootargs_unterminated_is_bounded),
	    cmocka_unit_test(test_stats_median),
	    cmocka_unit_test(test_stats_sort_large),
	    cmocka_unit_test(test_pvclock_scale),
	    cmocka_unit_test(test_pvclock_read_retries),
	    cmocka_unit_test(test_pvclock_read_waits_for_even_version),
	    cmocka_unit_test(test_events_scan_dispatch),
	    cmocka_unit_test(test_events_scan_masked_and_other_vcpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
