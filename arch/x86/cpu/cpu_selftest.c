/* The `selftest` CPU checks: IPIs, timer ticks, TSCs, and every CPU's control registers alike. */
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/smp.h>
#include <keel/errno.h>
#include <keel/main.h>
#include <keel/printk.h>
#include <keel/time.h>

#define TSC_ROUNDS 50
/* The most two CPUs' TSCs may disagree: 100 microseconds. */
#define TSC_SKEW_MAX_US 100
/* How long a CPU may take to start a cross-CPU call before the check fails: 1 s. */
#define CALL_TIMEOUT_NS 1000000000ULL

static int check_ipis(char *why, size_t len)
{
	for (unsigned int c = 1; c < MAX_CPUS; c++) {
		struct percpu *p = cpu_table[c];
		u64 before;

		if (!p || !p->online)
			continue;
		before = READ_ONCE(p->ipi_pings);
		smp_ping(c);
		for (int t = 0; t < 100000 && READ_ONCE(p->ipi_pings) == before; t++)
			udelay(1);
		if (READ_ONCE(p->ipi_pings) == before) {
			snprintf(why, len, "CPU %u did not answer an IPI", c);
			return -ETIMEDOUT;
		}
	}
	pr_info("selftest: every CPU answered an IPI");
	return 0;
}

static int check_timers(char *why, size_t len)
{
	u64 before[MAX_CPUS] = {0};

	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (cpu_table[c])
			before[c] = READ_ONCE(cpu_table[c]->timer_ticks);
	udelay(50000); /* 5 ticks at 100 Hz */
	for (unsigned int c = 0; c < MAX_CPUS; c++) {
		struct percpu *p = cpu_table[c];

		if (p && p->online && READ_ONCE(p->timer_ticks) < before[c] + 2) {
			snprintf(why, len, "CPU %u's timer did not fire (%llu ticks in 50 ms)", c,
				 READ_ONCE(p->timer_ticks) - before[c]);
			return -ETIMEDOUT;
		}
	}
	pr_info("selftest: every CPU's timer fires");
	return 0;
}

/* Causality check: a TSC read after seeing another CPU's TSC value must not be smaller. */
static volatile u64 tsc_seen;
static void sample_after(void *arg)
{
	u64 theirs = READ_ONCE(tsc_seen);
	u64 mine = rdtsc();

	*(s64 *)arg = (s64)(theirs - mine); /* > 0: this CPU's TSC is behind */
}

static void sample_store(void *arg)
{
	*(volatile u64 *)arg = rdtsc();
}

/*
 * The worst amount by which CPU @c's TSC lags (or, with @ahead, leads) CPU 0's. A call CPU @c does
 * not start in time is cancelled (so the samples on this stack are safe) and fails the check.
 */
static int tsc_worst(unsigned int c, bool ahead, s64 *worst)
{
	for (int r = 0; r < TSC_ROUNDS; r++) {
		s64 behind = 0;
		u64 theirs = 0;
		int rc;

		WRITE_ONCE(tsc_seen, rdtsc());
		rc = smp_call_on(c, ahead ? sample_store : sample_after,
				 ahead ? (void *)&theirs : (void *)&behind, CALL_TIMEOUT_NS);
		if (rc)
			return rc;
		if (ahead)
			behind = (s64)(READ_ONCE(theirs) - rdtsc());
		*worst = MAX(*worst, behind);
	}
	return 0;
}

static int check_tsc(char *why, size_t len)
{
	u64 limit = TSC_SKEW_MAX_US * tsc_khz / 1000;
	s64 worst = 0;

	for (unsigned int c = 1; c < MAX_CPUS; c++) {
		if (!cpu_table[c] || !cpu_table[c]->online)
			continue;
		s64 lag = 0, lead = 0;
		int rc = tsc_worst(c, false, &lag);

		if (!rc)
			rc = tsc_worst(c, true, &lead);
		if (rc == -ETIMEDOUT) {
			snprintf(why, len, "CPU %u did not start a cross-CPU call within 1 s", c);
			return rc;
		}
		if (rc) {
			snprintf(why, len, "CPU %u did not run the TSC check (error %d)", c, rc);
			return rc;
		}
		if ((u64)lag > limit || (u64)lead > limit) {
			snprintf(
			    why, len,
			    "CPU %u's TSC disagrees with CPU 0's (lags %lld, leads %lld ticks)", c,
			    lag, lead);
			return -ERANGE;
		}
		worst = MAX(worst, MAX(lag, lead));
	}
	pr_info("selftest: TSCs agree (worst disagreement %lld ticks, limit %llu)", worst, limit);
	return 0;
}

static void read_control(void *arg)
{
	u64 *cr = arg;

	cr[0] = read_cr0();
	cr[1] = read_cr4();
}

/*
 * Every CPU runs with the boot CPU's CR0 and CR4 (caches on, WP, SMEP, the FPU bits): an AP
 * that kept what INIT left (CR0.CD/NW set) would run without caches.
 */
static int check_control_regs(char *why, size_t len)
{
	u64 mine[2];

	read_control(mine);
	if (mine[0] & (CR0_CD | CR0_NW)) {
		snprintf(why, len, "CPU 0 runs with caches off (CR0 %#llx)", mine[0]);
		return -EINVAL;
	}
	for (unsigned int c = 1; c < MAX_CPUS; c++) {
		u64 theirs[2] = {0, 0};
		int rc;

		if (!cpu_table[c] || !cpu_table[c]->online)
			continue;
		rc = smp_call_on(c, read_control, theirs, CALL_TIMEOUT_NS);
		if (rc) {
			snprintf(why, len, "CPU %u did not report its control registers (error %d)",
				 c, rc);
			return rc;
		}
		if (theirs[0] != mine[0] || theirs[1] != mine[1]) {
			snprintf(why, len,
				 "CPU %u runs with CR0 %#llx CR4 %#llx, CPU 0 with %#llx %#llx", c,
				 theirs[0], theirs[1], mine[0], mine[1]);
			return -EINVAL;
		}
	}
	pr_info("selftest: every CPU runs with CR0 %#llx CR4 %#llx", mine[0], mine[1]);
	return 0;
}

int arch_selftest_cpus(char *why, size_t len)
{
	int rc = check_ipis(why, len);

	if (!rc)
		rc = check_control_regs(why, len);

	if (!rc)
		rc = check_timers(why, len);
	if (!rc)
		rc = check_tsc(why, len);
	return rc;
}
