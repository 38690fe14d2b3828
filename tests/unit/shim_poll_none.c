/* Host-test shim: no vCPU polls (for tests of event delivery without common/sched/poll.c). */
#include <keel/vcpu.h>

void sched_poll_wake_port(struct domain *d, u32 port)
{
	(void)d;
	(void)port;
}
