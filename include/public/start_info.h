/* PVH boot ABI: the start-of-day information block a PVH guest receives in EBX (version 1). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_START_INFO_H
#define KEEL_PUBLIC_START_INFO_H

#include <stdint.h>

#define PVH_START_MAGIC	  0x336ec578u
#define PVH_START_VERSION 1u

/* hvm_start_info.flags */
#define PVH_SIF_PRIVILEGED (1u << 0)
#define PVH_SIF_INITDOMAIN (1u << 1)

/* ELF note (owner "Xen") carrying the 32-bit physical entry point. */
#define PVH_ELFNOTE_OWNER	 "Xen"
#define PVH_ELFNOTE_PHYS32_ENTRY 18

/* Memory map entry types (E820 numbering). */
#define PVH_MEMMAP_RAM	    1
#define PVH_MEMMAP_RESERVED 2
#define PVH_MEMMAP_ACPI	    3
#define PVH_MEMMAP_NVS	    4
#define PVH_MEMMAP_UNUSABLE 5
#define PVH_MEMMAP_DISABLED 6
#define PVH_MEMMAP_PMEM	    7

struct pvh_start_info {	  /* 56 bytes */
	uint32_t magic;	  /* PVH_START_MAGIC */
	uint32_t version; /* 1: memmap fields valid */
	uint32_t flags;	  /* PVH_SIF_* */
	uint32_t nr_modules;
	uint64_t modlist_paddr; /* array of struct pvh_module */
	uint64_t cmdline_paddr; /* NUL-terminated, 0 = none */
	uint64_t rsdp_paddr;	/* 0 = none */
	uint64_t memmap_paddr;	/* array of struct pvh_memmap_entry */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct pvh_module { /* 32 bytes; module 0 is the initrd */
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct pvh_memmap_entry { /* 24 bytes */
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct pvh_start_info) == 56, "pvh_start_info is 56 bytes");
_Static_assert(sizeof(struct pvh_module) == 32, "pvh_module is 32 bytes");
_Static_assert(sizeof(struct pvh_memmap_entry) == 24, "pvh_memmap_entry is 24 bytes");

#endif
