/* Unit tests for the log ring (common/logbuf.c), printk (common/printk.c) and the consoles. */
#include <keel/cmdline.h>
#include <keel/compiler.h>
#include <keel/console.h>
#include <keel/logbuf.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

extern u64 shim_now_ns;

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		if (strncmp(hay, needle, n) == 0)
			return true;
	}
	return false;
}

/* Read everything from *pos into a NUL-terminated string. */
static size_t read_all(const struct logbuf *lb, u64 *pos, char *out, size_t max)
{
	size_t n = logbuf_read(lb, pos, out, max - 1);

	out[n] = '\0';
	return n;
}

static void test_logbuf_append_and_read(void **state)
{
	char storage[64], out[80];
	struct logbuf lb;
	u64 pos = 0;

	(void)state;
	logbuf_init(&lb, storage, sizeof(storage));
	logbuf_append(&lb, "one\n", 4);
	logbuf_append(&lb, "two\n", 4);
	logbuf_append(&lb, "", 0);
	assert_int_equal(read_all(&lb, &pos, out, sizeof(out)), 8);
	assert_string_equal(out, "one\ntwo\n");
	assert_int_equal(pos, 8);
	/* Nothing new: nothing read, position unchanged. */
	assert_int_equal(read_all(&lb, &pos, out, sizeof(out)), 0);
	assert_int_equal(pos, 8);
	/* Small reads advance step by step. */
	pos = 0;
	assert_int_equal(logbuf_read(&lb, &pos, out, 3), 3);
	assert_memory_equal(out, "one", 3);
	assert_int_equal(pos, 3);
	/* A position beyond the head is clamped. */
	pos = 1000;
	assert_int_equal(read_all(&lb, &pos, out, sizeof(out)), 0);
	assert_int_equal(pos, 8);
}

static void test_logbuf_wraps_and_drops_whole_lines(void **state)
{
	char storage[32], out[64];
	struct logbuf lb;
	u64 pos;

	(void)state;
	logbuf_init(&lb, storage, sizeof(storage));
	logbuf_append(&lb, "line-aa\n", 8);    /* [0, 8) */
	logbuf_append(&lb, "line-bbbb\n", 10); /* [8, 18) */
	logbuf_append(&lb, "line-cc\n", 8);    /* [18, 26) */
	assert_int_equal(lb.tail, 0);
	/* 26 + 10 = 36 > 32: the oldest line goes entirely, not just 4 bytes of it. */
	logbuf_append(&lb, "line-dddd\n", 10);
	assert_int_equal(lb.tail, 8);
	assert_int_equal(lb.head, 36);
	pos = lb.tail;
	read_all(&lb, &pos, out, sizeof(out));
	assert_string_equal(out, "line-bbbb\nline-cc\nline-dddd\n");
	/* Many more lines: always whole lines, the newest ones, at most 32 bytes. */
	for (int i = 0; i < 50; i++)
		logbuf_append(&lb, i % 2 ? "odd\n" : "even!\n", i % 2 ? 4 : 6);
	pos = 0;
	read_all(&lb, &pos, out, sizeof(out));
	assert_true(strlen(out) <= 32);
	assert_string_equal(out, "even!\nodd\neven!\nodd\neven!\nodd\n"); /* 7 lines: 34 bytes */
}

static void test_logbuf_reader_catches_up_to_line_start(void **state)
{
	char storage[16], out[32];
	struct logbuf lb;
	u64 reader = 0;

	(void)state;
	logbuf_init(&lb, storage, sizeof(storage));
	logbuf_append(&lb, "aaaa\n", 5);
	assert_int_equal(logbuf_read(&lb, &reader, out, 2), 2); /* reader is mid-line at 2 */
	logbuf_append(&lb, "bbbb\n", 5);
	logbuf_append(&lb, "cccc\n", 5);
	logbuf_append(&lb, "dddd\n", 5); /* 20 bytes: "aaaa\n" was overwritten */
	assert_int_equal(lb.tail, 5);
	read_all(&lb, &reader, out, sizeof(out));
	assert_string_equal(out, "bbbb\ncccc\ndddd\n");
	assert_int_equal(reader, 20);
}

static void test_logbuf_huge_append_keeps_newest_tail(void **state)
{
	char storage[16], out[32], big[100];
	struct logbuf lb;
	u64 pos;

	(void)state;
	logbuf_init(&lb, storage, sizeof(storage));
	logbuf_append(&lb, "old\n", 4);
	/* One line longer than the ring: its newest 16 bytes stay (a partial line). */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 26);
	logbuf_append(&lb, big, sizeof(big));
	assert_int_equal(lb.head, 104);
	assert_int_equal(lb.tail, 104 - 16);
	pos = 0;
	read_all(&lb, &pos, out, sizeof(out));
	assert_memory_equal(out, big + sizeof(big) - 16, 16);
	/* An oversized append with lines inside: the tail lands on the first whole line. */
	logbuf_append(&lb, "xxxxxxxxxxxxxxxxxxxxxxx\nline-one\nline\n", 38);
	pos = 0;
	read_all(&lb, &pos, out, sizeof(out));
	assert_string_equal(out, "line-one\nline\n");
	/* Exactly at a line boundary: nothing is lost. */
	logbuf_append(&lb, "0123456789abcde\n", 16);
	pos = 0;
	read_all(&lb, &pos, out, sizeof(out));
	assert_string_equal(out, "0123456789abcde\n");
}

/* Random appends against a model of everything ever written. */
static void test_logbuf_random_against_model(void **state)
{
	enum { RING = 64, TOTAL = 20000 };
	char storage[RING], out[RING + 1], chunk[150];
	static char all[TOTAL + 200];
	struct logbuf lb;
	size_t all_len = 0;
	u64 model_tail = 0;
	unsigned int seed = 7;

	(void)state;
	logbuf_init(&lb, storage, sizeof(storage));
	while (all_len < TOTAL) {
		size_t len = (size_t)rand_r(&seed) % (rand_r(&seed) % 8 ? 20 : 150), i;
		u64 pos = 0, p;

		for (i = 0; i < len; i++)
			chunk[i] = rand_r(&seed) % 6 ? (char)('a' + rand_r(&seed) % 26) : '\n';
		logbuf_append(&lb, chunk, len);
		memcpy(all + all_len, chunk, len);
		all_len += len;

		/* Model: once over capacity, the tail goes to the first line start at or after
		 * head - size; with none in range (one overlong line), to head - size itself. */
		if (all_len - model_tail > RING) {
			model_tail = all_len - RING;
			if (all[model_tail - 1] != '\n') {
				for (p = model_tail; p + 1 < all_len && all[p] != '\n'; p++)
					;
				if (p + 1 < all_len)
					model_tail = p + 1;
			}
		}
		assert_int_equal(lb.head, all_len);
		assert_int_equal(lb.tail, model_tail);
		assert_int_equal(logbuf_read(&lb, &pos, out, sizeof(out)), all_len - lb.tail);
		assert_memory_equal(out, all + lb.tail, all_len - lb.tail);
	}
}

static void test_logbuf_init_rejects_bad_size(void **state)
{
	char storage[24];
	struct logbuf lb;

	(void)state;
	expect_assert_failure(logbuf_init(&lb, storage, sizeof(storage)));
	expect_assert_failure(logbuf_init(&lb, storage, 0));
}

/* ---- consoles ---- */

struct capture_console {
	struct console con;
	char text[4096];
	size_t len;
};

static void capture_write(struct console *con, const char *buf, size_t len)
{
	struct capture_console *cap = container_of(con, struct capture_console, con);

	if (cap->len + len < sizeof(cap->text)) {
		memcpy(cap->text + cap->len, buf, len);
		cap->len += len;
		cap->text[cap->len] = '\0';
	}
}

static struct capture_console cap_a = {{"cap-a", capture_write, NULL, 0}, "", 0};
static struct capture_console cap_b = {{"cap-b", capture_write, NULL, 0}, "", 0};

static void capture_reset(void)
{
	cap_a.len = cap_b.len = 0;
	cap_a.text[0] = cap_b.text[0] = '\0';
}

static void test_console_register_and_write(void **state)
{
	(void)state;
	console_register(&cap_a.con);
	console_register(&cap_b.con);
	console_register(&cap_a.con); /* a repeat must not create a loop */
	console_register(NULL);
	capture_reset();
	console_write("hi", 2);
	console_write("", 0);
	assert_string_equal(cap_a.text, "hi");
	assert_string_equal(cap_b.text, "hi");
}

/* ---- printk ---- */

/* The log ring text appended since @from, NUL-terminated in @out. */
static void log_since(u64 from, char *out, size_t max)
{
	u64 pos = from;

	read_all(&keel_log, &pos, out, max);
}

static void test_printk_prefix_level_and_newline(void **state)
{
	char out[512];
	u64 from = keel_log.head;

	(void)state;
	shim_now_ns = 1234567891234ULL;
	pr_warn("test: value %d", 42);
	shim_now_ns = 5000;
	pr_info("test: already ends\n");
	pr_err("test: %s", "bad");
	log_since(from, out, sizeof(out));
	assert_string_equal(out, "[ 1234.567891] (WARN) test: value 42\n"
				 "[    0.000005] test: already ends\n"
				 "[    0.000005] (ERR) test: bad\n");
}

static void test_printk_console_threshold(void **state)
{
	char out[512];
	u64 from;

	(void)state;
	console_register(&cap_a.con);
	shim_now_ns = 0;
	printk_set_console_level(LOG_INFO);
	capture_reset();
	from = keel_log.head;
	pr_debug("test: hidden from consoles");
	pr_info("test: shown");
	assert_string_equal(cap_a.text, "[    0.000000] test: shown\n");
	log_since(from, out, sizeof(out));
	assert_true(contains(out, "hidden from consoles")); /* the ring keeps every level */
	printk_set_console_level(LOG_DEBUG);
	pr_debug("test: now visible");
	assert_true(contains(cap_a.text, "now visible"));
	printk_set_console_level(LOG_INFO);
}

static void test_printk_cuts_long_messages(void **state)
{
	char big[2000], out[2048];
	u64 from = keel_log.head;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pr_info("%s", big);
	log_since(from, out, sizeof(out));
	assert_int_equal(strlen(out), 511);
	assert_string_equal(out + 507, "...\n");
	assert_memory_equal(out, "[    0.000000] xxx", 18);
}

static void test_printk_loglvl_option(void **state)
{
	char out[1024];
	u64 from;

	(void)state;
	capture_reset();
	assert_int_equal(cmdline_parse_all("loglvl=err"), 0);
	pr_warn("test: a warning under loglvl=err");
	assert_int_equal(cap_a.len, 0);
	assert_int_equal(cmdline_parse_all("loglvl=7"), 0);
	pr_debug("test: debug under loglvl=7");
	assert_true(contains(cap_a.text, "debug under loglvl=7"));
	from = keel_log.head;
	assert_int_equal(cmdline_parse_all("loglvl=loud loglvl=9"), 2);
	log_since(from, out, sizeof(out));
	assert_true(contains(out, "bad value 'loud' for option 'loglvl'"));
	assert_int_equal(cmdline_parse_all("loglvl=info"), 0);
}

/* A console that prints (once) from inside its write, as a fault handler in a UART driver might. */
static int reentry_depth;
static bool reentry_fired;
static void reentrant_write(struct console *con, const char *buf, size_t len)
{
	(void)con;
	(void)buf;
	(void)len;
	if (reentry_depth++ == 0 && !reentry_fired) {
		reentry_fired = true;
		pr_err("test: printed from inside printk");
	}
	reentry_depth--;
}

static struct console reentrant_con = {"reentrant", reentrant_write, NULL, 0};

static void test_printk_reentry_does_not_deadlock(void **state)
{
	char out[512];
	u64 from = keel_log.head;

	(void)state;
	console_register(&reentrant_con);
	capture_reset();
	pr_info("test: outer message");
	log_since(from, out, sizeof(out));
	/* The inner message was queued, not waited for, and the outer printk wrote it next. */
	assert_true(contains(out, "test: outer message"));
	assert_true(contains(out, "(ERR) test: printed from inside printk"));
	assert_string_equal(cap_a.text, "[    0.000000] test: outer message\n"
					"[    0.000000] (ERR) test: printed from inside printk\n");
	/* The consoles were let go: a later message goes straight out. */
	capture_reset();
	pr_info("test: after");
	assert_string_equal(cap_a.text, "[    0.000000] test: after\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_logbuf_append_and_read),
	    cmocka_unit_test(test_logbuf_wraps_and_drops_whole_lines),
	    cmocka_unit_test(test_logbuf_reader_catches_up_to_line_start),
	    cmocka_unit_test(test_logbuf_huge_append_keeps_newest_tail),
	    cmocka_unit_test(test_logbuf_random_against_model),
	    cmocka_unit_test(test_logbuf_init_rejects_bad_size),
	    cmocka_unit_test(test_console_register_and_write),
	    cmocka_unit_test(test_printk_prefix_level_and_newline),
	    cmocka_unit_test(test_printk_console_threshold),
	    cmocka_unit_test(test_printk_cuts_long_messages),
	    cmocka_unit_test(test_printk_loglvl_option),
	    cmocka_unit_test(test_printk_reentry_does_not_deadlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
