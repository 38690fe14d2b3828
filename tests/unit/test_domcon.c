/* Unit tests for guest console output (common/domain_console.c) over the real printk. */
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/domain_console.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#define SEC 1000000000ULL
#define MS  1000000ULL

extern u64 shim_now_ns;

/* Interrupts as the code under test sees them. */
static bool shim_irqs_on = true;

bool arch_irqs_enabled(void)
{
	return shim_irqs_on;
}

/* Whether this CPU has other work due (common/softirq.c in Keel). */
static bool shim_softirq_due;

bool softirq_pending(void)
{
	return shim_softirq_due;
}

/* What reached the consoles. Hooks stand in for time passing and interrupts during a write. */
static char out[131072];
static size_t out_len;
static u64 write_advances_ns; /* the clock moves this much per console write */
static bool print_inside_guest_line;
static struct domain *try_flush_inside_guest_line;

static void capture_write(struct console *con, const char *buf, size_t len)
{
	(void)con;
	assert_true(out_len + len < sizeof(out));
	memcpy(out + out_len, buf, len);
	out_len += len;
	out[out_len] = '\0';
	shim_now_ns += write_advances_ns;
	/* An interrupt that prints while a guest line is going out. */
	if (print_inside_guest_line && len > 20 && memcmp(buf + 15, "(d1) ", 5) == 0) {
		print_inside_guest_line = false;
		pr_info("keel: printed from an interrupt");
	}
	/* Another CPU's vCPU ends its run while d1's line is going out. */
	if (try_flush_inside_guest_line && len > 20 && memcmp(buf + 15, "(d1) ", 5) == 0) {
		struct domain *d = try_flush_inside_guest_line;

		try_flush_inside_guest_line = NULL;
		domain_console_try_flush(d);
	}
}

static struct console capture = {"capture", capture_write, NULL, 0};
static struct domain dom_a, dom_b;

static int setup(void **state)
{
	(void)state;
	console_register(&capture);
	memset(&dom_a, 0, sizeof(dom_a));
	memset(&dom_b, 0, sizeof(dom_b));
	dom_a.id = 1;
	dom_b.id = 2;
	shim_now_ns = 5 * SEC;
	shim_irqs_on = true;
	shim_softirq_due = false;
	capture.bytes_per_sec = 0;
	write_advances_ns = 0;
	print_inside_guest_line = false;
	try_flush_inside_guest_line = NULL;
	out_len = 0;
	out[0] = '\0';
	return 0;
}

static void write_str(struct domain *d, const char *s)
{
	domain_console_write(d, s, strlen(s));
}

static unsigned int count_of(const char *needle)
{
	unsigned int n = 0;
	size_t len = strlen(needle);

	for (size_t i = 0; i + len <= out_len; i++)
		if (memcmp(out + i, needle, len) == 0)
			n++;
	return n;
}

static const char *find(const char *needle)
{
	size_t len = strlen(needle);

	for (size_t i = 0; i + len <= out_len; i++)
		if (memcmp(out + i, needle, len) == 0)
			return out + i;
	return NULL;
}

/* The number in "(dN) ... N bytes dropped", or -1 if there is no such line. */
static long dropped_reported(unsigned int domid)
{
	char needle[32];
	const char *p;

	snprintf(needle, sizeof(needle), "(d%u) ... ", domid);
	p = find(needle);
	return p ? strtol(p + strlen(needle), NULL, 10) : -1;
}

static void test_lines_wait_for_a_flush(void **state)
{
	(void)state;
	write_str(&dom_a, "hello\nwor");
	assert_int_equal(out_len, 0); /* writing only buffers */
	domain_console_flush(&dom_a);
	assert_string_equal(out, "[    5.000000] (d1) hello\n");
	write_str(&dom_a, "ld\n");
	domain_console_flush(&dom_a);
	assert_string_equal(out, "[    5.000000] (d1) hello\n[    5.000000] (d1) world\n");
}

static void test_control_bytes_never_reach_the_terminal(void **state)
{
	static const char in[] = "a\x1b[31mb\x7f\x80\x9b\x9f\xa0\xc3\xa9\tc\r\n";
	char all[256];
	size_t n = 0;

	(void)state;
	domain_console_write(&dom_a, in, sizeof(in) - 1);
	domain_console_write(&dom_a, "x\0y\n", 4);
	domain_console_flush(&dom_a);
	assert_string_equal(out, "[    5.000000] (d1) a?[31mb????\xa0\xc3\xa9\tc\n"
				 "[    5.000000] (d1) xy\n");
	/* Every byte value but the newline: only tab and printable bytes come out. */
	out_len = 0;
	for (unsigned int b = 0; b < 256; b++)
		if (b != '\n')
			all[n++] = (char)b;
	domain_console_write(&dom_a, all, n);
	domain_console_write(&dom_a, "\n", 1);
	domain_console_flush(&dom_a);
	assert_true(out_len > n);
	for (size_t i = 0; i < out_len; i++) {
		u8 c = (u8)out[i];

		assert_false((c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c <= 0x9f));
	}
}

static void test_a_long_line_is_cut_and_continued(void **state)
{
	char text[401];

	(void)state;
	memset(text, 'x', 400);
	text[400] = '\0';
	write_str(&dom_a, text);
	write_str(&dom_a, "\n");
	domain_console_flush(&dom_a);
	assert_int_equal(count_of("(d1) "), 3);
	assert_int_equal(out_len, 3 * 20 + 400 + 3);
}

static void test_a_flood_is_cut_to_the_budget_and_reported(void **state)
{
	static char newlines[16384];
	unsigned int lines;

	(void)state;
	memset(newlines, '\n', sizeof(newlines));
	domain_console_write(&dom_a, newlines, sizeof(newlines));
	domain_console_flush(&dom_a);
	lines = count_of("(d1) ");
	assert_int_equal(lines, DOMAIN_CONSOLE_BURST_BYTES / DOMAIN_CONSOLE_LINE_COST);
	assert_int_equal(out_len, lines * 21);	   /* "[    5.000000] (d1) \n" */
	assert_int_equal(dropped_reported(1), -1); /* the summary comes later */
	/* No time has passed, so nothing was refilled: more is dropped. */
	write_str(&dom_a, "lost\n");
	domain_console_flush(&dom_a);
	assert_null(find("lost"));
	/* A second later: one summary line, then the output goes on. */
	shim_now_ns += DOMAIN_CONSOLE_SUMMARY_NS;
	write_str(&dom_a, "after\n");
	domain_console_flush(&dom_a);
	assert_int_equal(dropped_reported(1), (long)(sizeof(newlines) - lines + 5));
	assert_non_null(find("bytes dropped"));
	assert_true(find("bytes dropped") < find("(d1) after\n"));
	assert_int_equal(count_of("bytes dropped"), 1);
	/* Nothing more was dropped: no second summary. */
	shim_now_ns += DOMAIN_CONSOLE_SUMMARY_NS;
	write_str(&dom_a, "later\n");
	domain_console_flush(&dom_a);
	assert_int_equal(count_of("bytes dropped"), 1);
	assert_non_null(find("(d1) later\n"));
}

static void test_a_flood_costs_only_that_domain(void **state)
{
	static char newlines[16384];
	char line[64];

	(void)state;
	memset(newlines, '\n', sizeof(newlines));
	for (int i = 0; i < 4; i++) {
		domain_console_write(&dom_a, newlines, sizeof(newlines));
		snprintf(line, sizeof(line), "b line %d\n", i);
		write_str(&dom_b, line);
		domain_console_flush(&dom_b);
		domain_console_flush(&dom_a);
	}
	for (int i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "(d2) b line %d\n", i);
		assert_non_null(find(line));
	}
	/* The other domain still has its whole budget (4 x 32 + 90 x 43 bytes) and dropped nothing. */
	for (int i = 0; i < 90; i++)
		write_str(&dom_b, "0123456789012345678\n");
	domain_console_flush(&dom_b);
	assert_int_equal(count_of("(d2) 0123456789012345678\n"), 90);
	assert_int_equal(dom_b.console.dropped, 0);
	assert_true(dom_a.console.dropped > 0);
}

static void test_a_slow_console_halves_the_rate(void **state)
{
	static char newlines[16384];

	(void)state;
	capture.bytes_per_sec = 960; /* 9600 baud, 8n1 */
	memset(newlines, '\n', sizeof(newlines));
	/* The bucket starts with 4 s of half of 960 bytes, and refills by 480 bytes a second. */
	domain_console_write(&dom_a, newlines, sizeof(newlines));
	domain_console_flush(&dom_a);
	assert_int_equal(count_of("(d1) "), 4 * 480 / DOMAIN_CONSOLE_LINE_COST);
	shim_now_ns += DOMAIN_CONSOLE_SUMMARY_NS;
	out_len = 0;
	domain_console_write(&dom_a, newlines, sizeof(newlines));
	domain_console_flush(&dom_a);
	/* One summary for both floods: it is written a second after the first drop. */
	assert_int_equal(dropped_reported(1), (long)(2 * sizeof(newlines) - 80 - 20));
	assert_non_null(find("(over 480 bytes/s)"));
	assert_int_equal(count_of("(d1) "), 1 + 480 / DOMAIN_CONSOLE_LINE_COST);
	/* Another domain is not slowed by it. */
	write_str(&dom_b, "quiet\n");
	domain_console_flush(&dom_b);
	assert_non_null(find("(d2) quiet\n"));
}

/* The sum of every "(dN) ... N bytes dropped" line. */
static long dropped_reported_sum(unsigned int domid)
{
	char needle[32];
	size_t len;
	long sum = 0;

	snprintf(needle, sizeof(needle), "(d%u) ... ", domid);
	len = strlen(needle);
	for (size_t i = 0; i + len <= out_len; i++)
		if (memcmp(out + i, needle, len) == 0)
			sum += strtol(out + i + len, NULL, 10);
	return sum;
}

static void test_a_full_queue_drops_and_counts(void **state)
{
	static char text[16384];
	long shown;

	(void)state;
	memset(text, 'x', sizeof(text));
	/* Never flushed: a burst and a second's refill of 160-byte lines cannot fit in the queue. */
	domain_console_write(&dom_a, text, sizeof(text));
	shim_now_ns += DOMAIN_CONSOLE_SUMMARY_NS;
	domain_console_write(&dom_a, text, sizeof(text));
	write_str(&dom_a, "\n");
	assert_true(dom_a.console.queue_head - dom_a.console.queue_tail <=
		    DOMAIN_CONSOLE_QUEUE_SIZE);
	domain_console_flush(&dom_a);
	domain_console_flush(&dom_a);
	shim_now_ns += DOMAIN_CONSOLE_SUMMARY_NS;
	domain_console_flush(&dom_a);
	/* Every byte is accounted for: shown, or counted as dropped. */
	shown = (long)count_of("x");
	assert_true(shown < DOMAIN_CONSOLE_QUEUE_SIZE);
	assert_int_equal(dropped_reported_sum(1) + shown, 2 * (long)sizeof(text) + 1);
	assert_int_equal(count_of("bytes dropped"), 1);
}

static void test_nothing_is_written_with_interrupts_off(void **state)
{
	(void)state;
	write_str(&dom_a, "waits\n");
	shim_irqs_on = false;
	domain_console_flush(&dom_a);
	domain_console_end(&dom_a);
	assert_int_equal(out_len, 0);
	shim_irqs_on = true;
	domain_console_flush(&dom_a);
	assert_string_equal(out, "[    5.000000] (d1) waits\n");
}

static void test_a_flush_is_bounded_in_time(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++)
		write_str(&dom_a, "slow console\n");
	write_advances_ns = 15 * MS; /* 20 ms of flush: the second line ends past it */
	domain_console_flush(&dom_a);
	assert_int_equal(count_of("(d1) slow console\n"), 2);
	domain_console_flush(&dom_a);
	assert_int_equal(count_of("(d1) slow console\n"), 4);
	write_advances_ns = 100 * MS; /* even a very slow line goes out, one per flush */
	domain_console_flush(&dom_a);
	assert_int_equal(count_of("(d1) slow console\n"), 5);
}

static void test_a_try_flush_yields_to_due_work_between_lines(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++)
		write_str(&dom_a, "busy cpu\n");
	shim_softirq_due = true; /* e.g. a real-time vCPU was just woken */
	domain_console_try_flush(&dom_a);
	assert_int_equal(count_of("(d1) busy cpu\n"), 1); /* one line, then the CPU is let go */
	domain_console_flush(&dom_a);			  /* a flush that must wait writes on */
	assert_int_equal(count_of("(d1) busy cpu\n"), 4);
	write_str(&dom_a, "later\n");
	shim_softirq_due = false;
	domain_console_try_flush(&dom_a);
	assert_int_equal(count_of("(d1) later\n"), 1);
}

static void test_keel_lines_are_not_split_by_a_guest_line(void **state)
{
	(void)state;
	write_str(&dom_a, "guest line\n");
	print_inside_guest_line = true;
	domain_console_flush(&dom_a);
	/* The interrupt's message waited for the guest line, then went out whole. */
	assert_string_equal(out, "[    5.000000] (d1) guest line\n"
				 "[    5.000000] keel: printed from an interrupt\n");
	/* The consoles were let go. */
	pr_info("keel: afterwards");
	assert_non_null(find("[    5.000000] keel: afterwards\n"));
}

static void test_a_try_flush_never_waits_for_another_writer(void **state)
{
	(void)state;
	write_str(&dom_a, "first\n");
	write_str(&dom_b, "second\n");
	try_flush_inside_guest_line = &dom_b;
	domain_console_flush(&dom_a); /* the shim fails the test if anything spins on a held lock */
	assert_string_equal(out, "[    5.000000] (d1) first\n");
	domain_console_try_flush(&dom_b); /* free now */
	assert_string_equal(out, "[    5.000000] (d1) first\n[    5.000000] (d2) second\n");
}

static void test_the_end_writes_what_is_left_within_bounds(void **state)
{
	static char newlines[16384];

	(void)state;
	write_str(&dom_b, "unfinished");
	domain_console_end(&dom_b);
	assert_string_equal(out, "[    5.000000] (d2) unfinished\n");
	/* A backlog on a slow console: one bounded flush, the rest dropped and counted. */
	out_len = 0;
	for (int i = 0; i < 10; i++)
		write_str(&dom_a, "queued line\n"); /* 12 guest bytes each */
	write_advances_ns = 15 * MS;
	domain_console_end(&dom_a);
	assert_int_equal(count_of("(d1) queued line\n"), 2);
	assert_int_equal(dropped_reported(1), 8 * 12);
	assert_int_equal(dom_a.console.queue_head, dom_a.console.queue_tail);
	/* After a flood, the summary comes at once, however recent the drops. */
	out_len = 0;
	write_advances_ns = 0;
	memset(newlines, '\n', sizeof(newlines));
	domain_console_write(&dom_b, newlines, sizeof(newlines));
	domain_console_end(&dom_b);
	assert_true(dropped_reported(2) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_lines_wait_for_a_flush, setup),
	    cmocka_unit_test_setup(test_control_bytes_never_reach_the_terminal, setup),
	    cmocka_unit_test_setup(test_a_long_line_is_cut_and_continued, setup),
	    cmocka_unit_test_setup(test_a_flood_is_cut_to_the_budget_and_reported, setup),
	    cmocka_unit_test_setup(test_a_flood_costs_only_that_domain, setup),
	    cmocka_unit_test_setup(test_a_slow_console_halves_the_rate, setup),
	    cmocka_unit_test_setup(test_a_full_queue_drops_and_counts, setup),
	    cmocka_unit_test_setup(test_nothing_is_written_with_interrupts_off, setup),
	    cmocka_unit_test_setup(test_a_flush_is_bounded_in_time, setup),
	    cmocka_unit_test_setup(test_keel_lines_are_not_split_by_a_guest_line, setup),
	    cmocka_unit_test_setup(test_a_try_flush_never_waits_for_another_writer, setup),
	    cmocka_unit_test_setup(test_a_try_flush_yields_to_due_work_between_lines, setup),
	    cmocka_unit_test_setup(test_the_end_writes_what_is_left_within_bounds, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
