/* Guest ABI: the hypervisor CPUID leaves (Xen layout) and the hypercall-page MSR. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_CPUID_H
#define KEEL_PUBLIC_CPUID_H

#include <stdint.h>

/*
 * The leaves live at a base B in 0x40000000..0x4000FF00 (step 0x100); guests scan for the
 * signature. Leaf B+0: EAX = highest leaf (>= B+2), EBX/ECX/EDX = "XenVMMXenVMM".
 */
#define HV_CPUID_BASE_FIRST 0x40000000u
#define HV_CPUID_BASE_LAST  0x4000FF00u
#define HV_CPUID_BASE_STEP  0x100u

#define HV_CPUID_SIG_EBX 0x566e6558u /* "XenV" */
#define HV_CPUID_SIG_ECX 0x65584d4du /* "MMXe" */
#define HV_CPUID_SIG_EDX 0x4d4d566eu /* "nVMM" */

/* Leaf offsets from the base. */
#define HV_CPUID_LEAF_SIGNATURE 0 /* EAX max leaf, signature */
#define HV_CPUID_LEAF_VERSION	1 /* EAX = major << 16 | minor */
#define HV_CPUID_LEAF_HYPERCALL 2 /* EAX pages (1), EBX hypercall-page MSR, ECX/EDX features */
#define HV_CPUID_LEAF_TIME	3 /* TSC information */
#define HV_CPUID_LEAF_HVM	4 /* EAX flags below, EBX vCPU id, ECX domid */
#define HV_CPUID_LEAF_MIN_MAX	2 /* EAX of leaf B+0 is at least B + this */

#define HV_CPUID_VERSION_MAJOR(eax) ((uint32_t)(eax) >> 16)
#define HV_CPUID_VERSION_MINOR(eax) ((uint32_t)(eax)&0xffffu)

/* Leaf B+4, EAX flags. */
#define HV_CPUID_HVM_APIC_ACCESS_VIRT (1u << 0) /* APIC MMIO access virtualised */
#define HV_CPUID_HVM_X2APIC_VIRT      (1u << 1) /* x2APIC MSR access virtualised */
#define HV_CPUID_HVM_VCPU_ID_PRESENT  (1u << 3) /* EBX holds the vCPU id */
#define HV_CPUID_HVM_DOMID_PRESENT    (1u << 4) /* ECX holds the domain id */
#define HV_CPUID_HVM_EXT_DEST_ID      (1u << 5) /* MSI extended destination id */
#define HV_CPUID_HVM_UPCALL_VECTOR    (1u << 6) /* HVMOP_set_evtchn_upcall_vector works */

/* Default value of leaf B+2 EBX: the MSR a guest writes the hypercall page GPA to. */
#define HV_MSR_HYPERCALL_PAGE 0x40000000u

/* Architectural: CPUID leaf 1, ECX bit 31 = running under a hypervisor. */
#define CPUID1_ECX_HYPERVISOR (1u << 31)

#endif
