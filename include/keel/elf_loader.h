/* Validate a PVH guest kernel (ELF32/ELF64 x86) and copy its segments into guest memory. */
#ifndef KEEL_ELF_LOADER_H
#define KEEL_ELF_LOADER_H

#include <keel/types.h>

#define ELF_PVH_MAX_SEGMENTS 16	  /* PT_LOAD segments with memsz > 0 */
#define ELF_PVH_MAX_NOTES    4096 /* notes walked in all, over every PT_NOTE / SHT_NOTE */
#define ELF_PVH_ERR_MAX	     160  /* a comfortable size for @err */

struct elf_pvh_segment {
	u64 paddr;  /* guest-physical load address (p_paddr) */
	u64 offset; /* in the image */
	u64 filesz; /* bytes copied from the image */
	u64 memsz;  /* bytes in guest memory; memsz - filesz are zeroed */
};

struct elf_pvh_info {
	unsigned int elf_class; /* 32 or 64 */
	u32 entry;		/* XEN_ELFNOTE_PHYS32_ENTRY: 32-bit protected-mode entry GPA */
	unsigned int nr_segments;
	struct elf_pvh_segment segments[ELF_PVH_MAX_SEGMENTS];
	u64 paddr_lo;	   /* lowest GPA loaded */
	u64 paddr_hi;	   /* one past the highest GPA loaded */
	size_t image_size; /* the size inspected */
};

/*
 * Check @image (@size bytes, any alignment) and describe it in @out: an x86 ET_EXEC ELF (64-bit
 * x86-64, or 32-bit with e_machine i386 or x86-64; little-endian) whose headers and PT_LOAD
 * segments lie inside the file, do not overlap, and carry a Xen PHYS32_ENTRY note (4 or 8 bytes,
 * below 4 GiB) pointing into a loaded segment. Returns 0, or -EINVAL with the reason in @err (@errlen bytes, may be 0).
 */
int elf_pvh_inspect(const void *image, size_t size, struct elf_pvh_info *out, char *err,
		    size_t errlen);

/*
 * Load the image @info describes: for each segment, @write its filesz bytes at its paddr and
 * @zero the remaining memsz - filesz. Stops at and returns the first callback error; else 0.
 */
int elf_pvh_load(const void *image, const struct elf_pvh_info *info,
		 int (*write)(void *ctx, u64 gpa, const void *src, size_t len),
		 int (*zero)(void *ctx, u64 gpa, size_t len), void *ctx);

#endif
