/* Test guest pvabi: xen_version sub-ops, vcpu_info moved to our page, runstate and time areas, timers. */
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/errno.h>
#include <public/event_channel.h>
#include <public/hypercall.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>

#include <stddef.h>

void *memset(void *d, int c, size_t n); /* lib/string.c */
int memcmp(const void *a, const void *b, size_t n);

const char guest_name[] = "pvabi";

#define GUARD	     0xA5
#define NOT_RAM_GFN  0xC0000ull		/* 3 GiB: mapped by our page tables, no RAM there */
#define UNMAPPED_GVA (5ull << 30)	/* nothing is mapped above 4 GiB */
#define INFO_OFFSET  128		/* where in info_page the vcpu_info goes */
#define GIVE_UP_NS   (3000 * NS_PER_MS) /* a timer this late counts as lost */

static uint8_t info_page[4096] __attribute__((aligned(4096)));
static uint8_t area_page[4096] __attribute__((aligned(4096)));
static uint8_t buf[2048];
static volatile uint32_t timer_fired;

static void on_timer(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
	timer_fired++;
}

/* Call xen_version(@cmd) into buf (@size bytes, guarded behind): rc, FAIL if the guard moved. */
static long version_into(int cmd, unsigned int size)
{
	long rc;

	memset(buf, GUARD, sizeof(buf));
	rc = hv_xen_version(cmd, buf);
	for (unsigned int i = size; i < size + 64; i++)
		if (buf[i] != GUARD)
			test_fail("xen_version(%d) wrote byte %u, past its %u-byte buffer", cmd, i,
				  size);
	return rc;
}

static int has_nul(const uint8_t *s, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (!s[i])
			return 1;
	return 0;
}

static void check_xen_version(void)
{
	struct version_features f = {.submap_idx = 0, .submap = 0};
	struct xen_compile_info *ci = (struct xen_compile_info *)buf;
	long rc;

	TEST_CHECK(hv_xen_version(XENVER_version, 0) == (long)hv.version,
		   "XENVER_version differs from CPUID");
	TEST_CHECK(version_into(XENVER_extraversion, XENVER_EXTRAVERSION_LEN) == 0 &&
		       has_nul(buf, XENVER_EXTRAVERSION_LEN),
		   "extraversion");
	rc = version_into(XENVER_compile_info, sizeof(*ci));
	TEST_CHECK(rc == 0 && has_nul((uint8_t *)ci->compiler, 64) &&
		       has_nul((uint8_t *)ci->compile_by, 16) &&
		       has_nul((uint8_t *)ci->compile_domain, 32) &&
		       has_nul((uint8_t *)ci->compile_date, 32),
		   "compile_info: rc %ld or a field without NUL", rc);
	rc = version_into(XENVER_capabilities, XENVER_CAPABILITIES_LEN);
	TEST_CHECK(rc == 0 && has_nul(buf, XENVER_CAPABILITIES_LEN) &&
		       memcmp(buf, "hvm-3.0-x86_64", 14) == 0,
		   "capabilities: rc %ld '%s'", rc, (char *)buf);
	TEST_CHECK(version_into(XENVER_changeset, XENVER_CHANGESET_LEN) == 0 &&
		       has_nul(buf, XENVER_CHANGESET_LEN),
		   "changeset");
	TEST_CHECK(version_into(XENVER_platform_parameters, 8) == 0, "platform_parameters");
	TEST_CHECK(version_into(XENVER_guest_handle, XENVER_GUEST_HANDLE_LEN) == 0, "guest_handle");
	TEST_CHECK(hv_xen_version(XENVER_get_features, &f) == 0, "get_features");
	TEST_CHECK((f.submap & 0x305) == 0x305, "features %#x lack 0, 2, 8 or 9", f.submap);
	TEST_CHECK(!(f.submap & (1u << XENFEAT_hvm_pirqs)), "hvm_pirqs advertised");
	TEST_CHECK(!(f.submap & (1u << XENFEAT_dom0)), "dom0 advertised to a domU");
	f.submap_idx = 1;
	TEST_CHECK(hv_xen_version(XENVER_get_features, &f) == -EINVAL, "submap 1 must be -EINVAL");
	TEST_CHECK(hv_xen_version(XENVER_pagesize, 0) == 4096, "pagesize");
	rc = version_into(XENVER_commandline, XENVER_COMMANDLINE_LEN);
	TEST_CHECK(rc == -EPERM, "commandline for a domU: %ld, expected -EPERM", rc);
	TEST_CHECK(hv_xen_version(XENVER_build_id, buf) == -EPERM, "build_id for a domU");
	TEST_CHECK(hv_xen_version(11, buf) == -ENOSYS && hv_xen_version(999, buf) == -ENOSYS,
		   "unknown xen_version sub-ops must be -ENOSYS");
	con_printf("pvabi: xen_version sub-ops 0-10 answered, buffers kept to their sizes\n");
}

/* Wait (IF on, halting) until the timer count moves; FAIL after GIVE_UP_NS. */
static void wait_timer(uint32_t old, const char *what)
{
	uint64_t t0 = time_now_ns();

	irq_disable();
	while (timer_fired == old) {
		safe_halt();
		irq_disable();
		if (time_now_ns() - t0 > GIVE_UP_NS)
			test_fail("%s: no timer event within 3 s", what);
	}
	irq_enable();
}

static void check_vcpu_info(void)
{
	uint64_t gfn = (uint64_t)(uintptr_t)info_page >> 12;
	volatile struct vcpu_info *vi = (volatile struct vcpu_info *)(info_page + INFO_OFFSET);
	uint32_t mul = shinfo->vcpu_info[0].time.tsc_to_system_mul;
	uint64_t t0, t1;
	uint32_t old;
	long rc;

	/* Refused: straddling, outside RAM, over shared_info, absurd frames. */
	TEST_CHECK(vcpu_info_register(0, gfn, 4096 - 32) == -EINVAL, "straddling vcpu_info");
	TEST_CHECK(vcpu_info_register(0, NOT_RAM_GFN, 0) == -EINVAL, "vcpu_info outside RAM");
	TEST_CHECK(vcpu_info_register(0, (uint64_t)(uintptr_t)shinfo >> 12, 0) == -EINVAL,
		   "vcpu_info over the shared_info frame");
	TEST_CHECK(vcpu_info_register(0, 1ull << 52, 0) == -EINVAL, "vcpu_info at gfn 2^52");
	TEST_CHECK(vcpu_info_register(7, gfn, 0) == -ENOENT, "vcpu_info of vCPU 7");

	/* An event pending at the move (IF = 0 keeps it undelivered) must arrive afterwards. */
	memset(info_page, 0x5a, sizeof(info_page));
	irq_disable();
	old = timer_fired;
	TEST_CHECK(timer_set_abs(1) == 0, "singleshot in the past");
	t0 = time_now_ns();
	while (!shinfo->vcpu_info[0].upcall_pending && time_now_ns() - t0 < GIVE_UP_NS)
		cpu_relax();
	TEST_CHECK(shinfo->vcpu_info[0].upcall_pending, "the past timer did not flag an event");
	rc = vcpu_info_register(0, gfn, INFO_OFFSET);
	TEST_CHECK(rc == 0, "VCPUOP_register_vcpu_info returned %ld", rc);
	TEST_CHECK(vi->upcall_pending == 1 && vi->evtchn_pending_sel == ~0ull,
		   "new vcpu_info: upcall_pending %u, pending_sel %#lx", vi->upcall_pending,
		   (unsigned long)vi->evtchn_pending_sel);
	TEST_CHECK(!(vi->time.version & 1) && vi->time.tsc_to_system_mul == mul &&
		       vi->time.system_time != 0x5a5a5a5a5a5a5a5aull,
		   "new vcpu_info: its time was not refreshed");
	TEST_CHECK(info_page[INFO_OFFSET - 1] == 0x5a && info_page[INFO_OFFSET + 64] == 0x5a,
		   "Keel wrote outside the 64-byte vcpu_info");
	irq_enable();
	t0 = time_now_ns();
	while (timer_fired == old && time_now_ns() - t0 < GIVE_UP_NS)
		cpu_relax();
	TEST_CHECK(timer_fired != old, "the event pending at the move was never delivered");
	/* Fresh events reach the new place, and its clock runs. */
	old = timer_fired;
	t0 = time_now_ns();
	TEST_CHECK(timer_set_abs(t0 + 5 * NS_PER_MS) == 0, "singleshot");
	wait_timer(old, "after the move");
	t1 = time_now_ns();
	TEST_CHECK(t1 - t0 >= 5 * NS_PER_MS, "woke after %lu ns, before the deadline",
		   (unsigned long)(t1 - t0));
	TEST_CHECK(vcpu_info_register(0, gfn, 0) == -EINVAL, "a second registration must fail");
	con_printf("pvabi: vcpu_info moved to gfn %#lx+%u; pending event delivered; refusals ok\n",
		   (unsigned long)gfn, INFO_OFFSET);
}

/* One consistent copy of @rs, read the way Linux reads it. */
static void runstate_read(volatile struct runstate_info *rs, struct runstate_info *out)
{
	uint64_t t;

	do {
		t = rs->state_entry_time;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		out->state = rs->state;
		out->state_entry_time = rs->state_entry_time;
		for (int i = 0; i < 4; i++)
			out->time[i] = rs->time[i];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (rs->state_entry_time != t || (t & RUNSTATE_UPDATE));
}

static long register_runstate(uint64_t gva)
{
	struct vcpu_register_runstate_area a = {.addr = gva};

	return hv_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a);
}

static void check_runstate(void)
{
	volatile struct runstate_info *rs = (volatile struct runstate_info *)(area_page + 64);
	struct runstate_info a, b, k;
	uint64_t t0, blocked;
	uint32_t old;
	long rc;

	TEST_CHECK(hypercall(HYPERCALL_vm_assist, VMASST_CMD_enable, 2, 0, 0, 0) == -EINVAL,
		   "vm_assist writable_pagetables must be refused for PVH");
	TEST_CHECK(hypercall(HYPERCALL_vm_assist, 7, VMASST_TYPE_runstate_update_flag, 0, 0, 0) ==
		       -ENOSYS,
		   "vm_assist command 7");
	rc = hypercall(HYPERCALL_vm_assist, VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag, 0,
		       0, 0);
	TEST_CHECK(rc == 0, "vm_assist(enable, runstate_update_flag) returned %ld", rc);
	TEST_CHECK(register_runstate((uint64_t)(uintptr_t)area_page + 4096 - 40) == -EINVAL,
		   "a runstate area straddling a page");
	TEST_CHECK(register_runstate(UNMAPPED_GVA) == -EFAULT, "an unmapped runstate area");
	TEST_CHECK(register_runstate(NOT_RAM_GFN << 12) == -EINVAL, "a runstate area outside RAM");
	rc = register_runstate((uint64_t)(uintptr_t)rs);
	TEST_CHECK(rc == 0, "VCPUOP_register_runstate_memory_area returned %ld", rc);

	runstate_read(rs, &a);
	TEST_CHECK(a.state == RUNSTATE_running, "read by itself, the state is %d, not running",
		   a.state);
	TEST_CHECK(hv_vcpu_op(VCPUOP_get_runstate_info, 0, &k) == 0 && k.state == RUNSTATE_running,
		   "VCPUOP_get_runstate_info");
	/* Run, yield (a switch), run again: running time grows, the sum follows the clock. */
	for (int i = 0; i < 3; i++) {
		t0 = time_now_ns();
		while (time_now_ns() - t0 < 5 * NS_PER_MS)
			cpu_relax();
		hv_sched_op(SCHEDOP_yield, 0);
	}
	runstate_read(rs, &b);
	TEST_CHECK(b.state == RUNSTATE_running, "after yields, state %d", b.state);
	TEST_CHECK(b.time[RUNSTATE_running] >= a.time[RUNSTATE_running] + 10 * NS_PER_MS,
		   "running time grew by %lu ns over 15 ms of running",
		   (unsigned long)(b.time[RUNSTATE_running] - a.time[RUNSTATE_running]));
	TEST_CHECK(b.state_entry_time > a.state_entry_time && b.state_entry_time <= time_now_ns(),
		   "state_entry_time does not follow system time");

	/* SCHEDOP_block until a 20 ms timer: the blocked time grows by about that. */
	blocked = b.time[RUNSTATE_blocked];
	old = timer_fired;
	t0 = time_now_ns();
	TEST_CHECK(timer_set_abs(t0 + 20 * NS_PER_MS) == 0, "singleshot");
	while (timer_fired == old) {
		hv_sched_op(SCHEDOP_block, 0);
		if (time_now_ns() - t0 > GIVE_UP_NS)
			test_fail("SCHEDOP_block: the timer did not end it within 3 s");
	}
	runstate_read(rs, &b);
	TEST_CHECK(b.time[RUNSTATE_blocked] >= blocked + 15 * NS_PER_MS,
		   "blocked time grew by %lu ns across a 20 ms SCHEDOP_block",
		   (unsigned long)(b.time[RUNSTATE_blocked] - blocked));
	con_printf(
	    "pvabi: runstate running %lu us, runnable %lu us, blocked %lu us, offline %lu us\n",
	    (unsigned long)(b.time[0] / 1000), (unsigned long)(b.time[1] / 1000),
	    (unsigned long)(b.time[2] / 1000), (unsigned long)(b.time[3] / 1000));
}

static void check_time_area(void)
{
	volatile struct vcpu_time_info *t = (volatile struct vcpu_time_info *)(area_page + 512);
	struct vcpu_register_time_area a = {.addr = (uint64_t)(uintptr_t)(area_page + 4096 - 16)};
	uint64_t ns, mine;
	long rc;

	TEST_CHECK(hv_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &a) == -EINVAL,
		   "a straddling time area");
	a.addr = (uint64_t)(uintptr_t)t;
	rc = hv_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &a);
	TEST_CHECK(rc == 0, "VCPUOP_register_vcpu_time_memory_area returned %ld", rc);
	hv_sched_op(SCHEDOP_yield, 0);
	ns = time_now_ns();
	mine = pvclock_read(t, rdtsc_ordered);
	TEST_CHECK(!(t->version & 1) && t->tsc_to_system_mul == vcpu0_info->time.tsc_to_system_mul,
		   "the time area is not a pvclock record");
	TEST_CHECK(mine + 5 * NS_PER_MS > ns && mine < ns + 5 * NS_PER_MS,
		   "the time area says %lu ns, vcpu_info %lu ns", (unsigned long)mine,
		   (unsigned long)ns);
}

static long periodic(uint64_t period_ns)
{
	struct vcpu_set_periodic_timer p = {.period_ns = period_ns};

	return hv_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
}

static void check_timers(void)
{
	struct vcpu_set_singleshot_timer s = {.timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_future};
	uint32_t old, ticks;
	uint64_t t0;

	TEST_CHECK(hv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s) == -ETIME,
		   "a past singleshot with VCPU_SSHOTTMR_future must be -ETIME");
	TEST_CHECK(periodic(100000) == -EINVAL, "a 100 us period must be refused");
	old = timer_fired;
	TEST_CHECK(periodic(5 * NS_PER_MS) == 0, "VCPUOP_set_periodic_timer(5 ms)");
	t0 = time_now_ns();
	while (time_now_ns() - t0 < 60 * NS_PER_MS) {
		irq_disable();
		safe_halt();
		irq_enable();
	}
	TEST_CHECK(hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0) == 0, "stop_periodic_timer");
	ticks = timer_fired - old;
	TEST_CHECK(ticks >= 4 && ticks <= 14, "%u periodic ticks of 5 ms in 60 ms", ticks);
	old = timer_fired;
	t0 = time_now_ns();
	while (time_now_ns() - t0 < 30 * NS_PER_MS)
		cpu_relax();
	TEST_CHECK(timer_fired == old, "the periodic timer ticked after it was stopped");
	con_printf("pvabi: periodic timer: %u ticks of 5 ms in 60 ms, quiet once stopped\n", ticks);
}

void guest_main(void)
{
	evtchn_port_t port;
	long rc;

	test_require_hv();
	check_xen_version();
	rc = shared_info_map();
	rc = rc ? rc : events_init();
	rc = rc ? rc : events_bind_virq(VIRQ_TIMER, 0, &port, on_timer, 0);
	if (rc)
		test_fail("shared_info, callback vector or VIRQ_TIMER: %ld", rc);
	irq_enable();
	check_vcpu_info();
	check_runstate();
	check_time_area();
	check_timers();
	if (events_stray)
		test_fail("%u events arrived on ports without a handler", events_stray);
	test_pass();
}
