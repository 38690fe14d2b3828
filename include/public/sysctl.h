/* Guest ABI: Keel's host management hypercall (sysctl, 35), for the privileged domain only. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_SYSCTL_H
#define KEEL_PUBLIC_SYSCTL_H

#include <stdint.h>

#include "domctl.h"

/*
 * sysctl(arg): arg is the guest-virtual address of one struct keel_sysctl (128 bytes), read,
 * acted on and written back. interface_version must be KEEL_SYSCTL_VERSION (else -EACCES);
 * reserved fields 0 (else -EINVAL); -EPERM for unprivileged callers.
 */
#define KEEL_SYSCTL_VERSION 0x4b530001u /* "KS" 0001 */

#define KEEL_SYSCTL_physinfo	1 /* out: physinfo */
#define KEEL_SYSCTL_domain_list 2 /* in/out: domain_list */
#define KEEL_SYSCTL_readlog	3 /* in/out: readlog */
#define KEEL_SYSCTL_MAX		4

#define KEEL_VERSION_LEN 16
#define KEEL_CMDLINE_LEN 64 /* the first bytes of Keel's command line, NUL-terminated */

struct keel_sysctl_physinfo {
	uint32_t nr_cpus;
	uint32_t pad;
	uint64_t total_pages; /* 4 KiB frames Keel manages */
	uint64_t free_pages;  /* of those, free now */
	char version[KEEL_VERSION_LEN];
	char cmdline[KEEL_CMDLINE_LEN];
};

/* Up to max_entries struct keel_domain_info of domains with id >= first_domid, in id order. */
struct keel_sysctl_domain_list {
	uint16_t first_domid;
	uint16_t pad[3];
	uint32_t max_entries; /* in: room in buffer (1..256) */
	uint32_t nr_entries;  /* out: written */
	uint64_t buffer;      /* guest virtual address of struct keel_domain_info[max_entries] */
};

/* readlog.flags */
#define KEEL_READLOG_CLEAR (1u << 0) /* after reading, later reads start at the log's end */

/*
 * Keel's log ring from byte position `index` (0: the oldest still held; positions run on
 * forever). out: index = where the next read continues, size = bytes written to buffer.
 */
struct keel_sysctl_readlog {
	uint64_t index;
	uint64_t buffer; /* guest virtual address */
	uint32_t size;	 /* in: room in buffer (1..65536); out: bytes written */
	uint32_t flags;	 /* KEEL_READLOG_* */
};

struct keel_sysctl {
	uint32_t cmd;		    /* KEEL_SYSCTL_* */
	uint32_t interface_version; /* KEEL_SYSCTL_VERSION */
	uint16_t domain;	    /* 0 (no command acts on one domain) */
	uint16_t pad[3];
	union {
		struct keel_sysctl_physinfo physinfo;
		struct keel_sysctl_domain_list domain_list;
		struct keel_sysctl_readlog readlog;
		uint8_t raw[112];
	} u;
};

_Static_assert(sizeof(struct keel_sysctl) == 128, "keel_sysctl is 128 bytes");
_Static_assert(sizeof(struct keel_sysctl_physinfo) == 104, "keel_sysctl_physinfo is 104 bytes");

#endif
