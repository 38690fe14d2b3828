/* fuzz_keel_elf.c: libkeel's ELF checker on arbitrary kernel images: what it accepts is sane. */
#include <stddef.h>
#include <stdint.h>

#include "../../tools/libkeel/elf_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keel_elf_image img;
	char why[160];
	int entry_inside = 0;

	if (keel_elf_parse(data, size, &img, why, sizeof(why)))
		return 0;
	/* Accepted: every segment inside the file and below 4 GiB, none overlapping, the entry in
	 * one of them. */
	if (!img.nr_segments || img.nr_segments > KEEL_ELF_MAX_SEGMENTS)
		__builtin_trap();
	for (unsigned int i = 0; i < img.nr_segments; i++) {
		const struct keel_elf_segment *s = &img.segments[i];

		if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz ||
		    s->paddr + s->memsz > (1ULL << 32) || s->paddr < img.lo ||
		    s->paddr + s->memsz > img.hi)
			__builtin_trap();
		for (unsigned int j = 0; j < i; j++) {
			const struct keel_elf_segment *o = &img.segments[j];

			if (s->paddr < o->paddr + o->memsz && o->paddr < s->paddr + s->memsz)
				__builtin_trap();
		}
		entry_inside |= img.entry >= s->paddr && img.entry < s->paddr + s->memsz;
	}
	if (!entry_inside)
		__builtin_trap();
	return 0;
}
