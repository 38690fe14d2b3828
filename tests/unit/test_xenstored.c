/* test_xenstored.c: keel-xenstored's protocol core: requests, errors, perms, watches, quotas. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "xs_fixture.h"

static struct xs_core *new_core(void)
{
	struct xs_quota q;

	xs_quota_defaults(&q);
	return xs_core_new(&q, NULL);
}

static void test_write_read_dir(void **state)
{
	struct xs_core *core = new_core();
	struct client d0;
	char buf[256];

	client_open(&d0, core, 0);
	assert_int_equal(WRITE(&d0, 0, "/a/b", "hello", buf), XS_WRITE);
	assert_string_equal(buf, "OK");
	assert_int_equal(REQS(&d0, XS_READ, 0, "/a/b", buf), XS_READ);
	assert_string_equal(buf, "hello");
	assert_int_equal(WRITE(&d0, 0, "/a/c", "", buf), XS_WRITE);
	assert_int_equal(REQS(&d0, XS_DIRECTORY, 0, "/a", buf), XS_DIRECTORY);
	assert_memory_equal(buf, "b\0c\0", 4);
	assert_int_equal(REQS(&d0, XS_READ, 0, "/local/domain/0/name", buf), XS_READ);
	assert_string_equal(buf, "Domain-0");
	assert_int_equal(REQS(&d0, XS_RM, 0, "/a", buf), XS_RM);
	assert_int_equal(REQS(&d0, XS_READ, 0, "/a/b", buf), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	assert_int_equal(REQS(&d0, XS_MKDIR, 0, "/m/n", buf), XS_MKDIR);
	assert_int_equal(REQS(&d0, XS_READ, 0, "/m/n", buf), XS_READ);
	assert_string_equal(buf, "");
	client_close(&d0);
	xs_core_free(core);
}

static void test_malformed(void **state)
{
	struct xs_core *core = new_core();
	struct client d0;
	char buf[256];
	struct xs_header big = {.type = XS_READ, .len = XS_PAYLOAD_MAX + 1};

	client_open(&d0, core, 0);
	assert_int_equal(req(&d0, XS_READ, 0, "/a", 2, buf, sizeof(buf)), XS_ERROR); /* no NUL */
	assert_string_equal(buf, "EINVAL");
	assert_int_equal(REQS(&d0, 99, 0, "x", buf), XS_ERROR);
	assert_int_equal(REQS(&d0, XS_READ, 0, "/a//b", buf), XS_ERROR);
	assert_int_equal(REQS(&d0, XS_READ, 0, "/a/", buf), XS_ERROR);
	assert_int_equal(REQS(&d0, XS_READ, 0, "/a b", buf), XS_ERROR);
	assert_int_equal(REQS(&d0, XS_WRITE, 0, "@releaseDomain", buf), XS_ERROR);
	assert_int_equal(REQS(&d0, XS_TRANSACTION_END, 0, "T", buf), XS_ERROR);
	assert_string_equal(buf, "ENOENT");
	assert_false(xs_conn_input(d0.conn, &big, sizeof(big)));
	client_close(&d0);
	xs_core_free(core);
}

static void test_long_path(void **state)
{
	struct xs_core *core = new_core();
	struct client d0;
	char buf[64], path[XS_ABS_PATH_MAX + 2];

	client_open(&d0, core, 0);
	path[0] = '/';
	memset(path + 1, 'a', XS_ABS_PATH_MAX);
	path[XS_ABS_PATH_MAX + 1] = '\0';
	assert_int_equal(req(&d0, XS_READ, 0, path, sizeof(path), buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "E2BIG");
	client_close(&d0);
	xs_core_free(core);
}

static void test_perms(void **state)
{
	struct xs_core *core = new_core();
	struct client d0, d5, d6;
	char buf[256];

	client_open(&d0, core, 0);
	client_open(&d5, core, 5);
	client_open(&d6, core, 6);
	WRITE(&d0, 0, "/local/domain/5/x", "v", buf);
	assert_int_equal(REQS(&d5, XS_READ, 0, "x", buf), XS_ERROR); /* relative; n0 inherited */
	assert_string_equal(buf, "EACCES");
	assert_int_equal(req(&d0, XS_SET_PERMS, 0, "/local/domain/5\0n5", 19, buf, sizeof(buf)),
			 XS_SET_PERMS);
	assert_int_equal(REQS(&d0, XS_GET_PERMS, 0, "/local/domain/5", buf), XS_GET_PERMS);
	assert_string_equal(buf, "n5");
	assert_int_equal(WRITE(&d5, 0, "y/z", "1", buf), XS_WRITE); /* creates y owned by 5 */
	assert_int_equal(REQS(&d0, XS_GET_PERMS, 0, "/local/domain/5/y/z", buf), XS_GET_PERMS);
	assert_string_equal(buf, "n5");
	assert_int_equal(REQS(&d6, XS_READ, 0, "/local/domain/5/y/z", buf), XS_ERROR);
	assert_int_equal(req(&d5, XS_SET_PERMS, 0, "y/z\0n5\0r6", 10, buf, sizeof(buf)),
			 XS_SET_PERMS);
	assert_int_equal(REQS(&d6, XS_READ, 0, "/local/domain/5/y/z", buf), XS_READ);
	assert_int_equal(WRITE(&d6, 0, "/local/domain/5/y/z", "2", buf), XS_ERROR);
	assert_int_equal(req(&d5, XS_SET_PERMS, 0, "y/z\0n6", 7, buf, sizeof(buf)), XS_ERROR);
	assert_string_equal(buf, "EPERM");
	assert_int_equal(req(&d0, XS_SET_PERMS, 0, "/x\0q5", 6, buf, sizeof(buf)), XS_ERROR);
	/* SET_TARGET: 6 gains 5's rights */
	assert_int_equal(req(&d0, XS_INTRODUCE, 0,
			     "6\0"
			     "1\0"
			     "3",
			     6, buf, sizeof(buf)),
			 XS_INTRODUCE);
	assert_int_equal(req(&d0, XS_SET_TARGET, 0,
			     "6\0"
			     "5",
			     4, buf, sizeof(buf)),
			 XS_SET_TARGET);
	assert_int_equal(WRITE(&d6, 0, "/local/domain/5/y/z", "2", buf), XS_WRITE);
	assert_int_equal(req(&d5, XS_SET_TARGET, 0,
			     "6\0"
			     "5",
			     4, buf, sizeof(buf)),
			 XS_ERROR);
	client_close(&d0);
	client_close(&d5);
	client_close(&d6);
	xs_core_free(core);
}

static void test_watches(void **state)
{
	struct xs_core *core = new_core();
	struct client d0, d1;
	char buf[256];

	client_open(&d0, core, 0);
	client_open(&d1, core, 1);
	assert_int_equal(REQS(&d0, XS_WATCH, 0, "/w\0tok", buf), XS_WATCH);
	assert_int_equal(EVENTS(&d0, "/w\0tok"), 1); /* the initial event */
	WRITE(&d0, 0, "/w/a/b", "1", buf);
	assert_int_equal(EVENTS(&d0, "/w/a/b\0tok"), 1);
	WRITE(&d0, 0, "/other", "1", buf);
	assert_int_equal(events(&d0, NULL, 0), 0);
	assert_int_equal(REQS(&d0, XS_WATCH, 0, "/w\0tok", buf), XS_ERROR);
	assert_int_equal(REQS(&d0, XS_WATCH, 0, "/w/a/b/c\0deep", buf), XS_WATCH);
	REQS(&d0, XS_RM, 0, "/w/a", buf);
	assert_int_equal(EVENTS(&d0, "/w/a\0tok"), 1);
	assert_int_equal(EVENTS(&d0, "/w/a/b/c\0deep"), 1);
	/* relative watches report relative paths; no event for what the watcher cannot read */
	assert_int_equal(REQS(&d1, XS_WATCH, 0, "dev\0r", buf), XS_WATCH);
	assert_int_equal(EVENTS(&d1, "dev\0r"), 1);
	g_byte_array_set_size(d1.cap.out, 0);
	WRITE(&d0, 0, "/local/domain/1/dev/x", "1", buf);
	assert_int_equal(events(&d1, NULL, 0), 0);
	assert_int_equal(REQS(&d1, XS_WATCH, 0, "@introduceDomain\0i", buf), XS_WATCH);
	assert_int_equal(REQS(&d1, XS_WATCH, 0, "@releaseDomain\0r", buf), XS_WATCH);
	g_byte_array_set_size(d1.cap.out, 0);
	req(&d0, XS_SET_PERMS, 0, "/local/domain/1/dev/x\0n1", 25, buf, sizeof(buf));
	assert_int_equal(EVENTS(&d1, "dev/x\0r"), 1);
	g_byte_array_set_size(d1.cap.out, 0);
	req(&d0, XS_INTRODUCE, 0,
	    "3\0"
	    "99\0"
	    "4",
	    7, buf, sizeof(buf));
	assert_int_equal(EVENTS(&d1, "@introduceDomain\0i"), 1);
	assert_int_equal(REQS(&d0, XS_IS_DOMAIN_INTRODUCED, 0, "3", buf), XS_IS_DOMAIN_INTRODUCED);
	assert_string_equal(buf, "T");
	g_byte_array_set_size(d1.cap.out, 0);
	assert_int_equal(REQS(&d0, XS_RELEASE, 0, "3", buf), XS_RELEASE);
	assert_int_equal(EVENTS(&d1, "@releaseDomain\0r"), 1);
	assert_int_equal(REQS(&d0, XS_IS_DOMAIN_INTRODUCED, 0, "3", buf), XS_IS_DOMAIN_INTRODUCED);
	assert_string_equal(buf, "F");
	assert_int_equal(REQS(&d1, XS_UNWATCH, 0, "dev\0r", buf), XS_UNWATCH);
	assert_int_equal(REQS(&d1, XS_UNWATCH, 0, "dev\0r", buf), XS_ERROR);
	assert_int_equal(REQS(&d1, XS_RESET_WATCHES, 0, "", buf), XS_RESET_WATCHES);
	assert_int_equal(d1.conn->nwatches, 0);
	client_close(&d0);
	client_close(&d1);
	xs_core_free(core);
}

static void test_transactions(void **state)
{
	struct xs_core *core = new_core();
	struct client a, b;
	char buf[256];
	uint32_t t1, t2;

	client_open(&a, core, 0);
	client_open(&b, core, 0);
	WRITE(&a, 0, "/t/x", "0", buf);
	assert_int_equal(REQS(&a, XS_TRANSACTION_START, 0, "", buf), XS_TRANSACTION_START);
	t1 = (uint32_t)atoi(buf);
	assert_true(t1 != 0);
	WRITE(&a, t1, "/t/x", "1", buf);
	REQS(&b, XS_READ, 0, "/t/x", buf);
	assert_string_equal(buf, "0"); /* not visible outside yet */
	REQS(&a, XS_READ, t1, "/t/x", buf);
	assert_string_equal(buf, "1");
	assert_int_equal(REQS(&a, XS_TRANSACTION_END, t1, "T", buf), XS_TRANSACTION_END);
	REQS(&b, XS_READ, 0, "/t/x", buf);
	assert_string_equal(buf, "1");
	/* conflict: b changes what a read */
	REQS(&a, XS_TRANSACTION_START, 0, "", buf);
	t2 = (uint32_t)atoi(buf);
	REQS(&a, XS_READ, t2, "/t/x", buf);
	WRITE(&a, t2, "/t/y", "new", buf);
	WRITE(&b, 0, "/t/x", "2", buf);
	assert_int_equal(REQS(&a, XS_TRANSACTION_END, t2, "T", buf), XS_ERROR);
	assert_string_equal(buf, "EAGAIN");
	assert_int_equal(REQS(&b, XS_READ, 0, "/t/y", buf), XS_ERROR);
	/* an unrelated change does not conflict; abort discards */
	REQS(&a, XS_TRANSACTION_START, 0, "", buf);
	t2 = (uint32_t)atoi(buf);
	WRITE(&a, t2, "/t/z", "1", buf);
	WRITE(&b, 0, "/u", "2", buf);
	assert_int_equal(REQS(&a, XS_TRANSACTION_END, t2, "T", buf), XS_TRANSACTION_END);
	REQS(&a, XS_TRANSACTION_START, 0, "", buf);
	t2 = (uint32_t)atoi(buf);
	REQS(&a, XS_RM, t2, "/t/z", buf);
	assert_int_equal(REQS(&a, XS_TRANSACTION_END, t2, "F", buf), XS_TRANSACTION_END);
	assert_int_equal(REQS(&b, XS_READ, 0, "/t/z", buf), XS_READ);
	assert_int_equal(REQS(&a, XS_READ, 12345, "/t/z", buf), XS_ERROR);
	client_close(&a);
	client_close(&b);
	xs_core_free(core);
}

static void test_quotas(void **state)
{
	struct xs_quota q;
	struct xs_core *core;
	struct client d0, d2;
	char buf[256];

	xs_quota_defaults(&q);
	assert_true(xs_quota_set(&q, "nodes", "3"));
	assert_true(xs_quota_set(&q, "watches", "1"));
	assert_true(xs_quota_set(&q, "transactions", "1"));
	assert_true(xs_quota_set(&q, "msg-size", "64"));
	assert_false(xs_quota_set(&q, "msg-size", "5000"));
	assert_false(xs_quota_set(&q, "bogus", "1"));
	core = xs_core_new(&q, NULL);
	client_open(&d0, core, 0);
	client_open(&d2, core, 2);
	WRITE(&d0, 0, "/local/domain/2", "", buf);
	req(&d0, XS_SET_PERMS, 0, "/local/domain/2\0n2", 19, buf, sizeof(buf));
	assert_int_equal(WRITE(&d2, 0, "a", "", buf), XS_WRITE); /* owns 2 nodes now */
	assert_int_equal(WRITE(&d2, 0, "b", "", buf), XS_WRITE);
	assert_int_equal(WRITE(&d2, 0, "c", "", buf), XS_ERROR);
	assert_string_equal(buf, "EQUOTA");
	assert_int_equal(REQS(&d2, XS_WATCH, 0, "a\0t", buf), XS_WATCH);
	assert_int_equal(REQS(&d2, XS_WATCH, 0, "b\0t", buf), XS_ERROR);
	assert_string_equal(buf, "EQUOTA");
	assert_int_equal(REQS(&d2, XS_TRANSACTION_START, 0, "", buf), XS_TRANSACTION_START);
	assert_int_equal(REQS(&d2, XS_TRANSACTION_START, 0, "", buf), XS_ERROR);
	assert_int_equal(REQS(&d2, XS_WRITE, 0,
			      "a\0xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			      buf),
			 XS_ERROR);
	assert_string_equal(buf, "E2BIG");
	assert_int_equal(REQS(&d0, XS_CONTROL, 0, "quota", buf), XS_CONTROL);
	assert_string_equal(buf, "nodes=3 watches=1 transactions=1 msg-size=64");
	assert_int_equal(REQS(&d2, XS_CONTROL, 0, "quota", buf), XS_ERROR);
	client_close(&d0);
	client_close(&d2);
	xs_core_free(core);
}

static void test_directory_part(void **state)
{
	struct xs_core *core = new_core();
	struct client d0;
	char buf[256];

	client_open(&d0, core, 0);
	WRITE(&d0, 0, "/d/aa", "", buf);
	WRITE(&d0, 0, "/d/bb", "", buf);
	assert_int_equal(req(&d0, XS_DIRECTORY_PART, 0,
			     "/d\0"
			     "3",
			     5, buf, sizeof(buf)),
			 XS_DIRECTORY_PART);
	assert_memory_equal(buf + strlen(buf) + 1, "bb\0", 4);
	assert_int_equal(REQS(&d0, XS_GET_DOMAIN_PATH, 0, "7", buf), XS_GET_DOMAIN_PATH);
	assert_string_equal(buf, "/local/domain/7");
	client_close(&d0);
	xs_core_free(core);
}

/* Fates a test gives xs_domains_check, by domid. */
static enum xs_domain_fate fates[8];
static unsigned int fate_asked;

static enum xs_domain_fate fate_of(unsigned int domid, void *arg)
{
	(void)arg;
	fate_asked++;
	return domid < 8 ? fates[domid] : XS_DOMAIN_ALIVE;
}

static void introduce(struct client *d0, unsigned int domid)
{
	char msg[16], buf[64];
	int n = snprintf(msg, sizeof(msg), "%u", domid);

	memcpy(msg + n,
	       "\0"
	       "5\0"
	       "6",
	       5);
	assert_int_equal(req(d0, XS_INTRODUCE, 0, msg, (size_t)n + 5, buf, sizeof(buf)),
			 XS_INTRODUCE);
}

static void test_domain_deaths(void **state)
{
	struct xs_core *core = new_core();
	struct client d0;
	char buf[256];

	(void)state;
	client_open(&d0, core, 0);
	introduce(&d0, 2);
	introduce(&d0, 3);
	introduce(&d0, 4);
	assert_int_equal(REQS(&d0, XS_WATCH, 0, "@releaseDomain\0r", buf), XS_WATCH);
	g_byte_array_set_size(d0.cap.out, 0);
	/* all alive: every introduced domain asked, nothing released, the watchers told */
	memset(fates, 0, sizeof(fates));
	fate_asked = 0;
	xs_domains_check(core, fate_of, NULL);
	assert_int_equal(fate_asked, 3);
	assert_int_equal(EVENTS(&d0, "@releaseDomain\0r"), 1);
	g_byte_array_set_size(d0.cap.out, 0);
	assert_int_equal(REQS(&d0, XS_IS_DOMAIN_INTRODUCED, 0, "3", buf), XS_IS_DOMAIN_INTRODUCED);
	assert_string_equal(buf, "T");
	/* d3 and d4 gone: both released (their @releaseDomain and the check's) */
	fates[3] = fates[4] = XS_DOMAIN_GONE;
	xs_domains_check(core, fate_of, NULL);
	assert_int_equal(EVENTS(&d0, "@releaseDomain\0r"), 3);
	assert_int_equal(REQS(&d0, XS_IS_DOMAIN_INTRODUCED, 0, "3", buf), XS_IS_DOMAIN_INTRODUCED);
	assert_string_equal(buf, "F");
	assert_int_equal(REQS(&d0, XS_IS_DOMAIN_INTRODUCED, 0, "4", buf), XS_IS_DOMAIN_INTRODUCED);
	assert_string_equal(buf, "F");
	assert_int_equal(REQS(&d0, XS_IS_DOMAIN_INTRODUCED, 0, "2", buf), XS_IS_DOMAIN_INTRODUCED);
	assert_string_equal(buf, "T");
	fate_asked = 0;
	xs_domains_check(core, fate_of, NULL);
	assert_int_equal(fate_asked, 1); /* only d2 is left to ask about */
	client_close(&d0);
	xs_core_free(core);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_read_dir), cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_domain_deaths),  cmocka_unit_test(test_long_path),
	    cmocka_unit_test(test_perms),	   cmocka_unit_test(test_watches),
	    cmocka_unit_test(test_transactions),   cmocka_unit_test(test_quotas),
	    cmocka_unit_test(test_directory_part),
	};

	g_log_set_default_handler((GLogFunc)(void (*)(void))g_log_default_handler, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
