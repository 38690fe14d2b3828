/* Host-test shim: no scheduler pools (for tests of common/timer.c without common/sched/). */
#include <keel/sched.h>

bool sched_cpu_tickless(unsigned int cpu)
{
	(void)cpu;
	return false;
}
