/* keel_main: after bring-up, run the self-test or crash test when asked, else idle. */
#include <keel/arch.h>
#include <keel/arch_vcpu.h>
#include <keel/cmdline.h>
#include <keel/console_input.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/domain_build.h>
#include <keel/main.h>
#include <keel/power.h>
#include <keel/printk.h>
#include <keel/runloop.h>
#include <keel/sched.h>

static bool opt_selftest;
static bool opt_crashtest;
static bool opt_help;
KEEL_PARAM_BOOL(selftest, opt_selftest,
		"run the built-in machine checks, print the verdict, power off");
KEEL_PARAM_BOOL(crashtest, opt_crashtest, "fault on purpose to show the fault dump and backtrace");
KEEL_PARAM_BOOL(help, opt_help, "list every command-line option at boot");

/* Deliberately dereference an unmapped address (kept out of line so it shows in the backtrace). */
static volatile unsigned long crashtest_addr = 0x10; /* a NULL-pointer dereference */

static __attribute__((noinline)) void crashtest_fault(void)
{
	volatile u64 *bad = (volatile u64 *)crashtest_addr;

	pr_info("keel: crashtest: touching an unmapped address on purpose");
	*bad = 1;
}

static __attribute__((noinline)) void crashtest_run(void)
{
	crashtest_fault();
	barrier();
}

/* No domain runs: power off as after the last domain, unless told to stay up. */
static __noreturn void keel_nothing_to_run(void)
{
	if (!keep_running_requested()) {
		pr_info("keel: no domain is running; powering off (keep_running stays up)");
		platform_poweroff();
	}
	pr_info("keel: no domain is running; idling (keep_running)");
	for (;;)
		__asm__ __volatile__("sti; hlt");
}

void keel_main(const struct boot_info *bi)
{
	if (opt_help)
		cmdline_print_help();
	if (opt_crashtest)
		crashtest_run();
	if (opt_selftest) {
		char why[128];

		if (selftest_run(why, sizeof(why)) == 0)
			pr_info("keel: selftest PASS");
		else
			pr_info("keel: selftest FAIL: %s", why);
		platform_poweroff();
	}
	if (!arch_virt_available()) {
		pr_err(
		    "keel: this machine cannot run guests (see the messages above): no domain started");
		keel_nothing_to_run();
	}
	sched_init(arch_nr_cpus());
	console_ring_init(); /* before any guest can send on its console port */
	if (domains_build_from_modules(bi) == 0)
		keel_nothing_to_run();
	console_input_start();
	runloop_start();
	cpu_run_loop();
}
