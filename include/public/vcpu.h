/* Guest ABI: the vcpu_op hypercall, including Keel's PVH secondary-vCPU start protocol. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_VCPU_H
#define KEEL_PUBLIC_VCPU_H

#include <stdint.h>

/* vcpu_op(cmd, vcpu_id, arg) */
#define VCPUOP_initialise		      0 /* arg: struct vcpu_start_context (Keel PVH) */
#define VCPUOP_up			      1 /* arg unused */
#define VCPUOP_down			      2
#define VCPUOP_is_up			      3	 /* returns 1 if up, 0 if down */
#define VCPUOP_get_runstate_info	      4	 /* arg: struct runstate_info */
#define VCPUOP_register_runstate_memory_area  5	 /* arg: struct vcpu_register_runstate_area */
#define VCPUOP_set_periodic_timer	      6	 /* arg: struct vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer	      7	 /* arg unused; must succeed */
#define VCPUOP_set_singleshot_timer	      8	 /* arg: struct vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer	      9	 /* arg unused */
#define VCPUOP_register_vcpu_info	      10 /* arg: struct vcpu_register_vcpu_info */
#define VCPUOP_send_nmi			      11
#define VCPUOP_get_physid		      12
#define VCPUOP_register_vcpu_time_memory_area 13 /* arg: struct vcpu_register_time_area */

/*
 * Keel's PVH AP start protocol (Keel-specific; Xen starts HVM/PVH APs through the virtual
 * LAPIC instead, which Keel also supports for Linux):
 *   1. VCPUOP_initialise(vcpu_id, &struct vcpu_start_context) on a vCPU that is down. Each vCPU
 *      is initialised once: -EEXIST if it already was (or is up, or another VCPUOP_initialise
 *      for it is under way), -ENOENT if vcpu_id is not a vCPU of the domain.
 *   2. VCPUOP_up(vcpu_id): the vCPU starts at entry_eip in the PVH entry state: 32-bit
 *      protected mode, paging off, CR0 = PE|ET, CR4 = 0, flat 4 GiB CS/DS/ES/SS, EFLAGS.IF clear,
 *      EBX = ebx, all other general registers 0. The AP sets up its own stack, GDT, IDT.
 *      VCPUOP_up without a completed VCPUOP_initialise returns -EINVAL; on a vCPU that is up it
 *      returns 0 and changes nothing; while another VCPUOP_up is starting it, -EBUSY.
 * Two vCPUs may race on these calls: exactly one VCPUOP_initialise and one VCPUOP_up take effect.
 */
struct vcpu_start_context {
	uint32_t entry_eip; /* guest-physical entry point */
	uint32_t ebx;	    /* value loaded into EBX; meaning chosen by the guest */
};

struct vcpu_set_periodic_timer {
	uint64_t period_ns;
};

/* Fire VIRQ_TIMER once at absolute system time timeout_abs_ns (a past time fires at once). */
struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags; /* VCPU_SSHOTTMR_* */
	uint32_t pad;
};
#define VCPU_SSHOTTMR_future (1u << 0) /* fail with -ETIME if the deadline has passed */

/* Move this vCPU's vcpu_info to guest frame gfn at byte offset (must not cross the page). */
struct vcpu_register_vcpu_info {
	uint64_t gfn;
	uint32_t offset;
	uint32_t rsvd;
};

/* Guest virtual address of a struct runstate_info the hypervisor keeps up to date. */
struct vcpu_register_runstate_area {
	uint64_t addr;
};

/* Guest virtual address of a struct vcpu_time_info the hypervisor keeps up to date. */
struct vcpu_register_time_area {
	uint64_t addr;
};

_Static_assert(sizeof(struct vcpu_start_context) == 8, "vcpu_start_context is 8 bytes");
_Static_assert(sizeof(struct vcpu_set_periodic_timer) == 8, "vcpu_set_periodic_timer");
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "vcpu_set_singleshot_timer");
_Static_assert(__builtin_offsetof(struct vcpu_set_singleshot_timer, flags) == 8, "sshot flags");
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "vcpu_register_vcpu_info");
_Static_assert(__builtin_offsetof(struct vcpu_register_vcpu_info, offset) == 8, "offset");
_Static_assert(sizeof(struct vcpu_register_runstate_area) == 8, "register_runstate_area");
_Static_assert(sizeof(struct vcpu_register_time_area) == 8, "register_time_area");

#endif
