/* Guest ABI: the grant_table_op hypercall and version-1 grant entries. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PUBLIC_GRANT_TABLE_H
#define KEEL_PUBLIC_GRANT_TABLE_H

#include <stdint.h>

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

/* grant_table_op(cmd, arg array, count) */
#define GNTTABOP_map_grant_ref	 0 /* struct gnttab_map_grant_ref[count] */
#define GNTTABOP_unmap_grant_ref 1 /* struct gnttab_unmap_grant_ref[count] */
#define GNTTABOP_setup_table	 2 /* struct gnttab_setup_table */
#define GNTTABOP_copy		 5 /* struct gnttab_copy[count] */
#define GNTTABOP_query_size	 6 /* struct gnttab_query_size */
#define GNTTABOP_set_version	 8 /* struct gnttab_set_version */
#define GNTTABOP_get_version	 10

#define GNTTAB_MAX_FRAMES	 64
#define GNTTAB_V1_PER_FRAME	 512 /* 4096 / sizeof(struct grant_entry_v1) */
#define GNTTAB_RESERVED_CONSOLE	 0   /* grant ref reserved for the console backend */
#define GNTTAB_RESERVED_XENSTORE 1   /* grant ref reserved for xenstored */

/* A v1 grant entry, written by the granting domain (flags also by the hypervisor). */
struct grant_entry_v1 {
	uint16_t flags; /* GTF_* */
	uint16_t domid; /* domain allowed to use the grant */
	uint32_t frame; /* granted GFN */
};

#define GTF_invalid	  0u
#define GTF_permit_access 1u
#define GTF_type_mask	  3u
#define GTF_readonly	  (1u << 2)
#define GTF_reading	  (1u << 3) /* set by the hypervisor while mapped or copied from */
#define GTF_writing	  (1u << 4) /* set by the hypervisor while mapped writable or copied to */

/* Map flags. */
#define GNTMAP_device_map (1u << 0)
#define GNTMAP_host_map	  (1u << 1)
#define GNTMAP_readonly	  (1u << 2)

/* Status codes (int16). */
#define GNTST_okay		0
#define GNTST_general_error	(-1)
#define GNTST_bad_domain	(-2)
#define GNTST_bad_gntref	(-3)
#define GNTST_bad_handle	(-4)
#define GNTST_bad_virt_addr	(-5)
#define GNTST_bad_dev_addr	(-6)
#define GNTST_no_device_space	(-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page		(-9)
#define GNTST_bad_copy_arg	(-10)
#define GNTST_address_too_big	(-11)
#define GNTST_eagain		(-12) /* transient: retry */
#define GNTST_no_space		(-13)

/* host_addr is a GPA of the caller for auto-translated guests. */
struct gnttab_map_grant_ref {
	uint64_t host_addr;
	uint32_t flags; /* GNTMAP_* */
	grant_ref_t ref;
	uint16_t dom;
	int16_t status;	       /* OUT */
	grant_handle_t handle; /* OUT */
	uint64_t dev_bus_addr; /* OUT */
};

struct gnttab_unmap_grant_ref {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	grant_handle_t handle;
	int16_t status; /* OUT */
	uint16_t pad;
};

struct gnttab_setup_table {
	uint16_t dom;
	uint16_t pad;
	uint32_t nr_frames;
	int16_t status; /* OUT */
	uint16_t pad2[3];
	uint64_t frame_list; /* guest virtual address of uint64_t[nr_frames], OUT */
};

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;
		uint64_t gmfn;
	} u;
	uint16_t domid;
	uint16_t offset;
	uint32_t pad;
};

#define GNTCOPY_source_gref (1u << 0)
#define GNTCOPY_dest_gref   (1u << 1)

struct gnttab_copy {
	struct gnttab_copy_ptr source;
	struct gnttab_copy_ptr dest;
	uint16_t len;
	uint16_t flags; /* GNTCOPY_* */
	int16_t status; /* OUT */
	uint16_t pad;
};

struct gnttab_query_size {
	uint16_t dom;
	uint16_t pad;
	uint32_t nr_frames;	/* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status;		/* OUT */
	uint16_t pad2;
};

struct gnttab_set_version {
	uint32_t version; /* IN: 1 (Keel supports v1 only); OUT: current version */
};

_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1 is 8 bytes");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref is 32 bytes");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, ref) == 12, "map.ref");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, status) == 18, "map.status");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, handle) == 20, "map.handle");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, dev_bus_addr) == 24, "map.bus");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref is 24 bytes");
_Static_assert(__builtin_offsetof(struct gnttab_unmap_grant_ref, status) == 20, "unmap.status");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "gnttab_setup_table is 24 bytes");
_Static_assert(sizeof(struct gnttab_copy_ptr) == 16, "gnttab_copy_ptr is 16 bytes");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy is 40 bytes");
_Static_assert(__builtin_offsetof(struct gnttab_copy, len) == 32, "copy.len");
_Static_assert(__builtin_offsetof(struct gnttab_copy, status) == 36, "copy.status");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size is 16 bytes");
_Static_assert(sizeof(struct gnttab_set_version) == 4, "gnttab_set_version is 4 bytes");

#endif
