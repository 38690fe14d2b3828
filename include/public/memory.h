/* Guest ABI: the memory_op hypercall (physmap changes, memory map, reservations). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_MEMORY_H
#define KEEL_PUBLIC_MEMORY_H

#include <stdint.h>

/* memory_op(cmd, arg) */
#define XENMEM_increase_reservation 0  /* arg: struct memory_reservation */
#define XENMEM_decrease_reservation 1  /* arg: struct memory_reservation */
#define XENMEM_maximum_ram_page	    2  /* not offered by Keel (a host fact) */
#define XENMEM_maximum_reservation  4  /* arg: domid_t*; returns pages */
#define XENMEM_populate_physmap	    6  /* arg: struct memory_reservation */
#define XENMEM_add_to_physmap	    7  /* arg: struct add_to_physmap */
#define XENMEM_memory_map	    9  /* arg: struct memory_map (the caller's map) */
#define XENMEM_machine_memory_map   10 /* arg: struct memory_map (host map, dom0 only) */
#define XENMEM_current_reservation  11 /* arg: domid_t*; returns pages */
#define XENMEM_set_memory_map	    13 /* arg: struct foreign_memory_map */
#define XENMEM_remove_from_physmap  15 /* arg: struct remove_from_physmap */
#define XENMEM_add_to_physmap_batch 23 /* arg: struct add_to_physmap_batch */

/* add_to_physmap spaces. */
#define XENMAPSPACE_shared_info	 0 /* idx 0: the shared_info page */
#define XENMAPSPACE_grant_table	 1 /* idx: grant frame (| XENMAPIDX_grant_table_status) */
#define XENMAPSPACE_gmfn	 2 /* idx: a GFN of the caller, moved to gpfn */
#define XENMAPSPACE_gmfn_range	 3 /* like gmfn, size frames */
#define XENMAPSPACE_gmfn_foreign 4 /* idx: a GFN of foreign_domid (batch only) */
#define XENMAPSPACE_dev_mmio	 5

#define XENMAPIDX_grant_table_status (1u << 31)

/* Put frame idx of space at the caller's (or domid's) guest frame gpfn. */
struct add_to_physmap {
	uint16_t domid; /* DOMID_SELF */
	uint16_t size;	/* XENMAPSPACE_gmfn_range only */
	uint32_t space; /* XENMAPSPACE_* */
	uint64_t idx;
	uint64_t gpfn;
};

struct remove_from_physmap {
	uint16_t domid;
	uint16_t pad[3];
	uint64_t gpfn;
};

/* IN: nr_entries = capacity of buffer (E820-style 20-byte entries); OUT: entries written. */
struct memory_map {
	uint32_t nr_entries;
	uint32_t pad;
	uint64_t buffer; /* guest virtual address */
};

struct foreign_memory_map {
	uint16_t domid;
	uint16_t pad[3];
	struct memory_map map;
};

/* Pointers are guest virtual addresses of arrays with size elements. */
struct add_to_physmap_batch {
	uint16_t domid;
	uint16_t space; /* XENMAPSPACE_* */
	uint16_t size;
	uint16_t foreign_domid; /* XENMAPSPACE_gmfn_foreign */
	uint64_t idxs;		/* uint64_t[] */
	uint64_t gpfns;		/* uint64_t[] */
	uint64_t errs;		/* int32_t[]: 0 or -errno per entry */
};

#define XENMEMF_populate_on_demand (1u << 16) /* mem_flags: not offered by Keel */

struct memory_reservation {
	uint64_t extent_start; /* guest virtual address of uint64_t GFNs[nr_extents] */
	uint64_t nr_extents;
	uint32_t extent_order; /* log2 pages per extent */
	uint32_t mem_flags;
	uint16_t domid;
	uint16_t pad[3];
};

_Static_assert(sizeof(struct add_to_physmap) == 24, "add_to_physmap is 24 bytes");
_Static_assert(__builtin_offsetof(struct add_to_physmap, size) == 2, "add_to_physmap.size");
_Static_assert(__builtin_offsetof(struct add_to_physmap, space) == 4, "add_to_physmap.space");
_Static_assert(__builtin_offsetof(struct add_to_physmap, idx) == 8, "add_to_physmap.idx");
_Static_assert(__builtin_offsetof(struct add_to_physmap, gpfn) == 16, "add_to_physmap.gpfn");
_Static_assert(sizeof(struct remove_from_physmap) == 16, "remove_from_physmap is 16 bytes");
_Static_assert(sizeof(struct memory_map) == 16, "memory_map is 16 bytes");
_Static_assert(sizeof(struct foreign_memory_map) == 24, "foreign_memory_map is 24 bytes");
_Static_assert(sizeof(struct add_to_physmap_batch) == 32, "add_to_physmap_batch is 32 bytes");
_Static_assert(__builtin_offsetof(struct add_to_physmap_batch, idxs) == 8, "batch.idxs");
_Static_assert(__builtin_offsetof(struct add_to_physmap_batch, errs) == 24, "batch.errs");
_Static_assert(sizeof(struct memory_reservation) == 32, "memory_reservation is 32 bytes");
_Static_assert(__builtin_offsetof(struct memory_reservation, domid) == 24, "reservation.domid");

#endif
