/* Guest ABI: platform_op, the privileged domain's machine-wide calls (Xen numbering and layout). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_PLATFORM_H
#define KEEL_PUBLIC_PLATFORM_H

#include <stdint.h>

/*
 * platform_op(struct xen_platform_op *op): dom0 only (others get -EPERM); interface_version
 * must be XENPF_INTERFACE_VERSION (else -EACCES). Commands Keel does not offer get -EOPNOTSUPP.
 */
#define XENPF_INTERFACE_VERSION 0x03000001u

#define XENPF_settime32	       17
#define XENPF_firmware_info    50
#define XENPF_enter_acpi_sleep 51
#define XENPF_get_cpuinfo      55
#define XENPF_settime64	       62

struct xenpf_settime32 {
	uint32_t secs, nsecs;
	uint64_t system_time; /* the time since boot (pvclock) at which secs.nsecs held */
};

struct xenpf_settime64 {
	uint64_t secs;
	uint32_t nsecs;
	uint32_t mbz; /* must be 0 */
	uint64_t system_time;
};

/* firmware_info types: Keel passes no BIOS data on, every type gets -ESRCH. */
#define XEN_FW_DISK_INFO	  1
#define XEN_FW_DISK_MBR_SIGNATURE 2
#define XEN_FW_VBEDDC_INFO	  3
#define XEN_FW_EFI_INFO		  4
#define XEN_FW_KBD_SHIFT_FLAGS	  5

struct xenpf_firmware_info {
	uint32_t type;
	uint32_t index;
	uint8_t u[104]; /* per type, unused by Keel */
};

/* enter_acpi_sleep: only S5 (soft off) is done, as dom0's power-off; others -EOPNOTSUPP. */
#define XENPF_ACPI_SLEEP_EXTENDED 0x00000001u
struct xenpf_enter_acpi_sleep {
	uint16_t val_a, val_b; /* PM1a/PM1b control values */
	uint32_t sleep_state;  /* 0..5 */
	uint32_t flags;
};

/* get_cpuinfo: one physical CPU by Keel's number. */
#define XEN_PCPU_FLAGS_ONLINE  1u
#define XEN_PCPU_FLAGS_INVALID 2u
struct xenpf_pcpuinfo {
	uint32_t xen_cpuid;   /* in */
	uint32_t max_present; /* out: the highest CPU number */
	uint32_t flags;	      /* out: XEN_PCPU_FLAGS_* */
	uint32_t apic_id;
	uint32_t acpi_id;
};

struct xen_platform_op {
	uint32_t cmd;
	uint32_t interface_version;
	union {
		struct xenpf_settime32 settime32;
		struct xenpf_settime64 settime64;
		struct xenpf_firmware_info firmware_info;
		struct xenpf_enter_acpi_sleep enter_acpi_sleep;
		struct xenpf_pcpuinfo pcpu_info;
		uint8_t pad[128];
	} u;
};

_Static_assert(sizeof(struct xen_platform_op) == 136, "xen_platform_op is 136 bytes");
_Static_assert(sizeof(struct xenpf_settime64) == 24, "xenpf_settime64 is 24 bytes");
_Static_assert(sizeof(struct xenpf_pcpuinfo) == 20, "xenpf_pcpuinfo is 20 bytes");

#endif
