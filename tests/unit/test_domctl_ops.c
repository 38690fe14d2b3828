/* Unit tests: domctl's per-domain commands: their ranges, and the state they leave (pause, memory, vCPUs, sched). */
#include <keel/domain_mem.h>
#include <keel/guest_acpi.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/time.h>
#include <keel/types.h>
#include <public/hvm.h>
#include <public/sched.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mgmt_fixture.h"
#include "shim_core.h"

static u32 info_flags(u16 id)
{
	return dc_info(id).flags;
}

static void test_pause_self_refused(void **state)
{
	(void)state;
	assert_int_equal(dc_simple(KEEL_DOMCTL_pause, DOMID_SELF), -EINVAL);
	assert_int_equal(dc_simple(KEEL_DOMCTL_pause, 0), -EINVAL);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, DOMID_SELF), -EINVAL);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, 0), -EINVAL);
	assert_int_equal(mgmt.v0->pause_count, 0);
	assert_int_equal(info_flags(0), KEEL_DOMINFO_RUNNING | KEEL_DOMINFO_PRIVILEGED);
}

/* A new domain is paused; unpausing it needs vCPU 0's context; then it runs from there. */
static void test_unpause_starts_at_context(void **state)
{
	u16 id = mk_domain("start", 2, 0, 0);
	struct domain *d = shim_mgmt_live(id);

	(void)state;
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, id), -EINVAL); /* no context yet */
	assert_int_equal(dc_simple(KEEL_DOMCTL_pause, id), 0);	       /* never started: paused */
	assert_int_equal(info_flags(id), KEEL_DOMINFO_PAUSED);
	assert_int_equal(d->ctl.started, 0);
	assert_int_equal(dc_max_mem(id, RAM_1M), 0);
	assert_int_equal(dc_context(id, 1, 0x3000, 7), 0); /* vCPU 1 alone does not start it */
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, id), -EINVAL);
	assert_int_equal(dc_context(id, 0, 0x1000, 0x2000), 0);
	assert_int_equal(info_flags(id), KEEL_DOMINFO_PAUSED);
	assert_int_equal(d->vcpus[0]->sched.state,
			 SCHED_BLOCKED); /* up, but the domain is paused */
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, id), 0);
	assert_int_equal(info_flags(id), KEEL_DOMINFO_RUNNING);
	assert_int_equal(d->vcpus[0]->sched.state, SCHED_RUNNABLE);
	assert_int_equal(d->vcpus[0]->arch.gprs.rbx, 0x2000);
	assert_int_equal(d->vcpus[1]->sched.state, SCHED_BLOCKED); /* its guest brings it up */
	assert_int_equal(d->vcpus[1]->start_entry, 0x3000);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, id), 0); /* running: nothing to do */
	assert_int_equal(d->vcpus[0]->pause_count, 0);
}

/* getinfo follows pause and unpause, however often (the domain's pause count started at 0, so
 * after its first pause a running domain read "paused" for good). */
static void test_pause_unpause_flags(void **state)
{
	u16 id = mk_domain("pp", 2, 0, 0);
	struct domain *d = shim_mgmt_live(id);

	(void)state;
	start_domain(id);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(info_flags(id), KEEL_DOMINFO_RUNNING);
		assert_int_equal(dc_simple(KEEL_DOMCTL_pause, id), 0);
		assert_int_equal(dc_simple(KEEL_DOMCTL_pause, id), 0); /* once is enough */
		assert_int_equal(info_flags(id), KEEL_DOMINFO_PAUSED);
		assert_int_equal(d->vcpus[0]->sched.state, SCHED_BLOCKED);
		assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, id), 0);
		assert_int_equal(d->vcpus[0]->sched.state, SCHED_RUNNABLE);
	}
	assert_int_equal(d->pause_count, 0);
	assert_int_equal(dc_simple(KEEL_DOMCTL_pause, mgmt.domu->id), 0);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, mgmt.domu->id), 0);
	assert_int_equal(info_flags(mgmt.domu->id), KEEL_DOMINFO_RUNNING);
}

/*
 * A domain started at boot (common/domain_build.c) rather than by domctl is started too: pause
 * pauses it (it was taken for never started: a no-op), unpause does not start it a second time
 * (a second domain_unpause() hit vcpu_unpause()'s BUG_ON: Keel panicked), set_vcpu_context is
 * refused (it initialised vCPUs its guest brings up itself).
 */
static void test_boot_started_domain(void **state)
{
	struct domain *d = domain_create(DOMID_AUTO, "boot2", 2, false);

	(void)state;
	assert_non_null(d);
	shim_mgmt_boot_start(d);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, d->id), 0); /* running: nothing to do */
	assert_int_equal(d->vcpus[0]->pause_count, 0);
	assert_int_equal(dc_context(d->id, 1, 0x1000, 0), -EINVAL);
	assert_int_equal(d->vcpus[1]->start_state, VCPU_DOWN);
	assert_int_equal(dc_simple(KEEL_DOMCTL_pause, d->id), 0);
	assert_int_equal(d->vcpus[0]->pause_count, 1);
	assert_int_equal(d->vcpus[0]->sched.state, SCHED_BLOCKED);
	assert_int_equal(info_flags(d->id), KEEL_DOMINFO_PAUSED);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, d->id), 0);
	assert_int_equal(d->vcpus[0]->pause_count, 0);
	assert_int_equal(d->vcpus[0]->sched.state, SCHED_RUNNABLE);
	/* The fixture's domU too (one vCPU) */
	assert_int_equal(dc_simple(KEEL_DOMCTL_pause, mgmt.domu->id), 0);
	assert_int_equal(mgmt.vu->pause_count, 1);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, mgmt.domu->id), 0);
	assert_int_equal(mgmt.vu->pause_count, 0);
}

/* A domain that ended (shut down, crashed) is neither paused nor unpaused; getinfo says why. */
static void test_ended_domain(void **state)
{
	u16 kept = mk_domain("kept", 1, 0, 0),
	    gone = mk_domain("gone", 1, KEEL_CREATE_DESTROY_ON_END, 0);
	struct keel_domain_info i;

	(void)state;
	start_domain(kept);
	domain_shutdown(shim_mgmt_live(kept), SHUTDOWN_reboot);
	i = dc_info(kept);
	assert_int_equal(i.flags, KEEL_DOMINFO_SHUTDOWN);
	assert_int_equal(i.shutdown_reason, SHUTDOWN_reboot);
	assert_int_equal(dc_simple(KEEL_DOMCTL_pause, kept), -EINVAL);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, kept), -EINVAL);
	domain_crash(shim_mgmt_live(kept), "test");
	i = dc_info(kept);
	assert_int_equal(i.flags, KEEL_DOMINFO_CRASHED);
	assert_int_equal(i.shutdown_reason, SHUTDOWN_reboot); /* the reason it shut down with */
	assert_int_equal(dc_simple(KEEL_DOMCTL_destroy, kept), 0);
	/* Created with DESTROY_ON_END: its end destroys it. */
	domain_shutdown(shim_mgmt_live(gone), SHUTDOWN_poweroff);
	assert_int_equal(dc_simple(KEEL_DOMCTL_getinfo, gone), -ESRCH);
	shim_mgmt_reap();
	assert_int_equal(domains_alive(), 2);
}

static void test_max_vcpus(void **state)
{
	u16 id = mk_domain("mv", 3, 0, 0);

	(void)state;
	for (u32 n = 0; n <= DOMAIN_MAX_VCPUS + 1; n++) {
		dc_prep(KEEL_DOMCTL_max_vcpus, id)->u.max_vcpus.nr_vcpus = n;
		assert_int_equal(dc_call(), n == 3 ? 0 : -EINVAL);
	}
	for (u32 bit = 1; bit; bit <<= 31) { /* the pad is reserved like every other */
		struct keel_domctl *c = dc_prep(KEEL_DOMCTL_max_vcpus, id);

		c->u.max_vcpus.nr_vcpus = 3;
		c->u.max_vcpus.pad = bit;
		assert_int_equal(dc_call(), -EINVAL);
	}
	assert_int_equal(shim_mgmt_live(id)->nr_vcpus, 3);
}

static void test_max_mem(void **state)
{
	u16 id = mk_domain("mm", 1, 0, 0);
	struct domain *d = shim_mgmt_live(id);

	(void)state;
	assert_int_equal(dc_max_mem(id, (1ULL << 22) + 1), -EINVAL);
	assert_int_equal(dc_max_mem(id, ~0ULL), -EINVAL);
	assert_int_equal(dc_max_mem(id, 0), -EINVAL);	       /* the first sets the memory map: */
	assert_int_equal(dc_max_mem(id, RAM_1M - 1), -EINVAL); /* 1 MiB at least */
	assert_int_equal(d->mem.bytes, 0);
	assert_int_equal(dc_info(id).max_pages, 0);
	assert_int_equal(dc_max_mem(id, RAM_1M), 0);
	assert_int_equal(d->mem.bytes, RAM_1M * 4096ULL);
	assert_int_equal(dc_info(id).max_pages, RAM_1M);
	{ /* with the map, its ACPI tables: the RSDP at GUEST_ACPI_GPA, outside its RAM */
		char rsdp[8];

		assert_int_equal(domain_copy_from_gpa(d, rsdp, GUEST_ACPI_GPA, sizeof(rsdp)), 0);
		assert_memory_equal(rsdp, "RSD PTR ", 8);
		assert_int_equal(dc_info(id).pages, 0);
	}
	assert_int_equal(dc_max_mem(id, 1ULL << 22), 0);
	assert_int_equal(d->mem.bytes, RAM_1M * 4096ULL); /* the map stays as first set */
	assert_int_equal(dc_info(id).max_pages, 1ULL << 22);
	/* Never below what it has populated. */
	assert_int_equal(domain_populate_range(d, 0, 64 * 4096), 0);
	assert_int_equal(dc_info(id).pages, 64);
	assert_int_equal(dc_max_mem(id, 63), -EINVAL);
	assert_int_equal(dc_info(id).max_pages, 1ULL << 22);
	assert_int_equal(dc_max_mem(id, 64), 0);
	assert_int_equal(dc_info(id).max_pages, 64);
	assert_int_equal(dc_max_mem(id, 0), -EINVAL);
}

static void test_vcpu_context(void **state)
{
	u16 id = mk_domain("ctx", 3, 0, 0);
	struct domain *d = shim_mgmt_live(id);
	struct keel_domctl *c;

	(void)state;
	assert_int_equal(dc_context(id, 1, 0x1000, 0), -EINVAL); /* no memory map yet */
	assert_int_equal(dc_max_mem(id, RAM_1M), 0);
	assert_int_equal(dc_context(id, 3, 0x1000, 0), -EINVAL); /* vCPU 3 of 3 */
	assert_int_equal(dc_context(id, ~0u, 0x1000, 0), -EINVAL);
	assert_int_equal(dc_context(id, 1, 0, 0), -EINVAL);	   /* no entry */
	assert_int_equal(dc_context(id, 1, 0x100000, 0), -EINVAL); /* just past its RAM */
	assert_int_equal(dc_context(id, 1, 0xFC000000u, 0), -EINVAL);
	c = dc_prep(KEEL_DOMCTL_set_vcpu_context, id);
	c->u.vcpu_context =
	    (struct keel_domctl_vcpu_context){.vcpu = 1, .flags = 1, .entry = 0x1000};
	assert_int_equal(dc_call(), -EINVAL);
	assert_int_equal(d->vcpus[1]->start_state, VCPU_DOWN);
	assert_int_equal(dc_context(id, 1, 0xFFFFF, 5), 0); /* the last byte of its RAM */
	assert_int_equal(d->vcpus[1]->start_state, VCPU_INITIALISED);
	assert_int_equal(d->vcpus[1]->start_ebx, 5);
	assert_int_equal(dc_context(id, 1, 0x2000, 0), -EEXIST); /* once */
	assert_int_equal(dc_context(id, 0, 0x1000, 0), 0);
	assert_int_equal(dc_context(id, 0, 0x1000, 0), -EEXIST);
	assert_int_equal(dc_simple(KEEL_DOMCTL_unpause, id), 0);
	assert_int_equal(dc_context(id, 2, 0x1000, 0), -EINVAL); /* started */
	assert_int_equal(d->vcpus[2]->start_state, VCPU_DOWN);
}

static void test_hvm_param(void **state)
{
	u16 id = mk_domain("hvm", 1, 0, 0);
	struct domain *d = shim_mgmt_live(id);
	struct keel_domctl *c;

	(void)state;
	/* The toolstack's four (its rings) are set; every other index is the guest's own. */
	for (u32 index = 0; index <= 65; index++) {
		bool ours = index == HVM_PARAM_STORE_PFN || index == HVM_PARAM_STORE_EVTCHN ||
			    index == HVM_PARAM_CONSOLE_PFN || index == HVM_PARAM_CONSOLE_EVTCHN;

		c = dc_prep(KEEL_DOMCTL_set_hvm_param, id);
		c->u.hvm_param.index = index;
		c->u.hvm_param.value = 0x1234500 + index;
		assert_int_equal(dc_call(), ours ? 0 : -EINVAL);
		c = dc_prep(KEEL_DOMCTL_get_hvm_param, id);
		c->u.hvm_param.index = index;
		assert_int_equal(dc_call(), index < 64 ? 0 : -EINVAL);
		if (index < 64)
			assert_int_equal(c->u.hvm_param.value, ours ? 0x1234500 + index : 0);
		if (index < 64)
			assert_int_equal(d->abi.hvm_params[index], ours ? 0x1234500 + index : 0);
	}
	c = dc_prep(KEEL_DOMCTL_set_hvm_param, id);
	c->u.hvm_param = (struct keel_domctl_hvm_param){.index = 1, .pad = 1, .value = 9};
	assert_int_equal(dc_call(), -EINVAL);
	assert_int_equal(d->abi.hvm_params[1], 0x1234501); /* unchanged */
	c = dc_prep(KEEL_DOMCTL_get_hvm_param, id);
	c->u.hvm_param = (struct keel_domctl_hvm_param){.index = 62, .pad = 0x80000000u};
	assert_int_equal(dc_call(), -EINVAL);
	c = dc_prep(KEEL_DOMCTL_get_hvm_param, id);
	c->u.hvm_param.index = 0xFFFFFFFFu;
	assert_int_equal(dc_call(), -EINVAL);
}

static long set_affinity(u16 id, u32 vcpu, u64 cpumap, u32 pad)
{
	struct keel_domctl *c = dc_prep(KEEL_DOMCTL_set_affinity, id);

	c->u.affinity = (struct keel_domctl_affinity){.vcpu = vcpu, .pad = pad, .cpumap = cpumap};
	return dc_call();
}

static u64 get_affinity(u16 id, u32 vcpu)
{
	struct keel_domctl *c = dc_prep(KEEL_DOMCTL_get_affinity, id);

	c->u.affinity.vcpu = vcpu;
	assert_int_equal(dc_call(), 0);
	return c->u.affinity.cpumap;
}

/* A vCPU's hard affinity: a non-empty set of CPUs that exist (4 here). */
static void test_affinity_ranges(void **state)
{
	u16 id = mk_domain("aff", 2, 0, 0);
	struct keel_domctl *c;

	(void)state;
	assert_int_equal(get_affinity(id, 1), ~0ULL); /* unpinned */
	assert_int_equal(set_affinity(id, 1, 0, 0), -EINVAL);
	assert_int_equal(set_affinity(id, 1, 1ULL << 4, 0), -EINVAL); /* CPU 4 does not exist */
	assert_int_equal(set_affinity(id, 1, 0x1F, 0), -EINVAL);
	assert_int_equal(set_affinity(id, 1, 1ULL << 63, 0), -EINVAL);
	assert_int_equal(set_affinity(id, 2, 1, 0), -EINVAL); /* vCPU 2 of 2 */
	assert_int_equal(set_affinity(id, 1, 1, 1), -EINVAL);
	assert_int_equal(get_affinity(id, 1), ~0ULL);
	c = dc_prep(KEEL_DOMCTL_get_affinity, id);
	c->u.affinity = (struct keel_domctl_affinity){.vcpu = 2};
	assert_int_equal(dc_call(), -EINVAL);
	c = dc_prep(KEEL_DOMCTL_get_affinity, id);
	c->u.affinity = (struct keel_domctl_affinity){.vcpu = 0, .pad = 4};
	assert_int_equal(dc_call(), -EINVAL);
}

/*
 * A valid set_affinity succeeds (it returned the scheduler's "CPU to kick" as its result: -1,
 * -EPERM, or the CPU number), and a vCPU running on a CPU it may no longer use is made to leave.
 */
static void test_affinity_set(void **state)
{
	u16 id = mk_domain("aff", 2, 0, 0);
	struct vcpu *v = shim_mgmt_live(id)->vcpus[0];
	struct sched_decision dec;
	unsigned int cpu, kicks;

	(void)state;
	assert_int_equal(set_affinity(id, 1, 0x3, 0), 0); /* never run: applies when woken */
	assert_int_equal(get_affinity(id, 1), 0x3);
	assert_int_equal(set_affinity(id, 1, 0xF, 0), 0); /* every CPU there is */
	assert_int_equal(get_affinity(id, 1), 0xF);
	start_domain(id);
	cpu = v->sched.cpu;
	dec = sched_schedule(cpu, now_ns(), false); /* its CPU picks it: it runs there */
	assert_ptr_equal(dec.next, &v->sched);
	assert_int_equal(v->sched.state, SCHED_RUNNING);
	kicks = shim_core_softirq_remote[cpu][SOFTIRQ_SCHEDULE];
	assert_int_equal(set_affinity(id, 0, 0xF & ~(1ULL << cpu), 0), 0);
	assert_int_equal(shim_core_softirq_remote[cpu][SOFTIRQ_SCHEDULE], kicks + 1);
	assert_int_equal(get_affinity(id, 0), 0xF & ~(1ULL << cpu));
	assert_int_equal(set_affinity(id, 0, 0xF, 0), 0); /* allowed where it is: no kick */
	assert_int_equal(shim_core_softirq_remote[cpu][SOFTIRQ_SCHEDULE], kicks + 1);
	sched_release(&v->sched);
}

/* Weight 1..65535 and cap 0..100 x CPUs, set on every vCPU; get reads vCPU 0's. */
static void test_sched(void **state)
{
	u16 id = mk_domain("sch", 3, 0, 0);
	struct domain *d = shim_mgmt_live(id);
	const struct {
		u32 weight, cap;
		long rc;
	} cases[] = {
	    {0, 0, -EINVAL},   {1, 0, 0},	  {65535, 0, 0},       {65536, 0, -EINVAL},
	    {~0u, 0, -EINVAL}, {100, 400, 0},	  {100, 401, -EINVAL}, {100, ~0u, -EINVAL},
	    {300, 50, 0},      {0, 401, -EINVAL},
	};
	u32 weight = SCHED_DEFAULT_WEIGHT, cap = 0;

	(void)state;
	for (unsigned int n = 0; n < sizeof(cases) / sizeof(cases[0]); n++) {
		struct keel_domctl *c = dc_prep(KEEL_DOMCTL_set_sched, id);

		c->u.sched.weight = cases[n].weight;
		c->u.sched.cap = cases[n].cap;
		assert_int_equal(dc_call(), cases[n].rc);
		if (!cases[n].rc) {
			weight = cases[n].weight;
			cap = cases[n].cap;
		}
		for (unsigned int v = 0; v < 3; v++) {
			assert_int_equal(d->vcpus[v]->sched.weight, weight);
			assert_int_equal(d->vcpus[v]->sched.cap, cap);
		}
		c = dc_prep(KEEL_DOMCTL_get_sched, id);
		assert_int_equal(dc_call(), 0);
		assert_int_equal(c->u.sched.weight, weight);
		assert_int_equal(c->u.sched.cap, cap);
	}
}

static int setup_64_cpus(void **state)
{
	shim_mgmt_nr_cpus = 64;
	return mgmt_setup(state);
}

static int teardown_64_cpus(void **state)
{
	int rc = mgmt_teardown(state);

	shim_mgmt_nr_cpus = 4;
	return rc;
}

/* With 64 CPUs every bit names one: a full map and CPU 63 alone are fine; cap up to 6400. */
static void test_affinity_sched_64_cpus(void **state)
{
	u16 id = mk_domain("big", 1, 0, 0);
	struct keel_domctl *c;

	(void)state;
	assert_int_equal(set_affinity(id, 0, 1ULL << 63, 0), 0);
	assert_int_equal(get_affinity(id, 0), 1ULL << 63);
	assert_int_equal(set_affinity(id, 0, ~0ULL, 0), 0);
	assert_int_equal(get_affinity(id, 0), ~0ULL);
	assert_int_equal(set_affinity(id, 0, 0, 0), -EINVAL);
	c = dc_prep(KEEL_DOMCTL_set_sched, id);
	c->u.sched.weight = 1;
	c->u.sched.cap = 6400;
	assert_int_equal(dc_call(), 0);
	c = dc_prep(KEEL_DOMCTL_set_sched, id);
	c->u.sched.weight = 1;
	c->u.sched.cap = 6401;
	assert_int_equal(dc_call(), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, mgmt_setup, mgmt_teardown)
	    T(test_pause_self_refused),
	    T(test_unpause_starts_at_context),
	    T(test_ended_domain),
	    T(test_max_vcpus),
	    T(test_max_mem),
	    T(test_vcpu_context),
	    T(test_hvm_param),
	    T(test_affinity_ranges),
	    T(test_sched),
	    T(test_affinity_set),
	    T(test_boot_started_domain),
	    T(test_pause_unpause_flags),
#undef T
	    cmocka_unit_test_setup_teardown(test_affinity_sched_64_cpus, setup_64_cpus,
					    teardown_64_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
