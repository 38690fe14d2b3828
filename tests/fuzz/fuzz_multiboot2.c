/* libFuzzer target for arch/x86/boot/multiboot2.c: arbitrary boot-information blocks. */
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/multiboot2.h>
#include <keel/string.h>
#include <stdlib.h>

void shim_printk_reset(void); /* tests/unit/shim_lib_printk.c */

static struct boot_info bi;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_string(const char *s, size_t size)
{
	if (strnlen(s, size) >= size)
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	unsigned char *block;
	unsigned int i;
	int rc;

	if (size < 1)
		return 0;
	/* Byte 0 picks a mode; the block is the rest, in an exact-size buffer for ASan. */
	block = malloc(size - 1 ? size - 1 : 1);
	memcpy(block, data + 1, size - 1);
	/* Mode bit 0: make total_size agree with the input so the tag walk gets deep. */
	if ((data[0] & 1) && size - 1 >= 4) {
		unsigned int total = (unsigned int)(size - 1);

		memcpy(block, &total, 4);
	}
	shim_printk_reset();
	rc = mb2_parse(block, size - 1, &bi);
	if (rc != 0 && rc != -EINVAL)
		abort();
	if (bi.nr_memmap > BOOT_MAX_MEMMAP || bi.nr_modules > BOOT_MAX_MODULES)
		abort();
	if (bi.rsdp_len != 0 && bi.rsdp_len != 20 && bi.rsdp_len != 36)
		abort();
	check_string(bi.cmdline, sizeof(bi.cmdline));
	check_string(bi.loader_name, sizeof(bi.loader_name));
	for (i = 0; i < bi.nr_modules; i++) {
		check_string(bi.modules[i].cmdline, sizeof(bi.modules[i].cmdline));
		if (bi.modules[i].end < bi.modules[i].start)
			abort();
	}
	for (i = 0; i < bi.nr_memmap; i++) {
		if (!bi.memmap[i].size ||
		    bi.memmap[i].start + bi.memmap[i].size < bi.memmap[i].start)
			abort();
		if (i && bi.memmap[i - 1].start > bi.memmap[i].start)
			abort();
	}
	free(block);
	return 0;
}
