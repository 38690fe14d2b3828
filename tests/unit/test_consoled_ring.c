/* test_consoled_ring.c: keel-consoled's ring queues, hostile indices, pty fifo and file names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/consoled/names.h"
#include "../../tools/consoled/ring.h"

#define OUT(i) ((i) & (XENCONS_OUT_SIZE - 1))
#define IN(i)  ((i) & (XENCONS_IN_SIZE - 1))

/* The guest side: @len bytes of @s into out[], then out_prod. */
static void guest_write(struct xencons_interface *p, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p->out[OUT(p->out_prod + (uint32_t)i)] = s[i];
	p->out_prod += (uint32_t)len;
}

/* A fresh page (on the heap: the sanitizer sees any access past it) with all four indices at @at. */
static struct xencons_interface *page_at(uint32_t at)
{
	struct xencons_interface *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->out_cons = p->out_prod = p->in_cons = p->in_prod = at;
	return p;
}

static void test_out_wraps(void **state)
{
	/* Indices about to wrap both the u32 and out[]: the copy must come from both ends. */
	struct xencons_interface *p = page_at(0xfffffffcu);
	struct cons_ring r;
	char buf[XENCONS_OUT_SIZE];

	assert_true(cons_ring_attach(&r, p));
	guest_write(p, "hello, world", 12);
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "hello, world", 12);
	assert_int_equal(p->out_cons, 0xfffffffcu + 12);
	assert_int_equal(r.out_cons, p->out_cons);
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), 0);
	/* A full ring, starting in the middle of out[]. */
	for (int i = 0; i < XENCONS_OUT_SIZE; i++) {
		char c = (char)('a' + i % 26);

		guest_write(p, &c, 1);
	}
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), XENCONS_OUT_SIZE);
	for (int i = 0; i < XENCONS_OUT_SIZE; i++)
		assert_int_equal(buf[i], 'a' + i % 26);
	assert_int_equal(p->out_cons, p->out_prod);
	free(p);
}

static void test_out_partial(void **state)
{
	/* The caller takes less than there is: cons moves by exactly that, the rest waits. */
	struct xencons_interface *p = page_at(XENCONS_OUT_SIZE - 3);
	struct cons_ring r;
	char buf[16];

	assert_true(cons_ring_attach(&r, p));
	guest_write(p, "0123456789", 10);
	assert_int_equal(cons_ring_read_out(&r, buf, 4), 4);
	assert_memory_equal(buf, "0123", 4);
	assert_int_equal(p->out_cons, XENCONS_OUT_SIZE - 3 + 4);
	assert_int_equal(cons_ring_read_out(&r, buf, 0), 0);
	assert_int_equal(cons_ring_read_out(&r, buf, 5), 5);
	assert_memory_equal(buf, "45678", 5);
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], '9');
	free(p);
}

static void test_out_hostile(void **state)
{
	struct xencons_interface *p = page_at(100);
	struct cons_ring r;
	char buf[XENCONS_OUT_SIZE];

	assert_true(cons_ring_attach(&r, p));
	p->out_prod = 100 + XENCONS_OUT_SIZE + 1; /* more than a ring's worth */
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), -1);
	assert_int_equal(p->out_cons, 100);
	assert_int_equal(r.out_cons, 100);
	p->out_prod = 0xf0000000u; /* far beyond */
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), -1);
	p->out_prod = 99; /* behind our consumer */
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), -1);
	p->out_prod = 100 + XENCONS_OUT_SIZE; /* exactly full is fine */
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), XENCONS_OUT_SIZE);
	/* The guest moves our index (to make us re-read or skip): refused even if it looks sane. */
	p->out_prod += 10;
	p->out_cons += 5;
	assert_int_equal(cons_ring_read_out(&r, buf, sizeof(buf)), -1);
	assert_int_equal(r.out_cons, 100 + XENCONS_OUT_SIZE);
	/* A page already impossible at connect is not attached. */
	p->out_cons = 0;
	p->out_prod = 5000;
	assert_false(cons_ring_attach(&r, p));
	p->out_prod = 0;
	p->in_cons = 7; /* the guest read past what was produced */
	p->in_prod = 0;
	assert_false(cons_ring_attach(&r, p));
	free(p);
}

static void test_in_full(void **state)
{
	/* Input near the end of in[]: fills to exactly the ring size, then waits for the guest. */
	struct xencons_interface *p = page_at(0xffffffffu - 10);
	static char big[XENCONS_IN_SIZE + 100];
	struct cons_ring r;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)i;
	assert_true(cons_ring_attach(&r, p));
	assert_int_equal(cons_ring_in_space(&r), XENCONS_IN_SIZE);
	assert_int_equal(cons_ring_write_in(&r, big, sizeof(big)), XENCONS_IN_SIZE);
	assert_int_equal(p->in_prod - p->in_cons, XENCONS_IN_SIZE);
	for (uint32_t i = 0; i < XENCONS_IN_SIZE; i++)
		assert_int_equal(p->in[IN(0xffffffffu - 10 + i)], (char)i);
	assert_int_equal(cons_ring_in_space(&r), 0);
	assert_int_equal(cons_ring_write_in(&r, "x", 1), 0);
	p->in_cons += 3; /* the guest reads three */
	assert_int_equal(cons_ring_in_space(&r), 3);
	assert_int_equal(cons_ring_write_in(&r, "abcdef", 6), 3);
	assert_int_equal(p->in[IN(p->in_prod - 1)], 'c');
	assert_int_equal(cons_ring_in_space(&r), 0);
	free(p);
}

static void test_in_hostile(void **state)
{
	struct xencons_interface *p = page_at(50);
	struct cons_ring r;

	assert_true(cons_ring_attach(&r, p));
	p->in_cons = 51; /* ahead of what we produced */
	assert_int_equal(cons_ring_in_space(&r), -1);
	assert_int_equal(cons_ring_write_in(&r, "x", 1), -1);
	assert_int_equal(p->in_prod, 50);
	p->in_cons = 50 - XENCONS_IN_SIZE - 1; /* more than a ring's worth unread */
	assert_int_equal(cons_ring_write_in(&r, "x", 1), -1);
	p->in_cons = 50;
	p->in_prod = 40; /* our index moved */
	assert_int_equal(cons_ring_in_space(&r), -1);
	assert_int_equal(cons_ring_write_in(&r, "x", 1), -1);
	assert_int_equal(p->in_prod, 40);
	assert_int_equal(r.in_prod, 50);
	free(p);
}

static void test_fifo_drops_oldest(void **state)
{
	char store[8], got[16];
	struct cons_fifo f;
	const char *data;
	size_t n, have = 0;

	cons_fifo_init(&f, store, sizeof(store));
	assert_int_equal(cons_fifo_push(&f, "abcde", 5), 0);
	cons_fifo_consume(&f, 2); /* "cde" left, not at the start of store */
	assert_int_equal(cons_fifo_push(&f, "fghij", 5), 0);
	assert_int_equal(f.len, 8);
	assert_int_equal(cons_fifo_push(&f, "kl", 2), 2); /* c, d go */
	while ((n = cons_fifo_peek(&f, &data)) > 0) {
		assert_true(have + n <= sizeof(got));
		memcpy(got + have, data, n);
		have += n;
		cons_fifo_consume(&f, n);
	}
	assert_int_equal(have, 8);
	assert_memory_equal(got, "efghijkl", 8);
	/* More than it holds at once: only the newest bytes stay. */
	assert_int_equal(cons_fifo_push(&f, "123", 3), 0);
	assert_int_equal(cons_fifo_push(&f, "ABCDEFGHIJ", 10), 3 + 2);
	n = cons_fifo_peek(&f, &data);
	assert_int_equal(n, 8);
	assert_memory_equal(data, "CDEFGHIJ", 8);
	cons_fifo_consume(&f, 100);
	assert_int_equal(cons_fifo_peek(&f, &data), 0);
}

static void test_fifo_64k(void **state)
{
	/* The daemon's size: a pty nobody reads keeps the last 64 KiB of output. */
	enum { SIZE = 64 * 1024 };
	char *store = malloc(SIZE), chunk[1000];
	struct cons_fifo f;
	size_t dropped = 0, n;
	const char *data;
	unsigned int next = 0;

	assert_non_null(store);
	cons_fifo_init(&f, store, SIZE);
	for (int round = 0; round < 100; round++) {
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (char)(next++ % 251);
		dropped += cons_fifo_push(&f, chunk, sizeof(chunk));
	}
	assert_int_equal(f.len, SIZE);
	assert_int_equal(dropped, 100 * sizeof(chunk) - SIZE);
	next = (unsigned int)dropped; /* the oldest byte kept */
	while ((n = cons_fifo_peek(&f, &data)) > 0) {
		for (size_t i = 0; i < n; i++)
			assert_int_equal(data[i], (char)(next++ % 251));
		cons_fifo_consume(&f, n);
	}
	assert_int_equal(next, 100 * sizeof(chunk));
	free(store);
}

static void test_numbers(void **state)
{
	uint64_t v = 42;

	assert_true(cons_parse_number("1234", 4, 0, 9999, &v));
	assert_int_equal(v, 1234);
	assert_true(cons_parse_number("0", 1, 0, 10, &v));
	assert_int_equal(v, 0);
	assert_false(cons_parse_number("0", 1, 1, 10, &v)); /* port 0 */
	assert_false(cons_parse_number("11", 2, 1, 10, &v));
	assert_false(cons_parse_number("", 0, 0, 10, &v));
	assert_false(cons_parse_number("-1", 2, 0, 10, &v));
	assert_false(cons_parse_number("+1", 2, 0, 10, &v));
	assert_false(cons_parse_number(" 1", 2, 0, 10, &v));
	assert_false(cons_parse_number("1 ", 2, 0, 10, &v));
	assert_false(cons_parse_number("0x10", 4, 0, 100, &v));
	assert_false(cons_parse_number("1\0002", 3, 0, 100, &v)); /* a NUL inside the value */
	assert_false(cons_parse_number("18446744073709551616", 20, 0, UINT64_MAX, &v));
	assert_true(cons_parse_number("18446744073709551615", 20, 0, UINT64_MAX, &v));
	assert_int_equal(v, UINT64_MAX);
	assert_false(cons_parse_number(NULL, 0, 0, 10, &v));
	assert_true(cons_parse_number("1099511627775", 13, 0, CONS_GFN_MAX, &v));
	assert_false(cons_parse_number("1099511627776", 13, 0, CONS_GFN_MAX, &v));
	assert_false(cons_parse_number("131072", 6, 1, CONS_PORT_MAX, &v));
}

static void test_stems(void **state)
{
	char stem[CONS_STEM_SIZE];
	char longname[200];

	cons_stem("guest-1.test_a", 14, 3, stem);
	assert_string_equal(stem, "guest-1.test_a");
	cons_stem("../../etc/passwd", 16, 3, stem);
	assert_string_equal(stem, "_._.._etc_passwd");
	cons_stem("a b\n\x1b[31m", 9, 3, stem);
	assert_string_equal(stem, "a_b___31m");
	cons_stem(".hidden", 7, 3, stem);
	assert_string_equal(stem, "_hidden");
	cons_stem("x\0y", 3, 3, stem);
	assert_string_equal(stem, "x_y");
	cons_stem("", 0, 7, stem);
	assert_string_equal(stem, "domain-7");
	cons_stem(NULL, 99, 65535, stem);
	assert_string_equal(stem, "domain-65535");
	memset(longname, 'n', sizeof(longname));
	cons_stem(longname, sizeof(longname), 1, stem);
	assert_int_equal(strlen(stem), CONS_NAME_MAX);
	cons_stem_unique(stem, 65535);
	assert_int_equal(strlen(stem), CONS_NAME_MAX + 6);
	assert_string_equal(stem + CONS_NAME_MAX, "+65535");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_out_wraps),	cmocka_unit_test(test_out_partial),
	    cmocka_unit_test(test_out_hostile), cmocka_unit_test(test_in_full),
	    cmocka_unit_test(test_in_hostile),	cmocka_unit_test(test_fifo_drops_oldest),
	    cmocka_unit_test(test_fifo_64k),	cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_stems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
