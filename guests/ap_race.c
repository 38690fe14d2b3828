/* Test guest ap_race: two vCPUs race VCPUOP_initialise and VCPUOP_up for the same APs, twice. */
#include "console.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/errno.h>
#include <public/vcpu.h>

const char guest_name[] = "ap_race";

/*
 * vCPU 0 (racer A, this code) and vCPU 1 (racer B) race for every target vCPU 2..N-1: both call
 * VCPUOP_initialise at once, then both VCPUOP_up, then, while the target runs, both keep calling
 * both again. Exactly one initialise and one up may take effect; the target must enter once, with
 * the winner's entry state, and run on undisturbed (its registers and stack stay its own).
 */
#define RACER_B	      1
#define FIRST_TARGET  2
#define MAX_VCPUS     16
#define AP_STACK_SIZE 16384
#define B_EBX_OFFSET  8192 /* racer B's entry stack is this far below racer A's */
#define AGAIN_ROUNDS  40   /* calls on a running target, per racer */
#define WAIT_NS	      (20000 * NS_PER_MS)
#define WAIT_TSC      (400ull * 1000 * 1000 * 1000) /* fallback bound without a clock */

static uint8_t stacks[MAX_VCPUS][AP_STACK_SIZE] __attribute__((aligned(16)));
static unsigned int nr_vcpus;

/* Per target: what each racer got, and what the target saw. */
struct target_log {
	long init_rc[2], up_rc[2];
	unsigned int again_bad[2]; /* post-up calls with an unexpected result */
	long again_first_bad[2];
	volatile int entries;	  /* how often the target came in at its entry point */
	volatile uintptr_t frame; /* the target's first stack frame (tells whose EBX it got) */
	volatile int checks_ok;	  /* the target's own integrity loop passed */
	volatile int done;	  /* the racers are finished with this target */
	volatile int reported;	  /* the target is about to halt */
};
static struct target_log logs[MAX_VCPUS];

static volatile unsigned int arrivals;

static uint64_t deadline_tsc;
static uint64_t start_ns;

static int timed_out(void)
{
	if (shinfo)
		return time_now_ns() - start_ns > WAIT_NS;
	return rdtsc_ordered() > deadline_tsc;
}

/* Both racers meet here; @n counts meetings (the nth meeting waits for 2n arrivals). */
static void meet(unsigned int n)
{
	__atomic_add_fetch(&arrivals, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&arrivals, __ATOMIC_SEQ_CST) < 2 * n) {
		if (timed_out()) {
			if (hv_vcpu_id() == RACER_B)
				halt_forever();
			test_fail("racer B did not come to meeting %u", n);
		}
		cpu_relax();
	}
}

static uint32_t entry_ebx(unsigned int target, int racer)
{
	return (uint32_t)(uintptr_t)(stacks[target] + AP_STACK_SIZE) - (racer ? B_EBX_OFFSET : 0);
}

static uint64_t rotl1(uint64_t x)
{
	return (x << 1) | (x >> 63);
}

/* What a target runs: note the entry, then churn registers and its stack until released. */
static void target_main(void)
{
	int id = hv_vcpu_id();
	struct target_log *l;
	volatile uint64_t on_stack[16];
	uint64_t b = 0xfedcba9876543210ull, c = ~b, i = 0;
	int ok = 1;

	if (id < FIRST_TARGET || id >= (int)nr_vcpus)
		halt_forever();
	l = &logs[id];
	__atomic_add_fetch(&l->entries, 1, __ATOMIC_SEQ_CST);
	if (!l->frame)
		l->frame = (uintptr_t)__builtin_frame_address(0);
	for (int k = 0; k < 16; k++)
		on_stack[k] = 0x5a5a000000000000ull + (uint64_t)k;
	/*
	 * A Keel that reloaded this vCPU's entry state while it ran would send it back to its entry
	 * point (entries > 1) or zero its registers (b ^ c would no longer be all ones).
	 */
	while (!__atomic_load_n(&l->done, __ATOMIC_ACQUIRE)) {
		b = rotl1(b);
		c = rotl1(c);
		asm volatile("" : "+r"(b), "+r"(c));
		if ((b ^ c) != ~0ull)
			ok = 0;
		i++;
		cpu_relax();
	}
	for (int k = 0; k < 16; k++)
		if (on_stack[k] != 0x5a5a000000000000ull + (uint64_t)k)
			ok = 0;
	l->checks_ok = ok && i > 0 && l->entries == 1;
	__atomic_store_n(&l->reported, 1, __ATOMIC_RELEASE);
	/* Return: the library halts this vCPU with IF = 0. */
}

/* One racer's part for one target; @racer is 0 (A) or 1 (B). */
static void race_target(unsigned int t, int racer, unsigned int *meeting)
{
	struct vcpu_start_context ctx = {
	    .entry_eip = (uint32_t)(uintptr_t)pvh_ap_entry32,
	    .ebx = entry_ebx(t, racer),
	};
	struct target_log *l = &logs[t];

	meet(++*meeting);
	l->init_rc[racer] = hv_vcpu_op(VCPUOP_initialise, t, &ctx);
	meet(++*meeting);
	l->up_rc[racer] = hv_vcpu_op(VCPUOP_up, t, 0);
	meet(++*meeting);
	/* The target is up (or starting): race both calls on it again while it runs. */
	for (int k = 0; k < AGAIN_ROUNDS; k++) {
		long rc = hv_vcpu_op(VCPUOP_initialise, t, &ctx);

		if (rc != -EEXIST) {
			l->again_bad[racer]++;
			l->again_first_bad[racer] = rc;
		}
		rc = hv_vcpu_op(VCPUOP_up, t, 0);
		if (rc != 0 && rc != -EBUSY) {
			l->again_bad[racer]++;
			l->again_first_bad[racer] = rc;
		}
	}
	meet(++*meeting);
}

static void racer_b_main(void)
{
	unsigned int meeting = 0;

	if (hv_vcpu_id() != RACER_B) {
		target_main();
		return;
	}
	for (unsigned int t = FIRST_TARGET; t < nr_vcpus; t++)
		race_target(t, 1, &meeting);
}

/* Judge one target once both racers are through with it. */
static void judge(unsigned int t)
{
	struct target_log *l = &logs[t];
	int winner = -1;
	uintptr_t frame;

	/* Exactly one initialise succeeds; the other sees it done or under way. */
	if (l->init_rc[0] == 0 && l->init_rc[1] == -EEXIST)
		winner = 0;
	else if (l->init_rc[1] == 0 && l->init_rc[0] == -EEXIST)
		winner = 1;
	else
		test_fail("vCPU %u: racing VCPUOP_initialise returned %ld and %ld (want one 0, one "
			  "-EEXIST)",
			  t, l->init_rc[0], l->init_rc[1]);
	/* Both ups succeed or one is told another start is under way; never both busy. */
	for (int r = 0; r < 2; r++)
		if (l->up_rc[r] != 0 && l->up_rc[r] != -EBUSY)
			test_fail("vCPU %u: racer %c's VCPUOP_up returned %ld", t, 'A' + r,
				  l->up_rc[r]);
	if (l->up_rc[0] != 0 && l->up_rc[1] != 0)
		test_fail("vCPU %u: neither racing VCPUOP_up succeeded (%ld, %ld)", t, l->up_rc[0],
			  l->up_rc[1]);
	for (int r = 0; r < 2; r++)
		if (l->again_bad[r])
			test_fail("vCPU %u: %u calls by racer %c on the running vCPU returned "
				  "wrongly (e.g. %ld)",
				  t, l->again_bad[r], 'A' + r, l->again_first_bad[r]);
	if (hv_vcpu_op(VCPUOP_is_up, t, 0) != 1)
		test_fail("vCPU %u: VCPUOP_is_up is not 1 after the race", t);
	/* The target ran from the winner's entry state, once. */
	while (!l->frame || !l->entries) {
		if (timed_out())
			test_fail("vCPU %u never ran", t);
		cpu_relax();
	}
	frame = l->frame;
	if (frame > entry_ebx(t, winner) || frame < entry_ebx(t, winner) - 1024)
		test_fail("vCPU %u: runs on stack %#lx, not on racer %c's (EBX %#x), which won "
			  "VCPUOP_initialise",
			  t, (unsigned long)frame, 'A' + winner, entry_ebx(t, winner));
	__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&l->reported, __ATOMIC_ACQUIRE)) {
		if (timed_out())
			test_fail("vCPU %u did not finish its integrity loop", t);
		cpu_relax();
	}
	if (l->entries != 1)
		test_fail("vCPU %u entered at its entry point %d times: its state was reloaded", t,
			  l->entries);
	if (!l->checks_ok)
		test_fail("vCPU %u: its registers or stack changed under it", t);
	con_printf("ap_race: vCPU %u: initialise %ld/%ld, up %ld/%ld, won by racer %c, entered "
		   "once, ran undisturbed\n",
		   t, l->init_rc[0], l->init_rc[1], l->up_rc[0], l->up_rc[1], 'A' + winner);
}

void guest_main(void)
{
	struct vcpu_start_context ctx_b = {
	    .entry_eip = (uint32_t)(uintptr_t)pvh_ap_entry32,
	    .ebx = (uint32_t)(uintptr_t)(stacks[RACER_B] + AP_STACK_SIZE),
	};
	unsigned int meeting = 0;
	long rc;

	test_require_hv();
	if (shared_info_map() == 0)
		start_ns = time_now_ns();
	deadline_tsc = rdtsc_ordered() + WAIT_TSC;
	for (nr_vcpus = 1; nr_vcpus < MAX_VCPUS; nr_vcpus++)
		if (hv_vcpu_op(VCPUOP_is_up, nr_vcpus, 0) < 0)
			break;
	if (nr_vcpus < FIRST_TARGET + 1)
		test_fail("needs at least 3 vCPUs (has %u)", nr_vcpus);
	con_printf("ap_race: %u vCPUs: racers 0 and 1, targets 2..%u\n", nr_vcpus, nr_vcpus - 1);

	guest_ap_main = racer_b_main;
	rc = hv_vcpu_op(VCPUOP_initialise, RACER_B, &ctx_b);
	if (rc == 0)
		rc = hv_vcpu_op(VCPUOP_up, RACER_B, 0);
	if (rc)
		test_fail("starting racer B (vCPU 1) failed: %ld", rc);

	for (unsigned int t = FIRST_TARGET; t < nr_vcpus; t++) {
		race_target(t, 0, &meeting);
		judge(t);
	}
	test_pass();
}
