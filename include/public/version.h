/* Guest ABI: xen_version hypercall sub-ops and the feature bits of XENVER_get_features. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_VERSION_H
#define KEEL_PUBLIC_VERSION_H

#include <stdint.h>

/* xen_version(cmd, arg) */
#define XENVER_version		   0 /* returns major << 16 | minor; arg unused */
#define XENVER_extraversion	   1 /* arg: char[XENVER_EXTRAVERSION_LEN], NUL-terminated */
#define XENVER_compile_info	   2
#define XENVER_capabilities	   3
#define XENVER_changeset	   4
#define XENVER_platform_parameters 5
#define XENVER_get_features	   6 /* arg: struct version_features */
#define XENVER_pagesize		   7 /* returns the page size */
#define XENVER_guest_handle	   8
#define XENVER_commandline	   9  /* arg: char[XENVER_COMMANDLINE_LEN]; -EPERM for domUs */
#define XENVER_build_id		   10 /* arg: struct xen_build_id; -EPERM for domUs */

/*
 * The Xen interface level Keel implements (what XENVER_version and CPUID leaf base+1 report):
 * guests pick their code paths by it.
 */
#define KEEL_XEN_ABI_MAJOR   4u
#define KEEL_XEN_ABI_MINOR   17u
#define KEEL_XEN_ABI_VERSION ((KEEL_XEN_ABI_MAJOR << 16) | KEEL_XEN_ABI_MINOR)

#define XENVER_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define XENVER_VERSION_MINOR(v) ((uint32_t)(v)&0xffffu)

#define XENVER_EXTRAVERSION_LEN 16

/* XENVER_compile_info: NUL-terminated strings. */
struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};
#define XENVER_CAPABILITIES_LEN 1024 /* XENVER_capabilities: space-separated, NUL-terminated */
#define XENVER_CHANGESET_LEN	64   /* XENVER_changeset */
#define XENVER_GUEST_HANDLE_LEN 16   /* XENVER_guest_handle: the domain's handle (UUID) */
#define XENVER_COMMANDLINE_LEN	1024 /* XENVER_commandline */
/* XENVER_platform_parameters: where the hypervisor's hole in the guest's address space starts
 * (0 for PVH: none). */
struct xen_platform_parameters {
	uint64_t virt_start;
};
/* XENVER_build_id: IN len = size of buf; OUT len = bytes of the id written to buf. */
struct xen_build_id {
	uint32_t len;
	unsigned char buf[];
};
/* XENVER_get_features: IN submap_idx, OUT submap (32 feature bits). */
struct version_features {
	uint32_t submap_idx;
	uint32_t submap;
};

/* Feature bits, numbered across submaps: bit n lives in submap n / 32, bit n % 32. */
#define XENFEAT_writable_page_tables	   0
#define XENFEAT_writable_descriptor_tables 1
#define XENFEAT_auto_translated_physmap	   2
#define XENFEAT_supervisor_mode_kernel	   3
#define XENFEAT_pae_pgdir_above_4gb	   4
#define XENFEAT_mmu_pt_update_preserve_ad  5
#define XENFEAT_hvm_callback_vector	   8
#define XENFEAT_hvm_safe_pvclock	   9
#define XENFEAT_hvm_pirqs		   10 /* never advertised by Keel */
#define XENFEAT_dom0			   11
#define XENFEAT_NR_SUBMAPS		   1

_Static_assert(sizeof(struct version_features) == 8, "version_features is 8 bytes");
_Static_assert(sizeof(struct xen_compile_info) == 144, "xen_compile_info is 144 bytes");
_Static_assert(sizeof(struct xen_platform_parameters) == 8, "platform_parameters is 8 bytes");
_Static_assert(sizeof(struct xen_build_id) == 4, "xen_build_id header is 4 bytes");

#endif
