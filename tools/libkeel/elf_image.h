/* libkeel: a PVH kernel's ELF64 image checked and described for the domain builder. */
#ifndef LIBKEEL_ELF_IMAGE_H
#define LIBKEEL_ELF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define KEEL_ELF_MAX_SEGMENTS 16

/* The ELF64 file and program headers (the ELF format's layout). */
struct keel_elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct keel_elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct keel_elf_segment {
	uint64_t paddr;	 /* guest-physical load address */
	uint64_t offset; /* in the file */
	uint64_t filesz; /* bytes copied from the file; the rest up to memsz is zero */
	uint64_t memsz;
};

struct keel_elf_image {
	uint32_t entry; /* the PVH 32-bit entry point (Xen note 18) */
	unsigned int nr_segments;
	struct keel_elf_segment segments[KEEL_ELF_MAX_SEGMENTS];
	uint64_t lo, hi; /* lowest and end of the highest guest-physical byte loaded */
};

/*
 * Check @len bytes at @image: an x86-64 ELF64 executable whose PT_LOAD segments lie inside the
 * file and below 4 GiB, with a PVH entry note pointing into one of them. 0 and *@out, or -1 with
 * what is wrong in @why (NUL-terminated, at most @why_len bytes).
 */
int keel_elf_parse(const void *image, size_t len, struct keel_elf_image *out, char *why,
		   size_t why_len);

#endif
