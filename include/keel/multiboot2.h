/* Multiboot2: magic numbers, header/info tag numbers and layouts, and the boot-info parser. */
#ifndef KEEL_MULTIBOOT2_H
#define KEEL_MULTIBOOT2_H

/* In the OS image's header (must lie in the first 32 KiB, 8-byte aligned). */
#define MB2_HEADER_MAGIC     0xe85250d6
#define MB2_HEADER_ARCH_I386 0
/* In EAX when the boot loader jumps to the image; EBX holds the info block's physical address. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289

/* Header tags (image -> loader). */
#define MB2_HEADER_TAG_END	    0
#define MB2_HEADER_TAG_INFO_REQUEST 1
#define MB2_HEADER_TAG_ADDRESS	    2
#define MB2_HEADER_TAG_ENTRY	    3
#define MB2_HEADER_TAG_CONSOLE	    4
#define MB2_HEADER_TAG_FRAMEBUFFER  5
#define MB2_HEADER_TAG_MODULE_ALIGN 6
#define MB2_HEADER_TAG_EFI_BS	    7
#define MB2_HEADER_TAG_ENTRY_EFI32  8
#define MB2_HEADER_TAG_ENTRY_EFI64  9
#define MB2_HEADER_TAG_RELOCATABLE  10
#define MB2_HEADER_TAG_OPTIONAL	    1 /* flags bit 0: the loader may ignore the tag */

/* Boot information tags (loader -> image). */
#define MB2_TAG_END	      0
#define MB2_TAG_CMDLINE	      1
#define MB2_TAG_LOADER_NAME   2
#define MB2_TAG_MODULE	      3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV	      5
#define MB2_TAG_MMAP	      6
#define MB2_TAG_VBE	      7
#define MB2_TAG_FRAMEBUFFER   8
#define MB2_TAG_ELF_SECTIONS  9
#define MB2_TAG_APM	      10
#define MB2_TAG_EFI32	      11
#define MB2_TAG_EFI64	      12
#define MB2_TAG_SMBIOS	      13
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15
#define MB2_TAG_NETWORK	      16
#define MB2_TAG_EFI_MMAP      17
#define MB2_TAG_EFI_BS	      18
#define MB2_TAG_EFI32_IH      19
#define MB2_TAG_EFI64_IH      20
#define MB2_TAG_LOAD_BASE     21

#define MB2_TAG_ALIGN 8

#ifndef __ASSEMBLY__

#include <keel/bootinfo.h>
#include <keel/types.h>

/* The info block starts with this header; 8-byte aligned tags follow, up to an END tag. */
struct mb2_info_header {
	u32 total_size; /* bytes, header and END tag included */
	u32 reserved;
};

struct mb2_tag {
	u32 type;
	u32 size; /* header included, padding to MB2_TAG_ALIGN excluded */
};

struct mb2_tag_string { /* CMDLINE, LOADER_NAME */
	struct mb2_tag tag;
	char string[]; /* NUL-terminated */
};

struct mb2_tag_module {
	struct mb2_tag tag;
	u32 mod_start;
	u32 mod_end; /* exclusive */
	char string[];
};

struct mb2_mmap_entry {
	u64 base;
	u64 len;
	u32 type; /* enum mem_type numbering */
	u32 reserved;
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	u32 entry_size; /* >= sizeof(struct mb2_mmap_entry); entries are this far apart */
	u32 entry_version;
	/* struct mb2_mmap_entry entries[] */
};

struct mb2_tag_rsdp { /* ACPI_OLD (RSDP v1, 20 bytes), ACPI_NEW (v2+, 36 bytes) */
	struct mb2_tag tag;
	u8 rsdp[];
};

/*
 * Fill @out from the multiboot2 info block at @mbi, of which at most @max_len bytes may be
 * read. Everything is validated against total_size and @max_len; bad structure is refused with
 * -EINVAL (and a pr_err), odd but harmless content is fixed up with a warning. @out is cleared
 * first, so mbi_start/mbi_end come back 0: the caller, which knows the block's physical
 * address, fills them in afterwards. The memory map comes back sorted by start.
 */
int mb2_parse(const void *mbi, size_t max_len, struct boot_info *out);

#endif /* __ASSEMBLY__ */
#endif
