/* Unit tests for the FIFO event-channel ABI (common/event/deliver_fifo.c): queues as a guest sees them. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_mem.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

#include "handlers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

/* The guest's own RAM pages: gfns 0x100..0x103. Anything else is not the domain's own frame. */
#define OWN_GFN	  0x100
#define NR_OWN	  4
#define CB_GFN	  OWN_GFN	/* control blocks of vCPU 0 (offset 0) and 1 (offset 128) */
#define ARRAY_GFN (OWN_GFN + 1) /* event words of ports 0..1023 */

static struct domain *d;
static struct vcpu *vc[2];
static struct shared_info *si;
static u8 *own;

/* Only this domain exists for domain_get(). */
struct domain *domain_get(u16 id)
{
	return d && id == d->id ? d : NULL;
}

struct domain *domain_get_next(int after)
{
	return after < 3 ? domain_get(3) : NULL;
}

void domain_put(struct domain *x)
{
	assert_ptr_equal(x, d);
}

static struct evtchn_fifo_control_block *cb(unsigned int vcpu)
{
	return (void *)(own + vcpu * 128);
}

static event_word_t *word(u32 port)
{
	return (event_word_t *)(own + 4096) + port;
}

#define BIT_P (1u << EVTCHN_FIFO_PENDING)
#define BIT_M (1u << EVTCHN_FIFO_MASKED)
#define BIT_L (1u << EVTCHN_FIFO_LINKED)

static int setup(void **state)
{
	(void)state;
	shim_core_reset_log();
	shim_core_evtchn_reset();
	d = calloc(1, sizeof(*d));
	si = aligned_alloc(4096, 4096);
	own = aligned_alloc(4096, 4096 * NR_OWN);
	if (!d || !si || !own)
		return -1;
	memset(si, 0, 4096);
	memset(own, 0, 4096 * NR_OWN);
	shim_core_own_mem = own;
	shim_core_own_gfn = OWN_GFN;
	shim_core_own_pages = NR_OWN;
	d->id = 3;
	d->abi.shared_info = si;
	d->nr_vcpus = 2;
	for (unsigned int i = 0; i < 2; i++) {
		vc[i] = calloc(1, sizeof(struct vcpu));
		if (!vc[i])
			return -1;
		vc[i]->id = i;
		vc[i]->domain = d;
		vc[i]->vcpu_info = &si->vcpu_info[i];
		d->vcpus[i] = vc[i];
	}
	return evtchn_domain_init(d);
}

static int teardown(void **state)
{
	(void)state;
	assert_false(spin_is_locked(&d->lock));
	evtchn_domain_destroy(d);
	assert_null(d->evtchn.fifo_state);
	free(vc[0]);
	free(vc[1]);
	free(si);
	free(own);
	shim_core_own_mem = NULL;
	free(d);
	return 0;
}

/* What Linux's FIFO driver does: control blocks for both vCPUs, one page of words, all masked. */
static void go_fifo(void)
{
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 0, 0), 0);
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 128, 1), 0);
	for (u32 p = 0; p < EVTCHN_FIFO_WORDS_PER_PAGE; p++)
		*word(p) = BIT_M;
	assert_int_equal(evtchn_fifo_expand_array(d, ARRAY_GFN), 0);
}

static u32 ipi(unsigned int vcpu)
{
	u32 port;

	assert_int_equal(evtchn_bind_ipi(d, vcpu, &port), 0);
	*word(port) &= ~BIT_M; /* the guest unmasks a port it bound */
	return port;
}

/* The guest consumes queue @q of @vcpu in order, as its upcall handler does: returns the count. */
static unsigned int consume(unsigned int vcpu, unsigned int q, u32 *out, unsigned int max)
{
	u32 head = cb(vcpu)->head[q];
	unsigned int n = 0;

	while (head && n < max) {
		u32 w = __atomic_fetch_and(word(head), ~(BIT_L | EVTCHN_FIFO_LINK_MASK),
					   __ATOMIC_SEQ_CST);

		if (w & BIT_P) {
			__atomic_fetch_and(word(head), ~BIT_P, __ATOMIC_SEQ_CST);
			out[n++] = head;
		}
		head = w & EVTCHN_FIFO_LINK_MASK;
	}
	cb(vcpu)->head[q] = 0;
	cb(vcpu)->ready &= ~(1u << q);
	return n;
}

/*
 * The guest side as Linux writes it: a HEAD of its own per queue, read from the control block
 * only when it reached the end last time (it never writes the control block's HEAD), the
 * READY word taken with an exchange and looked at again after each event.
 */
static u32 guest_head[2][EVTCHN_FIFO_MAX_QUEUES];

static unsigned int consume_as_linux(unsigned int vcpu, unsigned int q, u32 *out, unsigned int max)
{
	u32 ready = __atomic_exchange_n(&cb(vcpu)->ready, 0, __ATOMIC_SEQ_CST);
	unsigned int n = 0, guard = 0;

	while ((ready & (1u << q)) && n < max && guard++ < 64) {
		u32 port = guest_head[vcpu][q] ? guest_head[vcpu][q] : cb(vcpu)->head[q];
		u32 w = __atomic_fetch_and(word(port), ~(BIT_L | EVTCHN_FIFO_LINK_MASK),
					   __ATOMIC_SEQ_CST);
		u32 next = w & EVTCHN_FIFO_LINK_MASK;

		if (!next)
			ready &= ~(1u << q);
		if ((*word(port) & BIT_P) && !(*word(port) & BIT_M)) {
			__atomic_fetch_and(word(port), ~BIT_P, __ATOMIC_SEQ_CST);
			out[n++] = port;
		}
		guest_head[vcpu][q] = next;
		ready |= __atomic_exchange_n(&cb(vcpu)->ready, 0, __ATOMIC_SEQ_CST);
	}
	return n;
}

/*
 * Two ports queued together, both consumed, then the second (the recorded tail) raised again:
 * it must become the head again. It used to be linked after itself, and the guest, reading the
 * stale HEAD (the first port), never saw it, nor any later event of that port.
 */
static void test_consumed_tail_raised_again(void **state)
{
	const unsigned int q = EVTCHN_FIFO_PRIORITY_DEFAULT;
	u32 a, b, got[4];

	(void)state;
	memset(guest_head, 0, sizeof(guest_head));
	go_fifo();
	a = ipi(0);
	b = ipi(0);
	assert_int_equal(evtchn_send(d, a), 0);
	assert_int_equal(evtchn_send(d, b), 0);
	assert_int_equal(consume_as_linux(0, q, got, 4), 2);
	assert_int_equal(got[0], a);
	assert_int_equal(got[1], b);
	for (unsigned int round = 0; round < 3; round++) {
		assert_int_equal(evtchn_send(d, b), 0);
		assert_int_equal(*word(b) & EVTCHN_FIFO_LINK_MASK, 0); /* not its own successor */
		assert_int_equal(cb(0)->head[q], b);
		assert_true(cb(0)->ready & (1u << q));
		assert_int_equal(consume_as_linux(0, q, got, 4), 1);
		assert_int_equal(got[0], b);
	}
	/* And the pair again, then the first one alone. */
	assert_int_equal(evtchn_send(d, a), 0);
	assert_int_equal(evtchn_send(d, b), 0);
	assert_int_equal(consume_as_linux(0, q, got, 4), 2);
	assert_int_equal(evtchn_send(d, a), 0);
	assert_int_equal(consume_as_linux(0, q, got, 4), 1);
	assert_int_equal(got[0], a);
}

static void test_init_control_checks(void **state)
{
	(void)state;
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 0, 2), -EINVAL); /* no vCPU 2 */
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 0, 0xffffffffu), -EINVAL);
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 4, 0), -EINVAL); /* misaligned */
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 4096 - 64, 0),
			 -EINVAL);					    /* straddles */
	assert_int_equal(evtchn_fifo_init_control(d, 0x99, 0, 0), -EINVAL); /* not its RAM */
	assert_int_equal(evtchn_fifo_init_control(d, ~0ULL, 0, 0), -EINVAL);
	assert_false(d->evtchn.fifo);
	assert_int_equal(evtchn_fifo_expand_array(d, ARRAY_GFN), -EINVAL); /* before init_control */
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 4096 - 72, 0), 0);
	assert_true(d->evtchn.fifo);
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 0, 0), -EINVAL); /* twice */
	assert_int_equal(evtchn_fifo_expand_array(d, 0x99), -EINVAL);
	assert_int_equal(evtchn_fifo_expand_array(d, ARRAY_GFN), 0);
}

static void test_send_links_in_order(void **state)
{
	u32 a, b, c, got[8];

	(void)state;
	go_fifo();
	a = ipi(0);
	b = ipi(0);
	c = ipi(0);
	assert_int_equal(evtchn_send(d, b), 0);
	assert_int_equal(*word(b) & (BIT_P | BIT_L), BIT_P | BIT_L);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], b);
	assert_int_equal(cb(0)->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
	assert_int_equal(si->vcpu_info[0].upcall_pending, 1);
	assert_int_equal(shim_core_nr_kicks, 1);
	assert_int_equal(evtchn_send(d, a), 0);
	assert_int_equal(evtchn_send(d, c), 0);
	assert_int_equal(*word(b) & EVTCHN_FIFO_LINK_MASK, a);
	assert_int_equal(*word(a) & EVTCHN_FIFO_LINK_MASK, c);
	assert_int_equal(shim_core_nr_kicks, 1); /* the queue was already ready */
	/* Sending a linked port again does not link it twice. */
	assert_int_equal(evtchn_send(d, a), 0);
	assert_int_equal(consume(0, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 8), 3);
	assert_int_equal(got[0], b);
	assert_int_equal(got[1], a);
	assert_int_equal(got[2], c);
	assert_int_equal(si->evtchn_pending[0], 0); /* nothing went to the 2-level bitmaps */
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
}

static void test_consumed_tail_starts_new_queue(void **state)
{
	u32 a, b, got[4];

	(void)state;
	go_fifo();
	a = ipi(0);
	b = ipi(0);
	assert_int_equal(evtchn_send(d, a), 0);
	assert_int_equal(consume(0, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 4), 1);
	/* a was the tail and is now unlinked: b must become the head, not a's successor. */
	assert_int_equal(evtchn_send(d, b), 0);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], b);
	assert_int_equal(*word(a) & EVTCHN_FIFO_LINK_MASK, 0);
	assert_int_equal(consume(0, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 4), 1);
	assert_int_equal(got[0], b);
}

static void test_masked_then_unmask(void **state)
{
	u32 a, got[2];

	(void)state;
	go_fifo();
	a = ipi(1);
	*word(a) |= BIT_M;
	assert_false(evtchn_is_pending(d, a));
	assert_int_equal(evtchn_send(d, a), 0);
	assert_int_equal(*word(a) & (BIT_P | BIT_L), BIT_P); /* pending, not linked */
	/* SCHEDOP_poll sees it through the FIFO word, not the unused 2-level bitmap. */
	assert_true(evtchn_is_pending(d, a));
	assert_int_equal(si->evtchn_pending[a / 64] & (1ULL << (a % 64)), 0);
	assert_int_equal(cb(1)->ready, 0);
	assert_int_equal(shim_core_nr_kicks, 0);
	assert_int_equal(evtchn_unmask(d, a), 0);
	assert_int_equal(*word(a) & (BIT_P | BIT_L | BIT_M), BIT_P | BIT_L);
	assert_int_equal(cb(1)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
	assert_int_equal(si->vcpu_info[1].upcall_pending, 1);
	assert_ptr_equal(shim_core_kicks[0], vc[1]);
	assert_int_equal(consume(1, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 2), 1);
	/* Unmasking a port that is not pending links nothing. */
	assert_int_equal(evtchn_unmask(d, a), 0);
	assert_int_equal(cb(1)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], 0);
}

static void test_priorities(void **state)
{
	u32 a, b;

	(void)state;
	assert_int_equal(evtchn_fifo_set_priority(d, 1, 0), -EINVAL); /* not FIFO yet */
	go_fifo();
	a = ipi(0);
	b = ipi(0);
	assert_int_equal(evtchn_fifo_set_priority(d, a, EVTCHN_FIFO_PRIORITY_MIN + 1), -EINVAL);
	assert_int_equal(evtchn_fifo_set_priority(d, 0, 0), -EINVAL);
	assert_int_equal(evtchn_fifo_set_priority(d, 500, 0), -EINVAL); /* free port */
	assert_int_equal(evtchn_fifo_set_priority(d, EVTCHN_MAX_PORTS, 0), -EINVAL);
	assert_int_equal(evtchn_fifo_set_priority(d, a, EVTCHN_FIFO_PRIORITY_MAX), 0);
	assert_int_equal(evtchn_send(d, b), 0);
	assert_int_equal(evtchn_send(d, a), 0);
	assert_int_equal(cb(0)->head[0], a);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], b);
	assert_int_equal(cb(0)->ready, 1u | (1u << EVTCHN_FIFO_PRIORITY_DEFAULT));
}

static void test_rebound_port_does_not_chain_queues(void **state)
{
	u32 a, b, got[2];

	(void)state;
	go_fifo();
	/* A global VIRQ port: one that bind_vcpu may move. */
	assert_int_equal(evtchn_bind_virq(d, VIRQ_CONSOLE, 0, &a), 0);
	*word(a) &= ~BIT_M;
	b = ipi(0);
	evtchn_send_global_virq(d, VIRQ_CONSOLE);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
	assert_int_equal(consume(0, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 2), 1);
	/* a moves to vCPU 1 and is linked there; vCPU 0's stale tail is a. */
	assert_int_equal(evtchn_bind_vcpu(d, a, 1), 0);
	evtchn_send_global_virq(d, VIRQ_CONSOLE);
	assert_int_equal(cb(1)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
	assert_int_equal(evtchn_send(d, b), 0);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], b);
	assert_int_equal(*word(a) & EVTCHN_FIFO_LINK_MASK, 0); /* b did not join vCPU 1's queue */
}

static void test_pending_carried_from_2level(void **state)
{
	u32 a;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 0, &a), 0);
	assert_int_equal(evtchn_send(d, a), 0); /* 2-level: pending in shared_info */
	assert_true(si->evtchn_pending[0] & (1ULL << a));
	assert_int_equal(evtchn_fifo_init_control(d, CB_GFN, 0, 0), 0);
	/* A port with no word yet cannot be signalled, and nothing breaks. */
	assert_int_equal(evtchn_send(d, a), 0);
	memset(word(0), 0, 4096);
	assert_int_equal(evtchn_fifo_expand_array(d, ARRAY_GFN), 0);
	assert_int_equal(*word(a) & (BIT_P | BIT_L), BIT_P | BIT_L);
	assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
}

static void test_array_limit_and_reset(void **state)
{
	(void)state;
	go_fifo();
	for (unsigned int i = 1; i < 128; i++)
		assert_int_equal(evtchn_fifo_expand_array(d, ARRAY_GFN), 0);
	assert_int_equal(evtchn_fifo_expand_array(d, ARRAY_GFN), -ENOSPC);
	evtchn_fifo_reset(d);
	assert_false(d->evtchn.fifo);
	assert_int_equal(evtchn_fifo_expand_array(d, ARRAY_GFN), -EINVAL);
	/* Back on 2-level: sends go to shared_info again. */
	u32 a;

	assert_int_equal(evtchn_bind_ipi(d, 0, &a), 0);
	assert_int_equal(evtchn_send(d, a), 0);
	assert_true(si->evtchn_pending[0] & (1ULL << a));
	/* And FIFO can be set up again after the reset. */
	go_fifo();
}

static void test_hypercalls(void **state)
{
	struct evtchn_init_control c = {.control_gfn = CB_GFN, .offset = 0, .vcpu = 0};
	struct evtchn_expand_array e = {.array_gfn = ARRAY_GFN};
	struct evtchn_set_priority p = {.port = 1, .priority = 3};
	u64 args[5] = {EVTCHNOP_init_control, SHIM_CORE_GUEST_BASE};

	(void)state;
	memcpy(shim_core_guest_mem, &c, sizeof(c));
	assert_int_equal(do_event_channel_op(vc[0], args), 0);
	memcpy(&c, shim_core_guest_mem, sizeof(c));
	assert_int_equal(c.link_bits, EVTCHN_FIFO_LINK_BITS);
	memcpy(shim_core_guest_mem, &e, sizeof(e));
	args[0] = EVTCHNOP_expand_array;
	assert_int_equal(do_event_channel_op(vc[0], args), 0);
	args[0] = EVTCHNOP_set_priority;
	memcpy(shim_core_guest_mem, &p, sizeof(p));
	assert_int_equal(do_event_channel_op(vc[0], args), -EINVAL); /* port 1 unbound */
	ipi(0);
	assert_int_equal(do_event_channel_op(vc[0], args), 0);
	args[1] = 0x5000; /* unmapped argument */
	assert_int_equal(do_event_channel_op(vc[0], args), -EFAULT);
	args[0] = EVTCHNOP_init_control;
	assert_int_equal(do_event_channel_op(vc[0], args), -EFAULT);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_init_control_checks),
	    T(test_send_links_in_order),
	    T(test_consumed_tail_starts_new_queue),
	    T(test_consumed_tail_raised_again),
	    T(test_masked_then_unmask),
	    T(test_priorities),
	    T(test_rebound_port_does_not_chain_queues),
	    T(test_pending_carried_from_2level),
	    T(test_array_limit_and_reset),
	    T(test_hypercalls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
