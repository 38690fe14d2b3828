/* Unit tests for the PV console ring's index handling and the serial input focus (Ctrl-A x3). */
#include <keel/console_input.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/timer.h>
#include <public/console.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

static struct xencons_interface *ring;

static int setup(void **state)
{
	(void)state;
	ring = calloc(1, 4096);
	shim_core_reset_log();
	return ring ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(ring);
	return 0;
}

/* The guest side, as hvc_xen writes: bytes at out_prod, then the index. */
static void guest_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring->out[(ring->out_prod + i) % XENCONS_OUT_SIZE] = s[i];
	ring->out_prod += (u32)n;
}

static void test_output_basic_and_partial(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(xencons_take_output(ring, buf, sizeof(buf)), 0);
	guest_write("hello, world\n", 13);
	assert_int_equal(xencons_take_output(ring, buf, 5), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(ring->out_cons, 5);
	assert_int_equal(xencons_take_output(ring, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, ", world\n", 8);
	assert_int_equal(ring->out_cons, ring->out_prod);
}

static void test_output_wraparound(void **state)
{
	static char big[XENCONS_OUT_SIZE];
	char expect[64];

	(void)state;
	/* Free-running indices near 2^32: the data straddles both the buffer end and u32 wrap. */
	ring->out_cons = ring->out_prod = 0xFFFFFFF0u;
	for (int i = 0; i < 64; i++)
		expect[i] = (char)('A' + i % 26);
	guest_write(expect, 64);
	assert_true(ring->out_prod < ring->out_cons); /* wrapped */
	assert_int_equal(xencons_take_output(ring, big, sizeof(big)), 64);
	assert_memory_equal(big, expect, 64);
	/* Exactly full is valid. */
	memset(big, 'z', sizeof(big));
	guest_write(big, XENCONS_OUT_SIZE);
	assert_int_equal(xencons_take_output(ring, big, sizeof(big)), XENCONS_OUT_SIZE);
}

static void test_output_hostile_indices(void **state)
{
	char buf[XENCONS_OUT_SIZE];

	(void)state;
	ring->out_cons = 100;
	ring->out_prod = 100 + XENCONS_OUT_SIZE + 1;
	assert_int_equal(xencons_take_output(ring, buf, sizeof(buf)), -EIO);
	assert_int_equal(ring->out_cons, ring->out_prod); /* reset: the ring works again */
	guest_write("ok", 2);
	assert_int_equal(xencons_take_output(ring, buf, sizeof(buf)), 2);
	/* Consumer ahead of producer (negative distance) is just as impossible. */
	ring->out_cons = 10;
	ring->out_prod = 5;
	assert_int_equal(xencons_take_output(ring, buf, sizeof(buf)), -EIO);
	ring->out_cons = 0;
	ring->out_prod = 0xFFFFFFFFu;
	assert_int_equal(xencons_take_output(ring, buf, sizeof(buf)), -EIO);
}

static void test_input(void **state)
{
	static char big[2 * XENCONS_IN_SIZE];
	char got[8];

	(void)state;
	assert_int_equal(xencons_put_input(ring, "ls\n", 3), 3);
	assert_int_equal(ring->in_prod, 3);
	assert_memory_equal(ring->in, "ls\n", 3);
	/* Full: the rest is dropped, nothing is overwritten. */
	memset(big, 'x', sizeof(big));
	assert_int_equal(xencons_put_input(ring, big, sizeof(big)), XENCONS_IN_SIZE - 3);
	assert_int_equal(ring->in_prod - ring->in_cons, XENCONS_IN_SIZE);
	assert_int_equal(xencons_put_input(ring, "y", 1), 0);
	assert_memory_equal(ring->in, "ls\n", 3);
	/* The guest reads 8: room for 8, at the wrapped position. */
	ring->in_cons += 8;
	assert_int_equal(xencons_put_input(ring, "0123456789", 10), 8);
	memcpy(got, ring->in, 8);
	assert_memory_equal(got, "01234567", 8);
	/* Across the u32 wrap. */
	ring->in_cons = ring->in_prod = 0xFFFFFFFEu;
	assert_int_equal(xencons_put_input(ring, "abcd", 4), 4);
	assert_int_equal(ring->in_prod, 2);
	assert_int_equal(ring->in[XENCONS_IN_SIZE - 2], 'a');
	assert_int_equal(ring->in[1], 'd');
}

static void test_input_hostile_indices(void **state)
{
	(void)state;
	ring->in_cons = 0;
	ring->in_prod = XENCONS_IN_SIZE + 1; /* the guest wrote Keel's index */
	assert_int_equal(xencons_put_input(ring, "a", 1), -EIO);
	assert_int_equal(ring->in_prod, ring->in_cons);
	assert_int_equal(xencons_put_input(ring, "a", 1), 1);
	ring->in_cons = 50; /* the guest claims to have read what was never written */
	assert_int_equal(xencons_put_input(ring, "a", 1), -EIO);
	assert_int_equal(ring->in_prod, 50);
}

/* --- input focus: domains 1 and 2 exist; console_ring_input records what each gets --- */
static struct domain doms[3];
static bool alive[3] = {false, true, true};
static char got_in[3][64];
static size_t got_len[3];
static int held;

struct domain *domain_get(u16 id)
{
	if (id >= 3 || !alive[id])
		return NULL;
	held++;
	doms[id].id = id;
	return &doms[id];
}

struct domain *domain_get_next(int after)
{
	for (int i = after + 1; i < 3; i++)
		if (i >= 0 && alive[i])
			return domain_get((u16)i);
	return NULL;
}

void domain_put(struct domain *d)
{
	assert_true(held > 0);
	held--;
}

size_t console_ring_input(struct domain *d, const char *buf, size_t len)
{
	memcpy(got_in[d->id] + got_len[d->id], buf, len);
	got_len[d->id] += len;
	return len;
}

/* dom0 without a console ring reads its input with console_io: it lands in this queue. */
static char got_io[64];
static size_t got_io_len;

size_t domain_console_input(struct domain *d, const char *buf, size_t len)
{
	assert_true(d->privileged);
	memcpy(got_io + got_io_len, buf, len);
	got_io_len += len;
	return len;
}

static void type(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_input_byte(s[i]);
}

static void test_focus_cycle(void **state)
{
	(void)state;
	assert_int_equal(console_input_focus(), CONSOLE_FOCUS_KEEL);
	type("ignored", 7); /* Keel has no shell */
	assert_int_equal(got_len[1] + got_len[2], 0);
	type("\x01\x01\x01", 3);
	assert_int_equal(console_input_focus(), 1);
	assert_true(shim_core_log_contains("input goes to d1"));
	type("ab", 2);
	/* Two Ctrl-A and a letter: the Ctrl-As go through, the focus stays. */
	type("\x01\x01x", 3);
	assert_int_equal(got_len[1], 5);
	assert_memory_equal(got_in[1], "ab\x01\x01x", 5);
	type("\x01\x01\x01", 3);
	assert_int_equal(console_input_focus(), 2);
	type("c", 1);
	assert_memory_equal(got_in[2], "c", 1);
	type("\x01\x01\x01", 3);
	assert_int_equal(console_input_focus(), CONSOLE_FOCUS_KEEL);
	assert_true(shim_core_log_contains("input goes to Keel"));
	/* A domain that ended gives the focus back to Keel; a dead one is skipped when cycling. */
	alive[1] = false;
	type("\x01\x01\x01", 3);
	assert_int_equal(console_input_focus(), 2);
	alive[2] = false;
	type("z", 1);
	assert_int_equal(console_input_focus(), CONSOLE_FOCUS_KEEL);
	assert_int_equal(got_len[2], 1);
	assert_int_equal(held, 0);
}

static void test_focus_dom0_console_io(void **state)
{
	(void)state;
	alive[0] = true;
	doms[0].privileged = true; /* no console ring page: console_io reads */
	type("\x01\x01\x01", 3);
	assert_int_equal(console_input_focus(), 0);
	type("ls\n", 3);
	assert_int_equal(got_io_len, 3);
	assert_memory_equal(got_io, "ls\n", 3);
	assert_int_equal(got_len[0], 0); /* not the ring */
	alive[0] = false;
	type("\x01\x01\x01", 3);
	assert_int_equal(held, 0);
}

/* Keel's start: the input goes to dom0 when there is one, to Keel otherwise. */
static void test_focus_starts_on_dom0(void **state)
{
	(void)state;
	alive[0] = false;
	alive[1] = true;
	got_io_len = 0;
	console_input_start();
	assert_int_equal(console_input_focus(), CONSOLE_FOCUS_KEEL);
	assert_true(shim_core_log_contains("input goes to Keel"));
	alive[0] = true;
	doms[0].privileged = true;
	console_input_start();
	assert_int_equal(console_input_focus(), 0);
	assert_true(shim_core_log_contains("input goes to d0"));
	type("ls\n", 3);
	assert_int_equal(got_io_len, 3);
	assert_memory_equal(got_io, "ls\n", 3);
	alive[0] = false;
	type("x", 1); /* dom0 gone: back to Keel */
	assert_int_equal(console_input_focus(), CONSOLE_FOCUS_KEEL);
	assert_int_equal(held, 0);
}

/* console_input.c's other dependencies: not reached by these tests. */
int uart_read_byte(void)
{
	return -1;
}
void console_ring_drain(struct domain *d) {}
void domain_console_try_flush(struct domain *d) {}
u64 now_ns(void)
{
	return 0;
}
void timer_init(struct timer *t, void (*fn)(struct timer *t)) {}
void timer_set(struct timer *t, u64 deadline_ns, unsigned int cpu) {}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_output_basic_and_partial), T(test_output_wraparound),
	    T(test_output_hostile_indices),   T(test_input),
	    T(test_input_hostile_indices),    T(test_focus_cycle),
	    T(test_focus_dom0_console_io),    T(test_focus_starts_on_dom0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
