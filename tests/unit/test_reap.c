/*
 * Unit tests: reaping a dying domain against a CPU that was just handed one of its vCPUs. The real
 * run loop, scheduler, vCPU, timer and domain-end code on threads as CPUs; a fake domain layer.
 */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/event_channel.h>
#include <keel/mm.h>
#include <keel/power.h>
#include <keel/pvclock.h>
#include <keel/runloop.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/time.h>
#include <keel/vcpu.h>

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shim_core.h"
#include "shim_spinlock_mt.h"

#define RUN_CPU	 1 /* the CPU that runs the domain's vCPU; CPU 0 (the test thread) reaps */
#define MAX_DOMS 4

/* ---- fakes for what the code under test needs around it ---- */

static struct domain *doms[MAX_DOMS];
static bool destroyed[MAX_DOMS];
/* kfree'd blocks kept until teardown (defer_frees), so that a test can assert what the old code
 * did instead of crashing on it; the stress test frees at once and lets ASan catch a late use. */
static void *graveyard[4096];
static unsigned int nr_graves;
static bool defer_frees;
static struct vcpu *entered[64]; /* vCPUs arch_vcpu_run was called for */
static unsigned int nr_entered;
static struct shim_gate gate;
static struct vcpu *stop_in_guest; /* arch_vcpu_run of this vCPU parks at the gate */
static _Thread_local bool on_run_cpu;
static bool stop_after_pick; /* RUN_CPU parks at the gate right after being handed a vCPU */

void *kmalloc(size_t size)
{
	return malloc(size);
}
void *kzalloc(size_t size)
{
	return calloc(1, size);
}
void kfree(void *p)
{
	if (!p)
		return;
	if (!defer_frees) {
		free(p);
		return;
	}
	if (nr_graves == ARRAY_SIZE(graveyard))
		abort();
	graveyard[__atomic_fetch_add(&nr_graves, 1, __ATOMIC_SEQ_CST)] = p;
}

void softirq_run(void) {}
bool softirq_take_schedule(void)
{
	return false;
}
bool softirq_pending(void)
{
	return false;
}
/* The after-run console flush: nothing to write in these tests. */
void domain_console_try_flush(struct domain *d) {}

void pvclock_update(struct vcpu *v)
{
	(void)v;
}
enum vcpu_leave arch_vcpu_run(struct vcpu *v, u64 slice_ns)
{
	(void)slice_ns;
	entered[__atomic_fetch_add(&nr_entered, 1, __ATOMIC_SEQ_CST) % ARRAY_SIZE(entered)] = v;
	if (v == stop_in_guest)
		shim_gate_wait_here(&gate);
	udelay(1000); /* it ran 1 ms */
	return VCPU_LEAVE_RESCHED;
}
int arch_vcpu_init(struct vcpu *v)
{
	(void)v;
	return 0;
}
void arch_vcpu_destroy(struct vcpu *v)
{
	(void)v;
}
void arch_vcpu_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx)
{
	v->arch.gprs.rbx = ebx;
	(void)entry;
}
void arch_vcpu_set_sipi_entry(struct vcpu *v, u8 vector)
{
	(void)v;
	(void)vector;
}
bool arch_vcpu_irq_pending(const struct vcpu *v)
{
	(void)v;
	return false;
}
void arch_vcpu_exit_stats(struct vcpu *v, void (*fn)(const char *name, u64 count, void *ctx),
			  void *ctx)
{
	(void)v;
	(void)fn;
	(void)ctx;
}
void arch_kick_cpu(unsigned int cpu)
{
	(void)cpu;
}
void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
	(void)v;
	(void)virq;
}
bool evtchn_is_pending(struct domain *d, u32 port)
{
	(void)d;
	(void)port;
	return false;
}
void heap_shrink(void) {}
void frames_get_stats(struct frame_stats *st)
{
	memset(st, 0, sizeof(*st));
}
void platform_poweroff(void)
{
	abort(); /* domains_started is never set here */
}
void platform_reboot(void)
{
	abort(); /* no domain here is dom0 */
}
int domain_rebuild(const void *cfg, u64 ran_ns)
{
	(void)cfg;
	(void)ran_ns;
	return 0;
}

static int dom_index(const struct domain *d)
{
	for (int i = 0; i < MAX_DOMS; i++)
		if (doms[i] == d)
			return i;
	return -1;
}

struct domain *domain_find_dying(void)
{
	for (int i = 0; i < MAX_DOMS; i++)
		if (doms[i] && !destroyed[i] && READ_ONCE(doms[i]->life.dying))
			return doms[i];
	return NULL;
}

/* The domain list as domain_end.c walks it (VIRQ_DOM_EXC): the doms[] slots not destroyed. */
struct domain *domain_get_next(int after)
{
	for (int i = 0; i < MAX_DOMS; i++)
		if (doms[i] && !destroyed[i] && (int)doms[i]->id > after)
			return doms[i];
	return NULL;
}
void domain_put(struct domain *d)
{
	(void)d;
}

/* Who got VIRQ_DOM_EXC. */
static struct domain *dom_exc_to[MAX_DOMS];
static unsigned int nr_dom_exc;
void evtchn_send_global_virq(struct domain *d, unsigned int virq)
{
	assert_int_equal(virq, VIRQ_DOM_EXC);
	assert_true(nr_dom_exc < MAX_DOMS);
	dom_exc_to[nr_dom_exc++] = d;
}

/* No grant maps in this test: a dying domain has nothing of others' mapped to give back. */
void grant_release_maps(struct domain *d)
{
	(void)d;
}

/* Nor foreign maps. */
void foreign_release_maps(struct domain *d)
{
	(void)d;
}

unsigned int domains_alive(void)
{
	unsigned int n = 0;

	for (int i = 0; i < MAX_DOMS; i++)
		n += doms[i] && !destroyed[i];
	return n;
}

void domain_destroy(struct domain *d)
{
	int i = dom_index(d);

	for (unsigned int n = 0; n < d->nr_vcpus; n++)
		vcpu_destroy(d->vcpus[n]);
	destroyed[i] = true;
	kfree(d);
}

/* A running domain with one vCPU allowed only on @cpu, queued there. */
static struct domain *make_domain(int slot, unsigned int cpu)
{
	struct domain *d = calloc(1, sizeof(*d));
	struct vcpu *v;

	assert_non_null(d);
	d->id = (u16)(slot + 1);
	snprintf(d->name, sizeof(d->name), "d%d", slot + 1);
	d->state = DOMAIN_RUNNING;
	v = vcpu_create(d, 0);
	assert_non_null(v);
	d->vcpus[0] = v;
	d->nr_vcpus = 1;
	sched_set_affinity(&v->sched, 1ULL << cpu, 0); /* not queued yet: it applies at the wake */
	assert_int_equal(vcpu_start_pvh(v, 0x100000, 0), 0);
	vcpu_unpause(v); /* vcpu_create leaves it paused ("not started") */
	assert_int_equal(v->sched.state, SCHED_RUNNABLE);
	assert_int_equal(v->sched.cpu, cpu);
	doms[slot] = d;
	return d;
}

/* Park RUN_CPU as it drops its run-queue lock, right after schedule() handed it a vCPU. */
static bool widen_windows; /* stress: RUN_CPU yields after every unlock */

static void park_after_pick(spinlock_t *lock)
{
	(void)lock;
	if (on_run_cpu && widen_windows)
		sched_yield();
	if (!on_run_cpu || !stop_after_pick)
		return;
	for (int i = 0; i < MAX_DOMS; i++) {
		if (doms[i] && !destroyed[i] && doms[i]->vcpus[0]->sched.state == SCHED_RUNNING) {
			stop_after_pick = false;
			shim_gate_wait_here(&gate);
			return;
		}
	}
}

static void *run_cpu_once(void *arg)
{
	(void)arg;
	shim_core_cpu = RUN_CPU;
	on_run_cpu = true;
	cpu_run_once(RUN_CPU, false);
	return NULL;
}

static bool was_entered(const struct vcpu *v)
{
	for (unsigned int i = 0; i < MIN(nr_entered, ARRAY_SIZE(entered)); i++)
		if (entered[i] == v)
			return true;
	return false;
}

static int setup(void **state)
{
	(void)state;
	shim_core_timer_reset();
	shim_core_reset_log();
	shim_gate_init(&gate);
	memset(doms, 0, sizeof(doms));
	memset(destroyed, 0, sizeof(destroyed));
	nr_entered = 0;
	stop_in_guest = NULL;
	stop_after_pick = false;
	defer_frees = true;
	shim_spin_unlock_hook = park_after_pick;
	sched_init(2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	shim_spin_unlock_hook = NULL;
	for (int i = 0; i < MAX_DOMS; i++)
		if (doms[i] && !destroyed[i])
			domain_destroy(doms[i]);
	for (unsigned int i = 0; i < nr_graves; i++)
		free(graveyard[i]);
	nr_graves = 0;
	return 0;
}

/*
 * The bug: CPU 1 has been handed the vCPU (schedule() returned it) but has not marked it
 * running yet; CPU 0 reaps the domain, which was crashed meanwhile, and frees the vCPU that
 * CPU 1 is about to run. Now the domain may only go once CPU 1 has let the vCPU go.
 */
static void test_reap_waits_for_cpu_just_handed_the_vcpu(void **state)
{
	struct domain *d;
	struct vcpu *v;
	pthread_t cpu1;
	bool destroyed_under_cpu1;

	(void)state;
	d = make_domain(0, RUN_CPU);
	v = d->vcpus[0];
	stop_after_pick = true;
	assert_int_equal(pthread_create(&cpu1, NULL, run_cpu_once, NULL), 0);
	shim_gate_await_arrival(&gate); /* CPU 1 holds the vCPU, has not started running it */

	domain_crash(d, "test: crashed while CPU %u was about to run it", RUN_CPU);
	domain_reap();
	destroyed_under_cpu1 = destroyed[0];

	shim_gate_open(&gate);
	pthread_join(cpu1, NULL);
	assert_false(destroyed_under_cpu1);
	assert_false(was_entered(v)); /* dying: CPU 1 did not enter the guest */
	assert_true(shim_core_softirq_remote[0][SOFTIRQ_SCHEDULE] > 0); /* it told CPU 0 */
	domain_reap();
	assert_true(destroyed[0]);
	assert_int_equal(shim_spin_held_here(), 0);
}

/* While the vCPU is in the guest on CPU 1, the domain is not destroyed either. */
static void test_reap_waits_for_vcpu_in_guest(void **state)
{
	struct domain *d;
	pthread_t cpu1;

	(void)state;
	d = make_domain(0, RUN_CPU);
	stop_in_guest = d->vcpus[0];
	assert_int_equal(pthread_create(&cpu1, NULL, run_cpu_once, NULL), 0);
	shim_gate_await_arrival(&gate);

	domain_crash(d, "test: crashed while in the guest on CPU %u", RUN_CPU);
	domain_reap();
	assert_false(destroyed[0]);
	shim_gate_open(&gate);
	pthread_join(cpu1, NULL);
	domain_reap();
	assert_true(destroyed[0]);
}

/* A domain's end reaches the privileged domain (VIRQ_DOM_EXC) at CPU 0's next reap, no other. */
static void test_end_notifies_privileged_domain(void **state)
{
	struct domain *ctl, *other, *d;

	(void)state;
	ctl = make_domain(0, 0);
	ctl->privileged = true;
	other = make_domain(1, 0);
	d = make_domain(2, 0);
	nr_dom_exc = 0;
	domain_reap();
	assert_int_equal(nr_dom_exc, 0); /* nothing ended yet */
	domain_shutdown(d, SHUTDOWN_poweroff);
	domain_reap();
	assert_int_equal(nr_dom_exc, 1);
	assert_ptr_equal(dom_exc_to[0], ctl);
	domain_reap();
	assert_int_equal(nr_dom_exc, 1); /* once per end */
	domain_crash(other, "test");
	domain_reap();
	assert_int_equal(nr_dom_exc, 2);
	assert_ptr_equal(dom_exc_to[1], ctl);
	domain_crash(ctl, "test");
	domain_reap();
	assert_int_equal(nr_dom_exc, 2); /* a dying controller is not told */
}

/* Once reaping has begun, the scheduler never hands the dying domain's vCPU to a CPU again. */
static void test_reaped_vcpu_is_never_handed_out(void **state)
{
	struct domain *dying, *live;
	struct vcpu *gone;
	pthread_t cpu1;

	(void)state;
	dying = make_domain(0, RUN_CPU);
	live = make_domain(1, RUN_CPU);
	gone = dying->vcpus[0];
	domain_crash(dying, "test: crashed while queued");
	domain_reap();
	assert_true(destroyed[0]);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_create(&cpu1, NULL, run_cpu_once, NULL), 0);
		pthread_join(cpu1, NULL);
	}
	assert_false(was_entered(gone));
	assert_true(was_entered(live->vcpus[0]));
}

/*
 * Many rounds of: CPU 1 runs its loop while CPU 0 crashes the domain and reaps at a moment that
 * moves a little every round. The vCPU must never be destroyed while CPU 1 holds it.
 */
static bool stress_stop;
static void *run_cpu_loop(void *arg)
{
	(void)arg;
	shim_core_cpu = RUN_CPU;
	on_run_cpu = true;
	while (!__atomic_load_n(&stress_stop, __ATOMIC_SEQ_CST))
		cpu_run_once(RUN_CPU, false);
	return NULL;
}

static void test_reap_stress(void **state)
{
	pthread_t cpu1;
	struct domain *filler;

	(void)state;
	defer_frees = false;
	widen_windows = true;
	filler = make_domain(1, RUN_CPU); /* keeps CPU 1 busy between rounds: it never idles */
	stress_stop = false;
	assert_int_equal(pthread_create(&cpu1, NULL, run_cpu_loop, NULL), 0);
	for (int round = 0; round < 300; round++) {
		struct domain *d;

		d = make_domain(0, RUN_CPU);
		/* Mostly strike while CPU 1 has been handed the vCPU, at a moment that varies. */
		for (int wait = 0;
		     wait < 100000 && READ_ONCE(d->vcpus[0]->sched.state) != SCHED_RUNNING; wait++)
			sched_yield();
		for (volatile int spin = 0; spin < (round % 37) * 50; spin++)
			;
		domain_crash(d, "test: round %d", round);
		for (int tries = 0; !destroyed[0]; tries++) {
			assert_true(tries < 10000000);
			domain_reap();
			sched_yield();
		}
		doms[0] = NULL;
		destroyed[0] = false;
	}
	__atomic_store_n(&stress_stop, true, __ATOMIC_SEQ_CST);
	pthread_join(cpu1, NULL);
	widen_windows = false;
	assert_false(filler->life.dying);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reap_waits_for_cpu_just_handed_the_vcpu, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reap_waits_for_vcpu_in_guest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reaped_vcpu_is_never_handed_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reap_stress, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_end_notifies_privileged_domain, setup, teardown),
	};

	alarm(120); /* a deadlock fails the run instead of hanging it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
