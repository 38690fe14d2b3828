/* Guest ABI: Keel's domain management hypercall (domctl, 36), for the privileged domain only. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_DOMCTL_H
#define KEEL_PUBLIC_DOMCTL_H

#include <stdint.h>

/*
 * domctl(arg): arg is the guest-virtual address of one struct keel_domctl (128 bytes), read in,
 * acted on, and written back (the command's results in the union). Keel's own numbering and
 * layout, not Xen's. interface_version must be KEEL_DOMCTL_VERSION (else -EACCES). Every
 * reserved field and flag bit must be 0 (else -EINVAL). Unprivileged callers: -EPERM for all.
 */
#define KEEL_DOMCTL_VERSION 0x4b440001u /* "KD" 0001 */

#define KEEL_DOMCTL_create	     1	/* in: create; out: domain = the new domid */
#define KEEL_DOMCTL_destroy	     2	/* domain: not the caller */
#define KEEL_DOMCTL_pause	     3	/* domain: not the caller */
#define KEEL_DOMCTL_unpause	     4	/* a never-started domain starts at vCPU 0's context */
#define KEEL_DOMCTL_max_vcpus	     5	/* in: max_vcpus (fixed at create: only that count) */
#define KEEL_DOMCTL_max_mem	     6	/* in: max_mem (the first also builds its ACPI tables) */
#define KEEL_DOMCTL_getinfo	     7	/* out: info */
#define KEEL_DOMCTL_set_vcpu_context 8	/* in: vcpu_context (before that vCPU started) */
#define KEEL_DOMCTL_set_hvm_param    9	/* in: hvm_param */
#define KEEL_DOMCTL_get_hvm_param    10 /* in: hvm_param.index; out: hvm_param.value */
#define KEEL_DOMCTL_get_affinity     11 /* in: affinity.vcpu; out: affinity.cpumap */
#define KEEL_DOMCTL_set_affinity     12 /* in: affinity */
#define KEEL_DOMCTL_get_sched	     13 /* out: sched (vCPU 0's; set applies to all) */
#define KEEL_DOMCTL_set_sched	     14 /* in: sched */
#define KEEL_DOMCTL_MAX		     15

#define KEEL_NAME_LEN 32 /* domain names, NUL-terminated */

/*
 * A created domain's guest-physical layout, fixed by its first max_mem (N pages of RAM): RAM at
 * [0, min(N pages, 3 GiB)) and the rest from 4 GiB; its ACPI tables (RSDP first: the start_info's
 * rsdp_paddr), built by Keel at that first max_mem for its vCPU count, at KEEL_DOMCTL_ACPI_GPA;
 * the hole holds no other RAM.
 */
#define KEEL_DOMCTL_LOWMEM_TOP	 0xC0000000ULL
#define KEEL_DOMCTL_HIGHMEM_BASE 0x100000000ULL
#define KEEL_DOMCTL_ACPI_GPA	 0xFC000000ULL
#define KEEL_DOMCTL_ACPI_SIZE	 4096ULL

/* create.flags */
#define KEEL_CREATE_DESTROY_ON_END (1u << 0) /* destroy at shutdown/crash (default: keep it) */
#define KEEL_CREATE_FLAGS_VALID	   KEEL_CREATE_DESTROY_ON_END

struct keel_domctl_create {
	char name[KEEL_NAME_LEN]; /* NUL-terminated, non-empty */
	uint32_t nr_vcpus;	  /* 1..32 */
	uint32_t flags;		  /* KEEL_CREATE_* */
	uint64_t max_pages;	  /* RAM it may populate (4 KiB pages), 0: none yet */
};

struct keel_domctl_max_vcpus {
	uint32_t nr_vcpus;
	uint32_t pad;
};

struct keel_domctl_max_mem {
	uint64_t max_pages; /* >= pages populated now; the memory map is set at the first call */
};

/* info.flags */
#define KEEL_DOMINFO_RUNNING	(1u << 0)
#define KEEL_DOMINFO_PAUSED	(1u << 1) /* paused by domctl, or never started */
#define KEEL_DOMINFO_SHUTDOWN	(1u << 2) /* shutdown_reason says why */
#define KEEL_DOMINFO_CRASHED	(1u << 3)
#define KEEL_DOMINFO_DYING	(1u << 4) /* being destroyed */
#define KEEL_DOMINFO_PRIVILEGED (1u << 5)

struct keel_domain_info {
	uint16_t domid;
	uint16_t pad;
	uint32_t flags;		  /* KEEL_DOMINFO_* */
	char name[KEEL_NAME_LEN]; /* NUL-terminated */
	uint64_t pages;		  /* RAM pages populated now */
	uint64_t max_pages;	  /* RAM pages it may populate */
	uint32_t nr_vcpus;
	uint32_t shutdown_reason; /* SHUTDOWN_* (public/sched.h) when SHUTDOWN or CRASHED */
	uint64_t cpu_time_ns;	  /* all its vCPUs together */
};

/* vcpu_context: the PVH entry state (32-bit protected mode, paging off, as at boot). */
struct keel_domctl_vcpu_context {
	uint32_t vcpu;
	uint32_t flags; /* 0 */
	uint32_t entry; /* guest-physical entry point */
	uint32_t ebx;	/* EBX: vCPU 0 the start_info GPA, others what their guest wants */
};

struct keel_domctl_hvm_param {
	uint32_t index; /* HVM_PARAM_* (public/hvm.h) */
	uint32_t pad;
	uint64_t value;
};

struct keel_domctl_affinity {
	uint32_t vcpu;
	uint32_t pad;
	uint64_t cpumap; /* bit n: physical CPU n (hard affinity) */
};

struct keel_domctl_sched {
	uint32_t weight; /* 1..65535 */
	uint32_t cap;	 /* percent of one CPU, 0: none */
};

struct keel_domctl {
	uint32_t cmd;		    /* KEEL_DOMCTL_* */
	uint32_t interface_version; /* KEEL_DOMCTL_VERSION */
	uint16_t domain;	    /* the domain acted on (create: out) */
	uint16_t pad[3];
	union {
		struct keel_domctl_create create;
		struct keel_domctl_max_vcpus max_vcpus;
		struct keel_domctl_max_mem max_mem;
		struct keel_domain_info info;
		struct keel_domctl_vcpu_context vcpu_context;
		struct keel_domctl_hvm_param hvm_param;
		struct keel_domctl_affinity affinity;
		struct keel_domctl_sched sched;
		uint8_t raw[112];
	} u;
};

_Static_assert(sizeof(struct keel_domctl) == 128, "keel_domctl is 128 bytes");
_Static_assert(sizeof(struct keel_domain_info) == 72, "keel_domain_info is 72 bytes");
_Static_assert(sizeof(struct keel_domctl_create) == 48, "keel_domctl_create is 48 bytes");

#endif
