/* A domain's kernel module seen as a PVH ELF: as is, or decompressed from a Linux bzImage. */
#ifndef KEEL_KERNEL_IMAGE_H
#define KEEL_KERNEL_IMAGE_H

#include <keel/types.h>

#define KERNEL_IMAGE_ERR_MAX 192 /* a comfortable size for @err */

struct kernel_image {
	const void *elf; /* the ELF to inspect and load */
	size_t elf_size;
	bool from_bzimage;
	paddr_t buf; /* frames holding the decompressed ELF (INVALID_PADDR: none) */
	u64 buf_frames;
};

/*
 * Make @ki describe the ELF in @module (@size bytes): an ELF is used in place; a bzImage is
 * decompressed into frames taken for the purpose, logged as @label (e.g. "module 1 ('linux')").
 * Returns 0, or a negative errno with the reason in @err (@errlen bytes); @ki then holds nothing.
 */
int kernel_image_open(const void *module, size_t size, const char *label, struct kernel_image *ki,
		      char *err, size_t errlen);
/* Give back every byte kernel_image_open took (once the ELF is loaded); @ki holds nothing after. */
void kernel_image_close(struct kernel_image *ki);

#endif
