/* libkeel: a kernel file (PVH ELF, or a Linux bzImage around one) turned into the ELF to load. */
#ifndef LIBKEEL_KERNEL_IMAGE_H
#define LIBKEEL_KERNEL_IMAGE_H

#include <stddef.h>

/* The largest decompressed kernel accepted (a bzImage's payload says its own size). */
#define KEEL_KERNEL_MAX_ELF (512u << 20)

/*
 * @file (@len bytes): an ELF file is copied; a bzImage (boot protocol 2.08 or later) has its
 * payload decompressed (gzip, xz, zstd or legacy lz4, with Debian's zlib, liblzma, libzstd,
 * liblz4). 0 with *@elf (malloc'd, the caller frees it) and *@elf_len, or -1 with what is wrong
 * in @why. Whether the ELF is a usable PVH kernel is keel_elf_parse's to say.
 */
int keel_kernel_image(const void *file, size_t len, void **elf, size_t *elf_len, char *why,
		      size_t why_len);

#endif
