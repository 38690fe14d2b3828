/* Unit tests for a vCPU's PV state: runstate, SCHEDOP_poll, all-vCPUs-down power-off, guest timers. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/sched.h>
#include <public/shared_info.h>
#include <public/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

#define NR_VCPUS 3

static struct domain *d;

/* Only this domain exists for the event code's domain_get(). */
struct domain *domain_get(u16 id)
{
	return d && id == d->id ? d : NULL;
}

struct domain *domain_get_next(int after)
{
	return d && (int)d->id > after ? d : NULL;
}

void domain_put(struct domain *x)
{
	assert_ptr_equal(x, d);
}
static struct vcpu *vc[NR_VCPUS];
static struct shared_info *si;

/* What the code under test asked of the rest of Keel. */
static unsigned int nr_shutdowns, last_reason, nr_sleeps, nr_blocks, nr_pauses, nr_unpauses;

void sched_sleep(struct sched_unit *u, u64 now)
{
	nr_sleeps++;
}

void vcpu_unpause_wake(struct vcpu *v)
{
	runstate_wake(v, now_ns());
	vcpu_down_woken(v);
}

void vcpu_block(struct vcpu *v)
{
	nr_blocks++;
	WRITE_ONCE(v->blocked, true);
}

void vcpu_pause_nosync(struct vcpu *v)
{
	nr_pauses++;
	v->pause_count++;
}

void vcpu_unpause(struct vcpu *v)
{
	nr_unpauses++;
	v->pause_count--;
}

bool vcpu_event_pending(const struct vcpu *v)
{
	return v->vcpu_info && READ_ONCE(v->vcpu_info->upcall_pending);
}

bool vcpu_is_up(const struct vcpu *v)
{
	return v->start_state == VCPU_UP;
}

bool vcpu_log_once(struct vcpu *v, enum vcpu_log_once what)
{
	bool first = !(v->logged_once & what);

	v->logged_once |= what;
	return first;
}

enum vcpu_leave vcpu_leave_reason(const struct vcpu *v)
{
	if (d->state == DOMAIN_SHUTDOWN)
		return VCPU_LEAVE_DEAD;
	return v->blocked ? VCPU_LEAVE_BLOCKED : VCPU_STAY;
}

void domain_shutdown(struct domain *dom, unsigned int reason)
{
	assert_ptr_equal(dom, d);
	nr_shutdowns++;
	last_reason = reason;
	d->state = DOMAIN_SHUTDOWN;
}

static int setup(void **state)
{
	(void)state;
	shim_core_reset_log();
	shim_core_evtchn_reset();
	shim_core_timer_reset();
	nr_shutdowns = nr_sleeps = nr_blocks = nr_pauses = nr_unpauses = 0;
	last_reason = ~0u;
	d = calloc(1, sizeof(*d));
	si = aligned_alloc(4096, 4096);
	if (!d || !si)
		return -1;
	memset(si, 0, 4096);
	d->id = 3;
	d->abi.shared_info = si;
	d->nr_vcpus = NR_VCPUS;
	d->state = DOMAIN_RUNNING;
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		vc[i] = calloc(1, sizeof(struct vcpu));
		if (!vc[i])
			return -1;
		vc[i]->id = i;
		vc[i]->domain = d;
		vc[i]->vcpu_info = &si->vcpu_info[i];
		vc[i]->start_state = VCPU_UP;
		vcpu_timers_init(vc[i]);
		runstate_init(vc[i], 0);
		d->vcpus[i] = vc[i];
	}
	return evtchn_domain_init(d);
}

static int teardown(void **state)
{
	(void)state;
	assert_false(spin_is_locked(&d->lock));
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		assert_false(spin_is_locked(&vc[i]->pv.runstate_lock));
		vcpu_timers_stop(vc[i]);
		free(vc[i]);
	}
	evtchn_domain_destroy(d);
	free(si);
	free(d);
	return 0;
}

static u64 total(const struct runstate_info *r)
{
	return r->time[0] + r->time[1] + r->time[2] + r->time[3];
}

/* ---- runstate ---- */

static void test_runstate_accounting(void **state)
{
	struct vcpu *v = vc[0];
	struct runstate_info r;

	(void)state;
	runstate_get(v, &r);
	assert_int_equal(r.state, RUNSTATE_offline);
	runstate_wake(v, 100); /* started */
	runstate_sched_in(v, 250);
	runstate_get(v, &r);
	assert_int_equal(r.state, RUNSTATE_running);
	assert_int_equal(r.time[RUNSTATE_offline], 100);
	assert_int_equal(r.time[RUNSTATE_runnable], 150);
	assert_int_equal(r.state_entry_time, 250);

	v->blocked = true; /* SCHEDOP_block, then it leaves its CPU */
	runstate_sched_out(v, 1250);
	runstate_get(v, &r);
	assert_int_equal(r.state, RUNSTATE_blocked);
	assert_int_equal(r.time[RUNSTATE_running], 1000);
	v->blocked = false; /* its timer fires */
	runstate_wake(v, 5250);
	runstate_sched_in(v, 5300);
	runstate_sched_out(v, 5400); /* preempted */
	runstate_get(v, &r);
	assert_int_equal(r.state, RUNSTATE_runnable);
	assert_int_equal(r.time[RUNSTATE_blocked], 4000);
	assert_int_equal(r.time[RUNSTATE_running], 1100);
	assert_int_equal(r.time[RUNSTATE_runnable], 200);
	/* Every nanosecond is in exactly one state. */
	assert_int_equal(total(&r), r.state_entry_time);

	v->pause_count = 1; /* paused (domain pause, VCPUOP_down) */
	runstate_sched_in(v, 5500);
	runstate_sched_out(v, 5600);
	runstate_get(v, &r);
	assert_int_equal(r.state, RUNSTATE_offline);
	assert_int_equal(total(&r), 5600);
}

static void test_runstate_wake_while_running_and_clock_skew(void **state)
{
	struct vcpu *v = vc[1];
	struct runstate_info r;

	(void)state;
	runstate_sched_in(v, 1000);
	runstate_wake(v, 1100); /* it woke before it left its CPU: stays running */
	runstate_get(v, &r);
	assert_int_equal(r.state, RUNSTATE_running);
	assert_int_equal(r.state_entry_time, 1000);
	/* Another CPU's clock a little behind: the state changes, time is never charged backwards. */
	runstate_sched_out(v, 900);
	runstate_get(v, &r);
	assert_int_equal(r.state, RUNSTATE_runnable);
	assert_int_equal(r.state_entry_time, 1000);
	assert_int_equal(total(&r), 1000);
}

static void test_runstate_guest_area_and_update_flag(void **state)
{
	struct vcpu *v = vc[0];
	struct runstate_info area;

	(void)state;
	memset(&area, 0xff, sizeof(area));
	v->pv.runstate_area = &area;
	runstate_publish(v);
	assert_int_equal(area.state, RUNSTATE_offline);
	assert_int_equal(area.state_entry_time, 0);
	runstate_sched_in(v, 700);
	assert_int_equal(area.state, RUNSTATE_running);
	assert_int_equal(area.time[RUNSTATE_offline], 700);
	assert_int_equal(area.state_entry_time, 700);
	/* With the assist on, the update flag is set while writing and clear once done. */
	d->pv.vm_assist = 1ULL << VMASST_TYPE_runstate_update_flag;
	runstate_sched_out(v, 900);
	assert_int_equal(area.state, RUNSTATE_runnable);
	assert_int_equal(area.state_entry_time, 900);
	assert_false(area.state_entry_time & RUNSTATE_UPDATE);
	assert_int_equal(area.time[RUNSTATE_running], 200);
}

/* ---- SCHEDOP_poll ---- */

static u64 put_ports(const u32 *ports, unsigned int n)
{
	memcpy(shim_core_guest_mem, ports, n * sizeof(u32));
	return SHIM_CORE_GUEST_BASE;
}

static bool kicked(const struct vcpu *v)
{
	for (unsigned int i = 0; i < shim_core_nr_kicks && i < SHIM_CORE_KICKS_MAX; i++)
		if (shim_core_kicks[i] == v)
			return true;
	return false;
}

static void mask(u32 port)
{
	si->evtchn_mask[port / 64] |= 1ULL << (port % 64);
}

static void test_poll_bad_arguments(void **state)
{
	struct sched_poll p = {.ports = put_ports((u32[]){1, 2}, 2), .nr_ports = 2};

	(void)state;
	p.nr_ports = SCHED_POLL_MAX_PORTS + 1;
	assert_int_equal(sched_poll(vc[0], &p), -EINVAL);
	p.nr_ports = 2;
	p.ports = 0x1000; /* unmapped */
	assert_int_equal(sched_poll(vc[0], &p), -EFAULT);
	p.ports = put_ports((u32[]){1, EVTCHN_MAX_PORTS}, 2);
	assert_int_equal(sched_poll(vc[0], &p), -EINVAL);
	assert_false(vc[0]->blocked);
	assert_int_equal(d->pv.pollers, 0);
	assert_int_equal(nr_sleeps, 0);
}

static void test_poll_returns_at_once_if_pending(void **state)
{
	u32 a, b;
	struct sched_poll p;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 0, &a), 0);
	assert_int_equal(evtchn_bind_ipi(d, 0, &b), 0);
	mask(b);
	assert_int_equal(evtchn_send(d, b), 0); /* pending though masked */
	p = (struct sched_poll){.ports = put_ports((u32[]){a, b}, 2), .nr_ports = 2};
	assert_int_equal(sched_poll(vc[0], &p), 0);
	assert_false(vc[0]->blocked);
	assert_false(vc[0]->pv.polling);
	assert_int_equal(d->pv.pollers, 0);
	assert_int_equal(nr_sleeps, 0);
	/* A timeout already passed: also at once. */
	shim_core_now = 5000;
	p = (struct sched_poll){.ports = put_ports((u32[]){a}, 1), .nr_ports = 1, .timeout = 4000};
	assert_int_equal(sched_poll(vc[0], &p), 0);
	assert_false(vc[0]->blocked);
	assert_int_equal(nr_sleeps, 0);
}

/* vCPU 0 polls a masked port; vCPU 1 sends it (an IPI event): vCPU 0 is woken. */
static void test_poll_woken_by_masked_port(void **state)
{
	u32 mine, other;
	struct sched_poll p;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 0, &other), 0);
	assert_int_equal(evtchn_bind_ipi(d, 0, &mine), 0);
	mask(mine);
	p = (struct sched_poll){.ports = put_ports((u32[]){mine}, 1), .nr_ports = 1};
	assert_int_equal(sched_poll(vc[0], &p), 0);
	assert_true(vc[0]->blocked);
	assert_true(vc[0]->pv.polling);
	assert_int_equal(d->pv.pollers, 1u << 0);
	assert_int_equal(nr_sleeps, 1);
	/* Another port of the same vCPU, masked too: not one it polls. */
	mask(other);
	assert_int_equal(evtchn_send(d, other), 0);
	assert_false(kicked(vc[0]));
	/* The polled one: masked, so no upcall, but the poller wakes. */
	assert_int_equal(evtchn_send(d, mine), 0);
	assert_true(kicked(vc[0]));
	assert_int_equal(si->vcpu_info[0].upcall_pending, 0);
	/* Scheduled in again: the poll is over. */
	sched_poll_end(vc[0]);
	assert_false(vc[0]->pv.polling);
	assert_int_equal(d->pv.pollers, 0);
}

static void test_poll_timeout(void **state)
{
	u32 port;
	struct sched_poll p;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(d, 1, &port), 0);
	shim_core_now = 1000;
	p = (struct sched_poll){
	    .ports = put_ports((u32[]){port}, 1), .nr_ports = 1, .timeout = 3000};
	assert_int_equal(sched_poll(vc[1], &p), 0);
	assert_true(vc[1]->blocked);
	assert_int_equal(vc[1]->pv.poll_timer.deadline, 3000);
	shim_core_now = 2999;
	timer_run_expired();
	assert_false(kicked(vc[1]));
	shim_core_now = 3000;
	timer_run_expired();
	assert_true(kicked(vc[1]));
	sched_poll_end(vc[1]);
	assert_int_equal(vc[1]->pv.poll_timer.deadline, 0);
	/* No timeout, no ports: only a kick ends it; the next poll ends a stale one first. */
	p = (struct sched_poll){.ports = 0, .nr_ports = 0, .timeout = 0};
	assert_int_equal(sched_poll(vc[1], &p), 0);
	assert_true(vc[1]->pv.polling);
	assert_int_equal(vc[1]->pv.poll_timer.deadline, 0);
	vc[1]->blocked = false;
	p = (struct sched_poll){.ports = put_ports((u32[]){port}, 1), .nr_ports = 1};
	assert_int_equal(evtchn_send(d, port), 0);
	assert_int_equal(sched_poll(vc[1], &p), 0); /* pending: at once */
	assert_int_equal(d->pv.pollers, 0);
}

/* ---- every vCPU down ---- */

static void test_all_down_powers_off(void **state)
{
	(void)state;
	vc[2]->start_state = VCPU_INITIALISED; /* never started: does not count */
	for (unsigned int i = 0; i < 2; i++)
		vc[i]->upcall_vector = 0xf3;
	si->vcpu_info[0].upcall_pending = 1; /* stuck: IF = 0 never takes it */
	assert_int_equal(vcpu_halt(vc[0], false), VCPU_LEAVE_BLOCKED);
	assert_int_equal(vc[0]->pv.down, VCPU_DOWN_HALTED);
	assert_int_equal(nr_shutdowns, 0); /* vCPU 1 still runs */
	/* vCPU 1 halting with interrupts on is not down. */
	assert_int_equal(vcpu_halt(vc[1], true), VCPU_LEAVE_BLOCKED);
	assert_int_equal(vc[1]->pv.down, VCPU_NOT_DOWN);
	assert_int_equal(nr_shutdowns, 0);
	vc[1]->blocked = false;
	assert_int_equal(vcpu_halt(vc[1], false), VCPU_LEAVE_DEAD);
	assert_int_equal(nr_shutdowns, 1);
	assert_int_equal(last_reason, SHUTDOWN_poweroff);
	assert_true(shim_core_log_contains("every vCPU is down"));
	/* Once only. */
	d->state = DOMAIN_RUNNING;
	vcpu_halt(vc[1], false);
	assert_int_equal(nr_shutdowns, 1);
}

static void test_halt_woken_is_not_down(void **state)
{
	(void)state;
	vc[0]->upcall_vector = 0xf3;
	vcpu_halt(vc[0], false);
	assert_int_equal(vc[0]->pv.down, VCPU_DOWN_HALTED);
	vcpu_kick(vc[0]); /* recorded only; the real kick wakes it through vcpu_unpause_wake */
	vcpu_unpause_wake(vc[0]);
	assert_int_equal(vc[0]->pv.down, VCPU_NOT_DOWN);
	vc[0]->blocked = false;
	vc[1]->upcall_vector = vc[2]->upcall_vector = 0xf3;
	vcpu_halt(vc[1], false);
	vcpu_halt(vc[2], false);
	assert_int_equal(nr_shutdowns, 0); /* vCPU 0 runs again */
	/* A vCPU being started (VCPUOP_up under way) counts as running. */
	vc[0]->start_state = VCPU_STARTING;
	vc[0]->upcall_vector = 0;
	vc[1]->blocked = false;
	vcpu_halt(vc[1], false);
	assert_int_equal(nr_shutdowns, 0);
}

static void test_halt_without_vector_waits_for_its_timer(void **state)
{
	struct vcpu *v = vc[0];

	(void)state;
	shim_core_now = 100;
	assert_int_equal(vcpu_set_singleshot(v, 2000000, 0), 0);
	vc[1]->start_state = vc[2]->start_state = VCPU_DOWN;
	/* No callback vector, its own timer armed: an ordinary block (the timer event ends it). */
	assert_int_equal(vcpu_halt(v, false), VCPU_LEAVE_BLOCKED);
	assert_int_equal(nr_blocks, 1);
	assert_int_equal(v->pv.down, VCPU_NOT_DOWN);
	assert_int_equal(nr_shutdowns, 0);
	assert_true(shim_core_log_contains("halted with interrupts disabled"));
	/* An event already flagged: HLT falls through. */
	v->blocked = false;
	si->vcpu_info[0].upcall_pending = 1;
	assert_int_equal(vcpu_halt(v, false), VCPU_STAY);
	si->vcpu_info[0].upcall_pending = 0;
	/* Nothing armed any more: the only vCPU is down. */
	vcpu_stop_singleshot(v);
	assert_int_equal(vcpu_halt(v, false), VCPU_LEAVE_DEAD);
	assert_int_equal(nr_shutdowns, 1);
}

static void test_vcpu_down_op(void **state)
{
	(void)state;
	vc[2]->start_state = VCPU_DOWN;
	assert_int_equal(vcpu_down_op(vc[1]), 0);
	assert_int_equal(nr_pauses, 1);
	assert_true(vcpu_is_down_by_op(vc[1]));
	assert_int_equal(vcpu_down_op(vc[1]), 0); /* again: paused once */
	assert_int_equal(nr_pauses, 1);
	assert_int_equal(vcpu_down_op(vc[2]), 0); /* never started */
	assert_int_equal(nr_shutdowns, 0);
	/* Up again, then down with the other: the last one down powers off. */
	assert_true(vcpu_up_after_down(vc[1]));
	assert_false(vcpu_up_after_down(vc[1]));
	assert_int_equal(nr_unpauses, 1);
	assert_false(vcpu_is_down_by_op(vc[1]));
	assert_int_equal(vcpu_down_op(vc[1]), 0);
	vc[0]->upcall_vector = 0xf3;
	vcpu_halt(vc[0], false);
	assert_int_equal(nr_shutdowns, 1);
	assert_int_equal(last_reason, SHUTDOWN_poweroff);
}

/* ---- guest timers ---- */

static u32 bind_timer(struct vcpu *v)
{
	u32 port;

	assert_int_equal(evtchn_bind_virq(d, VIRQ_TIMER, v->id, &port), 0);
	return port;
}

static bool is_pending(u32 port)
{
	return si->evtchn_pending[port / 64] & (1ULL << (port % 64));
}

static void clear_pending(u32 port)
{
	si->evtchn_pending[port / 64] &= ~(1ULL << (port % 64));
	si->vcpu_info[0].evtchn_pending_sel = 0;
}

static void test_singleshot(void **state)
{
	struct vcpu *v = vc[0];
	u32 port = bind_timer(v);

	(void)state;
	shim_core_now = 10000;
	/* -ETIME only with the future flag; the timer is left as it was. */
	assert_int_equal(vcpu_set_singleshot(v, 20000, 0), 0);
	assert_int_equal(vcpu_set_singleshot(v, 9999, VCPU_SSHOTTMR_future), -ETIME);
	assert_int_equal(v->singleshot.deadline, 20000);
	assert_int_equal(vcpu_set_singleshot(v, 10000, VCPU_SSHOTTMR_future), 0); /* now: fine */
	/* In the past without the flag: 0, and it fires at once. */
	assert_int_equal(vcpu_set_singleshot(v, 5, 0), 0);
	assert_true(vcpu_timer_armed(v));
	timer_run_expired();
	assert_true(is_pending(port));
	assert_false(vcpu_timer_armed(v));
	clear_pending(port);
	/* Deadline 0 is the past too. */
	assert_int_equal(vcpu_set_singleshot(v, 0, 0), 0);
	timer_run_expired();
	assert_true(is_pending(port));
	clear_pending(port);
	/* Stopped: quiet. */
	assert_int_equal(vcpu_set_singleshot(v, 30000, 0), 0);
	vcpu_stop_singleshot(v);
	shim_core_now = 40000;
	timer_run_expired();
	assert_false(is_pending(port));
}

static void test_periodic(void **state)
{
	struct vcpu *v = vc[0];
	u32 port = bind_timer(v);

	(void)state;
	shim_core_now = 1000;
	assert_int_equal(vcpu_set_periodic(v, 999999), -EINVAL); /* under 1 ms */
	assert_int_equal(vcpu_set_periodic(v, 1ULL << 63), -EINVAL);
	assert_false(vcpu_timer_armed(v));
	assert_int_equal(vcpu_set_periodic(v, 1000000), 0);
	assert_true(vcpu_timer_armed(v));
	for (unsigned int i = 1; i <= 3; i++) {
		shim_core_now = 1000 + i * 1000000 - 1;
		timer_run_expired();
		assert_false(is_pending(port));
		shim_core_now++;
		timer_run_expired();
		assert_true(is_pending(port));
		clear_pending(port);
		assert_int_equal(v->pv.periodic.deadline, 1000 + (i + 1) * 1000000);
	}
	/* Far behind: missed ticks are dropped, the next is a period from now. */
	shim_core_now = 50000000;
	timer_run_expired();
	assert_true(is_pending(port));
	clear_pending(port);
	assert_int_equal(v->pv.periodic.deadline, 51000000);
	vcpu_stop_periodic(v);
	assert_false(vcpu_timer_armed(v));
	shim_core_now = 60000000;
	timer_run_expired();
	assert_false(is_pending(port));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_runstate_accounting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_runstate_wake_while_running_and_clock_skew, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_runstate_guest_area_and_update_flag, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_poll_bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poll_returns_at_once_if_pending, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poll_woken_by_masked_port, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poll_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_all_down_powers_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_halt_woken_is_not_down, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_halt_without_vector_waits_for_its_timer, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_vcpu_down_op, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_singleshot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_periodic, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
