/* The arch-neutral top of Keel: what runs once the platform is up. */
#ifndef KEEL_MAIN_H
#define KEEL_MAIN_H

#include <keel/bootinfo.h>
#include <keel/compiler.h>

#define KEEL_VERSION "0.1.0"

/* Called by the arch on the boot CPU once memory, interrupts, timers and every CPU are up. */
__noreturn void keel_main(const struct boot_info *bi);

/* Built-in checks of the machine (common/selftest.c): 0 on success, else -errno with @why set. */
int selftest_run(char *why, size_t len);
/* The CPU-level checks the arch provides: every CPU answers an IPI, ticks, agrees on the TSC. */
int arch_selftest_cpus(char *why, size_t len);

#endif
