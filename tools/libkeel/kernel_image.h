/* libkeel: a kernel file (a PVH ELF, compressed or not, or a bzImage around one) made the ELF. */
#ifndef LIBKEEL_KERNEL_IMAGE_H
#define LIBKEEL_KERNEL_IMAGE_H

#include <stddef.h>

/* The largest decompressed kernel accepted (a bzImage's payload says its own size). */
#define KEEL_KERNEL_MAX_ELF (512u << 20)

/*
 * @file (@len bytes): an ELF file is copied; an ELF compressed whole (gzip, xz, zstd, legacy
 * lz4: a vmlinux as `xz` or `zstd` leave it) is decompressed; a bzImage (protocol 2.08+) has its
 * payload decompressed (gzip, xz, zstd or legacy lz4, with Debian's zlib, liblzma, libzstd,
 * liblz4). 0 with *@elf (malloc'd, the caller frees it) and *@elf_len, or -1 with what is wrong
 * in @why. Whether the ELF is a usable PVH kernel is keel_elf_parse's to say.
 */
int keel_kernel_image(const void *file, size_t len, void **elf, size_t *elf_len, char *why,
		      size_t why_len);

#endif
