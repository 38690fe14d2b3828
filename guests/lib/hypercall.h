/* Guest library: hypervisor discovery via CPUID and hypercalls (vmcall, vmmcall, hypercall page). */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>

#include <public/hypercall.h>

enum hv_call_mode {
	HV_CALL_VMCALL,	 /* 0F 01 C1 */
	HV_CALL_VMMCALL, /* 0F 01 D9 */
	HV_CALL_PAGE,	 /* call into the hypercall page */
};

struct hv_info {
	int found;
	uint32_t base;	   /* CPUID base leaf carrying the signature */
	uint32_t max_leaf; /* EAX of the base leaf */
	uint32_t version;  /* EAX of base+1: major << 16 | minor */
	uint32_t hypercall_msr;
	uint32_t hypercall_pages;
	enum hv_call_mode mode; /* used by hypercall() */
};

extern struct hv_info hv;
extern uint8_t hypercall_page[4096];

/* Scan CPUID 0x40000000..0x4000FF00 for "XenVMMXenVMM"; fills hv. Returns 1 if found. */
int hv_detect(void);
/* CPUID leaf base + offset (offset must be <= max_leaf - base, else all zeroes). */
uint32_t hv_cpuid(uint32_t offset, uint32_t *ebx, uint32_t *ecx, uint32_t *edx);
/* Our vCPU id from leaf base+4 when advertised, else -1. */
int hv_vcpu_id(void);

/* Write the hypercall MSR with hypercall_page's address (page index 0). */
void hv_install_hypercall_page(void);

long hypercall_vmcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
long hypercall_vmmcall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5);
long hypercall_via_page(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			uint64_t a5);
/* Dispatch on hv.mode. */
long hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

#define HV_PTR(p) ((uint64_t)(uintptr_t)(p))

static inline long hv_xen_version(int cmd, void *arg)
{
	return hypercall(HYPERCALL_xen_version, (uint64_t)cmd, HV_PTR(arg), 0, 0, 0);
}

static inline long hv_memory_op(int cmd, void *arg)
{
	return hypercall(HYPERCALL_memory_op, (uint64_t)cmd, HV_PTR(arg), 0, 0, 0);
}

static inline long hv_sched_op(int cmd, void *arg)
{
	return hypercall(HYPERCALL_sched_op, (uint64_t)cmd, HV_PTR(arg), 0, 0, 0);
}

static inline long hv_vcpu_op(int cmd, uint32_t vcpu, void *arg)
{
	return hypercall(HYPERCALL_vcpu_op, (uint64_t)cmd, vcpu, HV_PTR(arg), 0, 0);
}

static inline long hv_event_channel_op(int cmd, void *arg)
{
	return hypercall(HYPERCALL_event_channel_op, (uint64_t)cmd, HV_PTR(arg), 0, 0, 0);
}

static inline long hv_hvm_op(int cmd, void *arg)
{
	return hypercall(HYPERCALL_hvm_op, (uint64_t)cmd, HV_PTR(arg), 0, 0, 0);
}

#endif
