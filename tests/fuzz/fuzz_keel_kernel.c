/* fuzz_keel_kernel.c: libkeel's bzImage unwrapping and decompression on arbitrary files. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../tools/libkeel/kernel_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[200];
	size_t len;
	void *elf;

	if (keel_kernel_image(data, size, &elf, &len, why, sizeof(why))) {
		if (elf || len)
			__builtin_trap();
		return 0;
	}
	if (!elf || len > KEEL_KERNEL_MAX_ELF)
		__builtin_trap();
	free(elf);
	return 0;
}
