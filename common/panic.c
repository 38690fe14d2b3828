/* panic(): report a broken Keel invariant, stop every CPU, then halt, reboot or power off. */
#include <keel/arch.h>
#include <keel/cmdline.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/panic.h>
#include <keel/power.h>
#include <keel/printk.h>
#include <keel/string.h>

enum panic_action { PANIC_HALT, PANIC_REBOOT, PANIC_POWEROFF };

volatile int panic_in_progress;
static enum panic_action panic_action = PANIC_HALT;

static int parse_panic(const char *v)
{
	if (!strcmp(v, "halt"))
		panic_action = PANIC_HALT;
	else if (!strcmp(v, "reboot"))
		panic_action = PANIC_REBOOT;
	else if (!strcmp(v, "poweroff"))
		panic_action = PANIC_POWEROFF;
	else
		return -EINVAL;
	return 0;
}
KEEL_PARAM_CUSTOM(panic, parse_panic, "after a panic: halt (default), reboot or poweroff");

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	__asm__ __volatile__("cli");
	/* Only the first CPU to panic reports; any other one stops here. */
	if (__atomic_exchange_n(&panic_in_progress, 1, __ATOMIC_SEQ_CST))
		arch_halt_cpu();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_emerg("*** KEEL PANIC on CPU %u: %s", arch_cpu_id(), msg);
	pr_emerg("Backtrace:");
	arch_backtrace_here();
	arch_stop_other_cpus();
	switch (panic_action) {
	case PANIC_REBOOT:
		pr_emerg("*** all CPUs stopped; rebooting");
		platform_reboot();
	case PANIC_POWEROFF:
		pr_emerg("*** all CPUs stopped; powering off");
		platform_poweroff();
	case PANIC_HALT:
	default:
		pr_emerg("*** all CPUs stopped; system halted");
		arch_halt_cpu();
	}
}
