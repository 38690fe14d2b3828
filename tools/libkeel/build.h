/* libkeel: the domain builder: a new domain from a PVH ELF kernel, through foreign maps. */
#ifndef LIBKEEL_BUILD_H
#define LIBKEEL_BUILD_H

#include "libkeel.h"

/*
 * The guest-physical layout the builder gives a domain of N pages (docs/management.md), in the
 * RAM Keel maps for it (public/domctl.h: [0, 3 GiB), the rest from 4 GiB): page 0 unused, page 1
 * the start_info, its module list and memory map, page 2 the command line, the kernel where its
 * ELF says (at or above 0x3000), the initrd on the next page boundary after it, and the last two
 * pages of low RAM the console ring and the xenstore ring, reserved in the memory map.
 */
#define KEEL_BUILD_START_INFO_GFN 1
#define KEEL_BUILD_CMDLINE_GFN	  2
#define KEEL_BUILD_FIRST_FREE	  0x3000ULL /* segments start at or above this GPA */
#define KEEL_BUILD_MIN_PAGES	  64
#define KEEL_BUILD_MAX_PAGES	  (1ULL << 22) /* 16 GiB, Keel's limit per domain */
#define KEEL_BUILD_MAX_CMDLINE	  4096

struct keel_build {
	/* in */
	const char *name;
	unsigned int nr_vcpus;
	uint64_t mem_pages;
	const void *image; /* a PVH ELF64 kernel, or a bzImage around one */
	size_t image_len;
	const void *initrd; /* NULL: none; else module 0 of the start_info */
	size_t initrd_len;
	const char *cmdline; /* NULL: none */
	uint32_t create_flags;
	/* out */
	uint16_t domid;
	uint64_t console_gfn, store_gfn;
	uint32_t console_port, store_port; /* unbound in the domain, for domain 0 */
	uint32_t entry;
	uint64_t initrd_gpa;
	char error[256]; /* when keel_build_elf fails: what and why */
};

/*
 * Create the domain, populate its RAM, load the kernel and write start_info, the memory map and
 * the command line, allocate its console and xenstore ports and set their HVM params. The domain
 * is left paused (unpause starts it). 0, or a negative errno with b->error; a domain half built
 * is destroyed again.
 */
int keel_build_elf(struct keel_handle *h, struct keel_build *b);

#endif
