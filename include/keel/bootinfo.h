/* What the boot loader told Keel: command line, memory map, modules, ACPI RSDP (arch-neutral form). */
#ifndef KEEL_BOOTINFO_H
#define KEEL_BOOTINFO_H

#include <keel/types.h>

#define BOOT_MAX_MEMMAP		128
#define BOOT_MAX_MODULES	16
#define BOOT_CMDLINE_MAX	1024
#define BOOT_MODULE_CMDLINE_MAX 256
#define BOOT_RSDP_MAX		36

/* E820-style memory types (same numbers as multiboot2 and the PVH memmap). */
enum mem_type {
	MEM_RAM = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIM = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct boot_mem_range {
	paddr_t start;
	u64 size;
	u32 type;
};

struct boot_module {
	paddr_t start;
	paddr_t end; /* exclusive */
	char cmdline[BOOT_MODULE_CMDLINE_MAX];
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[64];
	unsigned int nr_memmap;
	struct boot_mem_range memmap[BOOT_MAX_MEMMAP];
	unsigned int nr_modules;
	struct boot_module modules[BOOT_MAX_MODULES];
	u8 rsdp[BOOT_RSDP_MAX]; /* copy of the RSDP (v1: 20 bytes, v2: 36 bytes) */
	u32 rsdp_len;		/* 0: the loader gave none */
	/* Where the loader's own info block lies (to keep it reserved). */
	paddr_t mbi_start, mbi_end;
};

#endif
