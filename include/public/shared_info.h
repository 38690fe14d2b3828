/* Guest ABI: the shared_info page, vcpu_info, the pvclock (vcpu_time_info) and runstate areas. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_SHARED_INFO_H
#define KEEL_PUBLIC_SHARED_INFO_H

#include <stdint.h>

#define SHARED_INFO_VCPUS  32 /* vcpu_info slots in shared_info; more need register_vcpu_info */
#define EVTCHN_2L_WORDS	   64 /* 64 x 64 bits = 4096 two-level event channels */
#define EVTCHN_2L_NR_PORTS (EVTCHN_2L_WORDS * 64)

/*
 * pvclock. Reader: v = version (retry while odd); read the fields; retry if version changed.
 *   delta = tsc - tsc_timestamp; delta = tsc_shift >= 0 ? delta << tsc_shift : delta >> -tsc_shift;
 *   ns = system_time + ((delta * tsc_to_system_mul) >> 32)   (128-bit product).
 */
struct vcpu_time_info {
	uint32_t version; /* odd while the hypervisor updates the record */
	uint32_t pad0;
	uint64_t tsc_timestamp; /* TSC when system_time was sampled */
	uint64_t system_time;	/* ns since the domain's time base */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags; /* PVCLOCK_* */
	uint8_t pad1[2];
};

#define PVCLOCK_TSC_STABLE    (1u << 0) /* TSC is synchronised and constant across vCPUs */
#define PVCLOCK_GUEST_STOPPED (1u << 1)

/* x86 part of vcpu_info. */
struct arch_vcpu_info {
	uint64_t cr2;
	uint64_t pad;
};

struct vcpu_info {
	uint8_t upcall_pending; /* set by the hypervisor when an event is pending; guest clears */
	uint8_t upcall_mask;	/* PV only: HVM/PVH guests use EFLAGS.IF */
	uint8_t pad0[6];
	uint64_t evtchn_pending_sel; /* bit w set: evtchn_pending[w] may have unmasked bits */
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};

/* x86-64 part of shared_info. */
struct arch_shared_info {
	uint64_t max_pfn;
	uint64_t pfn_to_mfn_frame_list_list;
	uint64_t nmi_reason;
	uint64_t p2m_cr3;
	uint64_t p2m_vaddr;
	uint64_t p2m_generation;
};

struct shared_info {
	struct vcpu_info vcpu_info[SHARED_INFO_VCPUS];
	uint64_t evtchn_pending[EVTCHN_2L_WORDS];
	uint64_t evtchn_mask[EVTCHN_2L_WORDS];
	/* Wallclock at system time 0: odd wc_version while updating. */
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};

/* Runstate area, registered with VCPUOP_register_runstate_memory_area. */
#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3
#define RUNSTATE_UPDATE	  (1ull << 63) /* in state_entry_time while updating (vm_assist) */

struct runstate_info {
	int32_t state; /* RUNSTATE_* */
	uint32_t pad;
	uint64_t state_entry_time; /* system time of the last state change */
	uint64_t time[4];	   /* ns spent in each state */
};

_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info is 32 bytes");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, tsc_timestamp) == 8, "tsc_timestamp");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, system_time) == 16, "system_time");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, tsc_to_system_mul) == 24, "mul");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, tsc_shift) == 28, "tsc_shift");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, flags) == 29, "flags");
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info is 64 bytes");
_Static_assert(__builtin_offsetof(struct vcpu_info, upcall_mask) == 1, "upcall_mask");
_Static_assert(__builtin_offsetof(struct vcpu_info, evtchn_pending_sel) == 8, "pending_sel");
_Static_assert(__builtin_offsetof(struct vcpu_info, arch) == 16, "vcpu_info.arch");
_Static_assert(__builtin_offsetof(struct vcpu_info, time) == 32, "vcpu_info.time");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_pending) == 2048, "evtchn_pending");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_mask) == 2560, "evtchn_mask");
_Static_assert(__builtin_offsetof(struct shared_info, wc_version) == 3072, "wc_version");
_Static_assert(__builtin_offsetof(struct shared_info, wc_sec) == 3076, "wc_sec");
_Static_assert(__builtin_offsetof(struct shared_info, wc_nsec) == 3080, "wc_nsec");
_Static_assert(__builtin_offsetof(struct shared_info, wc_sec_hi) == 3084, "wc_sec_hi");
_Static_assert(__builtin_offsetof(struct shared_info, arch) == 3088, "shared_info.arch");
_Static_assert(sizeof(struct shared_info) <= 4096, "shared_info fits a page");
_Static_assert(sizeof(struct runstate_info) == 48, "runstate_info is 48 bytes");
_Static_assert(__builtin_offsetof(struct runstate_info, state_entry_time) == 8, "entry time");
_Static_assert(__builtin_offsetof(struct runstate_info, time) == 16, "runstate time[]");

#endif
