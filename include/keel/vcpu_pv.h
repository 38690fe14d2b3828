/* A vCPU's and a domain's Xen PV state besides events: guest areas, runstate, timers, poll, down. */
#ifndef KEEL_VCPU_PV_H
#define KEEL_VCPU_PV_H

#include <keel/arch_vcpu.h>
#include <keel/hypercall.h>
#include <keel/spinlock.h>
#include <keel/timer.h>
#include <keel/types.h>
#include <public/sched.h>
#include <public/shared_info.h>

struct domain;
struct vcpu;

/* Why a vCPU counts as down (common/vcpu_down.c); 0: it does not. */
enum vcpu_down_reason {
	VCPU_NOT_DOWN,
	VCPU_DOWN_HALTED, /* HLT with interrupts off and nothing that can wake it */
	VCPU_DOWN_OP,	  /* VCPUOP_down: paused until VCPUOP_up */
};

/*
 * Per vCPU (embedded in struct vcpu as ->pv). Guest areas are host pointers into frames of the
 * domain's own RAM extents (checked at registration): those frames stay the domain's until it is
 * destroyed, after its vCPUs, so the pointers never outlive them. Keel has no ballooning yet; a
 * future XENMEM_decrease_reservation must drop registrations into a frame before freeing it.
 */
struct vcpu_pv {
	/* common/vcpu_area.c */
	bool info_registered;		  /* VCPUOP_register_vcpu_info done (once) */
	struct vcpu_time_info *time_area; /* VCPUOP_register_vcpu_time_memory_area, or NULL */
	/* common/runstate.c: Keel's copy, and the guest's area (NULL: none), under runstate_lock */
	spinlock_t runstate_lock;
	struct runstate_info runstate;
	struct runstate_info *runstate_area;
	/* common/vcpu_timer.c */
	struct timer periodic;
	u64 period_ns;	   /* 0: no periodic timer */
	u64 periodic_next; /* its next deadline */
	/* common/sched/poll.c */
	struct timer poll_timer;
	bool polling; /* in SCHEDOP_poll until its next schedule-in */
	u32 nr_poll_ports;
	u32 poll_ports[SCHED_POLL_MAX_PORTS];
	/* common/vcpu_down.c: enum vcpu_down_reason */
	u8 down;
};

/* Per domain (embedded in struct domain as ->pv). */
struct domain_pv {
	u64 vm_assist;	   /* 1 << VMASST_TYPE_*: enabled assists */
	u32 pollers;	   /* bit i: vCPU i is in SCHEDOP_poll (common/sched/poll.c) */
	u32 shutdown_code; /* SCHEDOP_shutdown_code + 1; 0: none recorded */
	bool all_down;	   /* every vCPU was found down: powered off once */
	/* (hypercall, sub-op) pairs already logged as -ENOSYS: bit sub-op (63: 63 and up) */
	u64 enosys_logged[HYPERCALL_MAX + 1];
};

/* common/vcpu_area.c: the guest-registered areas (hypercall arguments already copied). */
int vcpu_register_info(struct vcpu *target, u64 gfn, u32 offset);
int vcpu_register_runstate_area(struct vcpu *caller, struct vcpu *target, u64 gva);
int vcpu_register_time_area(struct vcpu *caller, struct vcpu *target, u64 gva);

/* common/runstate.c */
void runstate_init(struct vcpu *v, u64 now);
/* The CPU loop runs @v now (pick), or stopped running it (deschedule). */
void runstate_sched_in(struct vcpu *v, u64 now);
void runstate_sched_out(struct vcpu *v, u64 now);
/* @v left blocked or paused and may run again (wake path). */
void runstate_wake(struct vcpu *v, u64 now);
/* A snapshot of Keel's copy (VCPUOP_get_runstate_info, tests). */
void runstate_get(struct vcpu *v, struct runstate_info *out);
/* Write Keel's copy to the guest area, if any (after registration). */
void runstate_publish(struct vcpu *v);

/* common/vcpu_timer.c: singleshot and periodic timers raising VIRQ_TIMER, and the poll timeout. */
void vcpu_timers_init(struct vcpu *v);
void vcpu_timers_stop(struct vcpu *v);
int vcpu_set_singleshot(struct vcpu *v, u64 deadline_ns, u32 flags);
void vcpu_stop_singleshot(struct vcpu *v);
int vcpu_set_periodic(struct vcpu *v, u64 period_ns);
void vcpu_stop_periodic(struct vcpu *v);
/* Is a timer of @v's own armed (singleshot or periodic)? */
bool vcpu_timer_armed(const struct vcpu *v);

/* common/sched/poll.c */
long sched_poll(struct vcpu *v, const struct sched_poll *p);
/* @port of @d was just marked pending: wake the vCPUs polling it (event delivery path). */
void sched_poll_wake_port(struct domain *d, u32 port);
/* @v runs again: end its poll (called at schedule-in). */
void sched_poll_end(struct vcpu *v);

/* common/vcpu_down.c */
/* HLT (IF = @irqs_on): block until an event, or go down for good; what the run loop does next. */
enum vcpu_leave vcpu_halt(struct vcpu *v, bool irqs_on);
/* VCPUOP_down / VCPUOP_up / VCPUOP_is_up on @target. */
int vcpu_down_op(struct vcpu *target);
bool vcpu_up_after_down(struct vcpu *target);
bool vcpu_is_down_by_op(const struct vcpu *v);
/* @v may run again (wake path): it no longer counts as halted for good. */
void vcpu_down_woken(struct vcpu *v);

#endif
