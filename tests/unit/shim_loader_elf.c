/* Host helper for loader tests and fuzzers: builds small valid PVH ELF32/ELF64 images to corrupt. */
#include <keel/compiler.h>
#include <keel/string.h>
#include <keel/types.h>

/*
 * Image layout (both classes):
 *   0x000 ELF header, then program headers: [0] PT_LOAD text, [1] PT_LOAD data+bss, [2] PT_NOTE
 *   0x100 notes: an unrelated "GNU" note, then the Xen PHYS32_ENTRY note (desc 4 or 8 bytes)
 *   0x200 text (0x100 bytes)  -> paddr 0x100000, memsz 0x100
 *   0x300 data (0x80 bytes)   -> paddr 0x200000, memsz 0x1000 (the rest is bss)
 *   0x400 section headers: [0] null, [1] SHT_NOTE over the notes
 */
const u64 test_elf_text_paddr = 0x100000, test_elf_text_off = 0x200, test_elf_text_len = 0x100;
const u64 test_elf_data_paddr = 0x200000, test_elf_data_off = 0x300, test_elf_data_filesz = 0x80,
	  test_elf_data_memsz = 0x1000;
const u64 test_elf_note_off = 0x100;
const u64 test_elf_xen_note_off = 0x118; /* after the 24-byte GNU note */
const u64 test_elf_default_entry = 0x100010;
const size_t test_elf_size = 0x400 + 2 * 64; /* the larger (ELF64) size */

/* test_elf_build flags */
#define TEST_ELF_NOTE_IN_SECTION_ONLY 1u /* no PT_NOTE: the note is found via SHT_NOTE only */

static void put(u8 *p, size_t off, u64 v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[off + i] = (u8)(v >> (8 * i));
}

static const char *const ehdr_fields[] = {"type",      "machine", "phoff",     "shoff", "ehsize",
					  "phentsize", "phnum",	  "shentsize", "shnum"};
static const unsigned int ehdr64_off[] = {16, 18, 32, 40, 52, 54, 56, 58, 60};
static const unsigned int ehdr32_off[] = {16, 18, 28, 32, 40, 42, 44, 46, 48};
static const unsigned int ehdr_size[] = {2, 2, 0, 0, 2, 2, 2, 2, 2}; /* 0: class-sized */

static const char *const phdr_fields[] = {"type", "offset", "paddr", "filesz", "memsz", "align"};
static const unsigned int phdr64_off[] = {0, 8, 24, 32, 40, 48};
static const unsigned int phdr32_off[] = {0, 4, 12, 16, 20, 28};

static int field_index(const char *const *names, size_t n, const char *field)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], field) == 0)
			return (int)i;
	}
	__builtin_trap(); /* a typo in a test */
}

/* Set ELF header @field ("type", "machine", "phoff", "shoff", "ehsize", "phentsize", ...). */
void test_elf_set_ehdr(u8 *img, bool is64, const char *field, u64 value)
{
	int i = field_index(ehdr_fields, ARRAY_SIZE(ehdr_fields), field);
	unsigned int bytes = ehdr_size[i] ? ehdr_size[i] : (is64 ? 8 : 4);

	put(img, is64 ? ehdr64_off[i] : ehdr32_off[i], value, bytes);
}

/* Set program header @idx's @field ("type", "offset", "paddr", "filesz", "memsz", "align"). */
void test_elf_set_phdr(u8 *img, bool is64, unsigned int idx, const char *field, u64 value)
{
	int i = field_index(phdr_fields, ARRAY_SIZE(phdr_fields), field);
	size_t base = (is64 ? 64 : 52) + idx * (is64 ? 56 : 32);

	put(img, base + (is64 ? phdr64_off[i] : phdr32_off[i]), value, is64 && i != 0 ? 8 : 4);
}

/* Write one note at @off; returns its size with padding to 4. */
static size_t put_note(u8 *img, size_t off, const char *name, u32 type, u64 desc, u32 descsz)
{
	u32 namesz = (u32)strlen(name) + 1;
	size_t name_room = (namesz + 3) & ~3u;

	put(img, off, namesz, 4);
	put(img, off + 4, descsz, 4);
	put(img, off + 8, type, 4);
	memcpy(img + off + 12, name, namesz);
	put(img, off + 12 + name_room, desc, descsz);
	return 12 + name_room + ((descsz + 3) & ~3u);
}

/*
 * Build the image into @buf (at least test_elf_size bytes, zeroed here) with a Xen entry note of
 * @note_desc_size bytes (0: none) holding @entry. Returns the image size.
 */
size_t test_elf_build(u8 *buf, bool is64, unsigned int note_desc_size, u64 entry,
		      unsigned int flags)
{
	bool with_pt_note = !(flags & TEST_ELF_NOTE_IN_SECTION_ONLY);
	size_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32, shsize = is64 ? 64 : 40;
	size_t notes_len, i;

	memset(buf, 0, test_elf_size);
	memcpy(buf, "\177ELF", 4);
	buf[4] = is64 ? 2 : 1; /* class */
	buf[5] = 1;	       /* little-endian */
	buf[6] = 1;	       /* version */
	test_elf_set_ehdr(buf, is64, "type", 2);
	test_elf_set_ehdr(buf, is64, "machine", is64 ? 62 : 3);
	put(buf, 20, 1, 4); /* e_version */
	put(buf, 24, test_elf_default_entry, is64 ? 8 : 4);
	test_elf_set_ehdr(buf, is64, "phoff", ehsize);
	test_elf_set_ehdr(buf, is64, "shoff", 0x400);
	test_elf_set_ehdr(buf, is64, "ehsize", ehsize);
	test_elf_set_ehdr(buf, is64, "phentsize", phsize);
	test_elf_set_ehdr(buf, is64, "phnum", with_pt_note ? 3 : 2);
	test_elf_set_ehdr(buf, is64, "shentsize", shsize);
	test_elf_set_ehdr(buf, is64, "shnum", 2);

	notes_len = put_note(buf, test_elf_note_off, "GNU", 3, 0x1122334455667788ULL, 8);
	if (note_desc_size)
		notes_len +=
		    put_note(buf, test_elf_note_off + notes_len, "Xen", 18, entry, note_desc_size);

	test_elf_set_phdr(buf, is64, 0, "type", 1);
	test_elf_set_phdr(buf, is64, 0, "offset", test_elf_text_off);
	test_elf_set_phdr(buf, is64, 0, "paddr", test_elf_text_paddr);
	test_elf_set_phdr(buf, is64, 0, "filesz", test_elf_text_len);
	test_elf_set_phdr(buf, is64, 0, "memsz", test_elf_text_len);
	test_elf_set_phdr(buf, is64, 0, "align", 0x1000);
	test_elf_set_phdr(buf, is64, 1, "type", 1);
	test_elf_set_phdr(buf, is64, 1, "offset", test_elf_data_off);
	test_elf_set_phdr(buf, is64, 1, "paddr", test_elf_data_paddr);
	test_elf_set_phdr(buf, is64, 1, "filesz", test_elf_data_filesz);
	test_elf_set_phdr(buf, is64, 1, "memsz", test_elf_data_memsz);
	test_elf_set_phdr(buf, is64, 1, "align", 0x1000);
	if (with_pt_note) {
		test_elf_set_phdr(buf, is64, 2, "type", 4);
		test_elf_set_phdr(buf, is64, 2, "offset", test_elf_note_off);
		test_elf_set_phdr(buf, is64, 2, "filesz", notes_len);
		test_elf_set_phdr(buf, is64, 2, "align", 4);
	}

	for (i = 0; i < test_elf_text_len; i++)
		buf[test_elf_text_off + i] = (u8)(0x90 + i);
	for (i = 0; i < test_elf_data_filesz; i++)
		buf[test_elf_data_off + i] = (u8)(0xd0 ^ i);

	/* Section 1: SHT_NOTE over the notes (type @4, offset/size class-sized). */
	put(buf, 0x400 + shsize + 4, 7, 4);
	put(buf, 0x400 + shsize + (is64 ? 24 : 16), test_elf_note_off, is64 ? 8 : 4);
	put(buf, 0x400 + shsize + (is64 ? 32 : 20), notes_len, is64 ? 8 : 4);
	put(buf, 0x400 + shsize + (is64 ? 48 : 32), 4, is64 ? 8 : 4);
	return 0x400 + 2 * shsize;
}
