/* Virtual CPUs: the arch-neutral part (scheduling, events, timers); the arch adds struct arch_vcpu. */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <asm/hvm.h>
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/sched.h>
#include <keel/timer.h>
#include <keel/types.h>
#include <keel/vcpu_pv.h>
#include <public/shared_info.h>

struct domain;
struct vcpu_info;

/*
 * Keel's PVH secondary-vCPU start (VCPUOP_initialise, then VCPUOP_up) as a one-way state machine.
 * Each step is claimed with a compare-and-swap, so of two racing callers exactly one goes on.
 */
enum vcpu_start_state {
	VCPU_DOWN,	   /* no entry point yet */
	VCPU_INITIALISING, /* one VCPUOP_initialise is storing the entry point */
	VCPU_INITIALISED,  /* has an entry point; not up */
	VCPU_STARTING,	   /* one VCPUOP_up is loading the entry state into the vCPU */
	VCPU_UP,	   /* started: it may run (it never runs before) */
};

struct vcpu {
	unsigned int id;
	struct domain *domain;
	struct sched_unit sched;
	enum vcpu_start_state start_state;
	bool blocked;		    /* in SCHEDOP_block / HLT, waiting for an event */
	unsigned int pause_count;   /* > 0: may not run (domain pause, shutdown, ...) */
	volatile bool need_resched; /* leave the guest at the next opportunity */
	volatile bool running;	    /* currently loaded on a CPU */
	unsigned int processor;	    /* the CPU it last ran on */

	/* Events and time (Xen ABI). */
	struct vcpu_info *vcpu_info; /* in shared_info or a page the guest registered */
	u8 upcall_vector;	     /* 0: no callback vector yet */
	u64 singleshot_deadline;     /* 0: not armed */
	struct timer singleshot;

	/* The entry point VCPUOP_initialise stored (valid from VCPU_INITIALISED on). */
	u32 start_entry, start_ebx;
	bool yielded;	 /* SCHEDOP_yield: go behind equals */
	u32 logged_once; /* VCPU_LOG_* messages a guest can trigger at will: each printed once */

	u64 hypercalls;
	struct vcpu_pv pv; /* registered areas, runstate, timers, poll, down (keel/vcpu_pv.h) */
	struct arch_vcpu arch;
};

/* Log lines a guest can cause as often as it likes: printed once per vCPU (vcpu_log_once()). */
enum vcpu_log_once {
	VCPU_LOG_HLT_NO_IRQ = 1u << 0, /* HLT with interrupts off and no callback vector */
};

struct vcpu *vcpu_create(struct domain *d, unsigned int id);
void vcpu_destroy(struct vcpu *v);
/* Make a vCPU runnable at the PVH entry point (32-bit, paging off, EBX = @ebx). */
int vcpu_start_pvh(struct vcpu *v, u32 entry, u32 ebx);
/* VCPUOP_initialise: store the entry point of a down vCPU, once: -EEXIST if done or under way. */
int vcpu_initialise_pvh(struct vcpu *v, u32 entry, u32 ebx);
/* VCPUOP_up: 0 once up (also if it already was), -EBUSY while another call starts it, -EINVAL
 * if it was not initialised. */
int vcpu_up(struct vcpu *v);
/*
 * A start by INIT-SIPI-SIPI (the virtual LAPIC): claim a vCPU that is not up and start it in
 * real mode at @vector << 12. 0, or -EBUSY if it is up or being started already.
 */
int vcpu_start_sipi(struct vcpu *v, u8 vector);
/* Has @v been started (VCPU_UP)? */
bool vcpu_is_up(const struct vcpu *v);
/* True the first time it is called for @v and @what, false ever after: log only then. */
bool vcpu_log_once(struct vcpu *v, enum vcpu_log_once what);
void vcpu_pause(struct vcpu *v);
/* Pause without waiting for it to leave its CPU (from exit handlers: no cross-CPU waits). */
void vcpu_pause_nosync(struct vcpu *v);
void vcpu_unpause(struct vcpu *v);
/* Block until an event is pending for @v (SCHEDOP_block, HLT). */
void vcpu_block(struct vcpu *v);
/* An event arrived for @v: wake it if blocked, make a running one notice. */
void vcpu_kick(struct vcpu *v);
/* Why @v must leave its CPU now, or VCPU_STAY (vcpu_should_leave()'s slow path). */
enum vcpu_leave vcpu_leave_reason(const struct vcpu *v);

/*
 * The question the vendor's run loop asks common code about @v, before each VM entry and after
 * each hypercall: must it leave its CPU, and why (VCPU_STAY: no)? Host work (softirqs) and the
 * slice deadline the loop checks itself, once per entry. Inline and short: pausing a vCPU and
 * ending its domain both set need_resched, so the common case reads two flags.
 */
static inline enum vcpu_leave vcpu_should_leave(const struct vcpu *v)
{
	if (!READ_ONCE(v->need_resched) && !READ_ONCE(v->blocked))
		return VCPU_STAY;
	return vcpu_leave_reason(v);
}
/* Is an upcall or an interrupt pending that the guest should see (it ends a block)? */
bool vcpu_event_pending(const struct vcpu *v);
/* The event-channel upcall alone (vcpu_info->upcall_pending). */
bool vcpu_upcall_pending(const struct vcpu *v);
/* Requeue a vCPU whose block ended (used by vcpu_kick). */
void vcpu_unpause_wake(struct vcpu *v);
/* The vCPU currently loaded on this CPU (NULL in the idle loop). */
struct vcpu *current_vcpu(void);
void vcpu_set_current(struct vcpu *v);

#endif
