/* Guest ABI: the sched_op hypercall (yield, block, shutdown, poll). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_SCHED_H
#define KEEL_PUBLIC_SCHED_H

#include <stdint.h>

/* sched_op(cmd, arg) */
#define SCHEDOP_yield		0 /* arg unused */
#define SCHEDOP_block		1 /* sleep until an event is pending; arg unused */
#define SCHEDOP_shutdown	2 /* arg: struct sched_shutdown */
#define SCHEDOP_poll		3 /* arg: struct sched_poll */
#define SCHEDOP_remote_shutdown 4 /* arg: struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code	5 /* arg: struct sched_shutdown; records the reason only */
#define SCHEDOP_watchdog	6

/* Shutdown reasons. */
#define SHUTDOWN_poweroff   0
#define SHUTDOWN_reboot	    1
#define SHUTDOWN_suspend    2
#define SHUTDOWN_crash	    3
#define SHUTDOWN_watchdog   4
#define SHUTDOWN_soft_reset 5

struct sched_shutdown {
	uint32_t reason; /* SHUTDOWN_* */
};

/*
 * Block until one of nr_ports event channels is pending (even when masked), or until the
 * absolute system time timeout (ns, 0 = none) passes.
 */
#define SCHED_POLL_MAX_PORTS 128 /* more ports in one SCHEDOP_poll: -EINVAL */
struct sched_poll {
	uint64_t ports; /* guest virtual address of uint32_t ports[nr_ports] */
	uint32_t nr_ports;
	uint32_t pad;
	uint64_t timeout;
};

struct sched_remote_shutdown {
	uint16_t domain_id;
	uint16_t pad;
	uint32_t reason;
};

_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown is 4 bytes");
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll is 24 bytes");
_Static_assert(__builtin_offsetof(struct sched_poll, nr_ports) == 8, "sched_poll.nr_ports");
_Static_assert(__builtin_offsetof(struct sched_poll, timeout) == 16, "sched_poll.timeout");
_Static_assert(sizeof(struct sched_remote_shutdown) == 8, "sched_remote_shutdown is 8 bytes");

#endif
