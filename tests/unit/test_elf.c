/* Unit tests for common/loader/elf.c: valid ELF32/ELF64 PVH images, every malformation, loading. */
#include <keel/compiler.h>
#include <keel/elf_loader.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* tests/unit/shim_loader_elf.c */
extern const u64 test_elf_text_paddr, test_elf_text_off, test_elf_text_len;
extern const u64 test_elf_data_paddr, test_elf_data_off, test_elf_data_filesz, test_elf_data_memsz;
extern const u64 test_elf_note_off, test_elf_xen_note_off, test_elf_default_entry;
extern const size_t test_elf_size;
size_t test_elf_build(u8 *buf, bool is64, unsigned int note_desc_size, u64 entry,
		      unsigned int flags);
void test_elf_set_ehdr(u8 *img, bool is64, const char *field, u64 value);
void test_elf_set_phdr(u8 *img, bool is64, unsigned int idx, const char *field, u64 value);
#define TEST_ELF_NOTE_IN_SECTION_ONLY 1u

static u8 img[0x1000];
static size_t img_size;
static struct elf_pvh_info info;
static char err[ELF_PVH_ERR_MAX];

static void build(bool is64, unsigned int note_size, u64 entry, unsigned int flags)
{
	img_size = test_elf_build(img, is64, note_size, entry, flags);
}

/* Inspect an exact-size heap copy, so ASan catches any read past the end. */
static int inspect_size(size_t size)
{
	u8 *copy = malloc(size ? size : 1);
	int rc;

	memcpy(copy, img, size);
	rc = elf_pvh_inspect(copy, size, &info, err, sizeof(err));
	free(copy);
	return rc;
}

static int inspect(void)
{
	return inspect_size(img_size);
}

#define assert_refused(text)                                            \
	do {                                                            \
		assert_int_equal(inspect(), -EINVAL);                   \
		if (!strstr(err, (text)))                               \
			fail_msg("error '%s' lacks '%s'", err, (text)); \
	} while (0)

static void check_valid(bool is64, unsigned int note_size)
{
	build(is64, note_size, test_elf_default_entry, 0);
	assert_int_equal(inspect(), 0);
	assert_string_equal(err, "");
	assert_int_equal(info.elf_class, is64 ? 64 : 32);
	assert_int_equal(info.entry, test_elf_default_entry);
	assert_int_equal(info.nr_segments, 2);
	assert_int_equal(info.segments[0].paddr, test_elf_text_paddr);
	assert_int_equal(info.segments[0].offset, test_elf_text_off);
	assert_int_equal(info.segments[0].filesz, test_elf_text_len);
	assert_int_equal(info.segments[1].paddr, test_elf_data_paddr);
	assert_int_equal(info.segments[1].filesz, test_elf_data_filesz);
	assert_int_equal(info.segments[1].memsz, test_elf_data_memsz);
	assert_int_equal(info.paddr_lo, test_elf_text_paddr);
	assert_int_equal(info.paddr_hi, test_elf_data_paddr + test_elf_data_memsz);
	assert_int_equal(info.image_size, img_size);
}

static void test_valid_elf64_note8(void **state)
{
	check_valid(true, 8);
}

static void test_valid_elf64_note4(void **state)
{
	check_valid(true, 4);
}

static void test_valid_elf32_note4(void **state)
{
	check_valid(false, 4);
}

static void test_valid_elf32_note8(void **state)
{
	check_valid(false, 8);
}

static void test_note_found_through_sections(void **state)
{
	build(true, 8, 0x100020, TEST_ELF_NOTE_IN_SECTION_ONLY);
	assert_int_equal(inspect(), 0);
	assert_int_equal(info.entry, 0x100020);
	build(false, 4, 0x100030, TEST_ELF_NOTE_IN_SECTION_ONLY);
	assert_int_equal(inspect(), 0);
	assert_int_equal(info.entry, 0x100030);
}

/* A PT_NOTE with p_align 8 pads names and descriptors to 8 bytes. */
static void test_note_segment_aligned_to_8(void **state)
{
	static const u8 note[28] = {4,	 0, 0, 0, 8, 0, 0,    0, 18,   0, 0, 0, 'X', 'e',
				    'n', 0, 0, 0, 0, 0, 0x40, 0, 0x10, 0, 0, 0, 0,   0};

	build(true, 0, 0, 0);
	memcpy(img + test_elf_note_off, note, sizeof(note));
	test_elf_set_phdr(img, true, 2, "filesz", sizeof(note));
	test_elf_set_phdr(img, true, 2, "align", 8);
	assert_int_equal(inspect(), 0);
	assert_int_equal(info.entry, 0x100040);
	/* Read with 4-byte padding, the descriptor would start at the pad word. */
	test_elf_set_phdr(img, true, 2, "align", 4);
	assert_refused("PHYS32_ENTRY 0x10004000000000 is above 4 GiB");
}

static void test_truncated_header(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	assert_int_equal(inspect_size(0), -EINVAL);
	assert_int_equal(inspect_size(10), -EINVAL);
	assert_non_null(strstr(err, "bad magic"));
	assert_int_equal(inspect_size(40), -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	build(false, 4, test_elf_default_entry, 0);
	assert_int_equal(inspect_size(51), -EINVAL);
	assert_non_null(strstr(err, "truncated"));
}

/* Every prefix: refused until the last byte any header or segment needs, never a bad read. */
static void test_every_truncation(void **state)
{
	size_t n;

	build(true, 8, test_elf_default_entry, 0);
	for (n = 0; n < img_size; n++) {
		int rc = inspect_size(n);

		assert_int_equal(rc, n < test_elf_data_off + test_elf_data_filesz ? -EINVAL : 0);
	}
}

static void test_bad_magic(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	img[1] = 'e';
	assert_refused("bad magic");
}

static void test_bad_class(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	img[4] = 3;
	assert_refused("class 3");
}

static void test_big_endian_refused(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	img[5] = 2;
	assert_refused("little-endian");
}

static void test_wrong_machine(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, true, "machine", 3);
	assert_refused("machine 3 is not x86-64");
	build(false, 4, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, false, "machine", 40); /* ARM */
	assert_refused("machine 40 is not i386 (3) or x86-64 (62)");
	build(false, 4, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, false, "machine", 0);
	assert_refused("machine 0 is not i386");
}

/* ELF32 with e_machine x86-64 (a 64-bit kernel wrapped for its 32-bit PVH entry) loads. */
static void test_elf32_x86_64_machine(void **state)
{
	struct elf_pvh_info first;

	build(false, 4, test_elf_default_entry, 0);
	assert_int_equal(inspect(), 0);
	first = info;
	test_elf_set_ehdr(img, false, "machine", 62);
	assert_int_equal(inspect(), 0);
	assert_string_equal(err, "");
	assert_int_equal(info.elf_class, 32);
	assert_int_equal(info.entry, test_elf_default_entry);
	assert_memory_equal(&info, &first, sizeof(info));
	/* The ELF32 bounds checks still apply: a segment past 4 GiB, notes past the file. */
	test_elf_set_phdr(img, false, 1, "paddr", 0xffffff00);
	assert_refused("overflows");
	build(false, 4, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, false, "machine", 62);
	test_elf_set_phdr(img, false, 2, "filesz", 0x10000);
	assert_refused("PT_NOTE 2");
	build(false, 4, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, false, "machine", 62);
	test_elf_set_ehdr(img, false, "phnum", 0x100);
	assert_refused("end past the file");
}

static void test_not_executable(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, true, "type", 3);
	assert_refused("ET_EXEC");
}

static void test_header_sizes(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, true, "ehsize", 52);
	assert_refused("e_ehsize 52");
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, true, "phentsize", 32);
	assert_refused("e_phentsize 32");
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, true, "phnum", 0);
	assert_refused("0 program headers");
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, true, "phnum", 0xffff);
	assert_refused("65535 program headers");
}

static void test_phdrs_past_end(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, true, "phoff", img_size - 56);
	assert_refused("end past the file");
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, true, "phoff", ~0ULL - 8); /* offset + size overflows */
	assert_refused("end past the file");
	build(false, 4, test_elf_default_entry, 0);
	test_elf_set_ehdr(img, false, "phnum", 200);
	assert_refused("end past the file");
}

static void test_filesz_above_memsz(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_phdr(img, true, 1, "memsz", test_elf_data_filesz - 1);
	assert_refused("filesz 0x80 > memsz 0x7f");
}

static void test_segment_past_end_and_offset_overflow(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_phdr(img, true, 1, "offset", img_size - 0x10);
	assert_refused("PT_LOAD 1: file bytes");
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_phdr(img, true, 0, "offset", ~0ULL - 0x10);
	assert_refused("PT_LOAD 0: file bytes");
	build(false, 4, test_elf_default_entry, 0);
	test_elf_set_phdr(img, false, 0, "offset", 0xffffff80);
	assert_refused("PT_LOAD 0: file bytes");
}

static void test_paddr_overflow(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_phdr(img, true, 1, "paddr", ~0ULL - 0x100);
	assert_refused("overflows");
	build(false, 4, test_elf_default_entry, 0);
	test_elf_set_phdr(img, false, 1, "paddr", 0xffffff00); /* + 0x1000 passes 4 GiB */
	assert_refused("overflows");
}

static void test_overlapping_segments(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	test_elf_set_phdr(img, true, 1, "paddr", test_elf_text_paddr + 0x80);
	assert_refused("overlaps");
}

static void test_absurd_note_sizes(void **state)
{
	build(true, 8, test_elf_default_entry, 0);
	memcpy(img + test_elf_xen_note_off, "\xff\xff\xff\xff", 4); /* namesz */
	assert_refused("overruns");
	build(true, 8, test_elf_default_entry, 0);
	memcpy(img + test_elf_xen_note_off + 4, "\xfd\xff\xff\xff", 4); /* descsz */
	assert_refused("overruns");
	build(false, 4, test_elf_default_entry, 0);
	memcpy(img + test_elf_note_off, "\x00\x00\x00\x80", 4); /* the first note's namesz */
	assert_refused("overruns");
}

static void test_bad_note_desc_size(void **state)
{
	build(true, 2, test_elf_default_entry, 0);
	assert_refused("PHYS32_ENTRY note has 2 bytes");
}

static void test_missing_note(void **state)
{
	build(true, 0, 0, 0);
	assert_refused("no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH kernel");
	build(false, 0, 0, TEST_ELF_NOTE_IN_SECTION_ONLY);
	assert_refused("not a PVH kernel");
}

static void test_entry_above_4g(void **state)
{
	build(true, 8, 0x100000000ULL + 0x100010, 0);
	assert_refused("above 4 GiB");
}

static void test_entry_outside_segments(void **state)
{
	build(true, 8, 0x300000, 0);
	assert_refused("outside every PT_LOAD");
	/* In the bss is fine: it is loaded memory. */
	build(true, 4, test_elf_data_paddr + 0x800, 0);
	assert_int_equal(inspect(), 0);
}

/* Copy the ELF64 program headers to 0x480 with room for @nr; the image grows to 0x900. */
static void move_phdrs(unsigned int nr)
{
	memcpy(img + 0x480, img + 64, 3 * 56);
	test_elf_set_ehdr(img, true, "phoff", 0x480);
	test_elf_set_ehdr(img, true, "phnum", nr);
	img_size = 0x900;
	assert_true(0x480 + nr * 56 <= 0x900);
}

static u8 *phdr_at(unsigned int i)
{
	return img + 0x480 + i * 56;
}

static void test_conflicting_entry_notes(void **state)
{
	/* A second PT_NOTE over a copy of the Xen note at 0x800: same entry agrees, another not. */
	build(true, 8, test_elf_default_entry, 0);
	move_phdrs(4);
	memcpy(phdr_at(3), phdr_at(2), 56);
	memcpy(img + 0x800, img + test_elf_xen_note_off, 24);
	memcpy(phdr_at(3) + 8, &(u64){0x800}, 8); /* p_offset */
	memcpy(phdr_at(3) + 32, &(u64){24}, 8);	  /* p_filesz */
	assert_int_equal(inspect(), 0);
	assert_int_equal(info.entry, test_elf_default_entry);
	img[0x800 + 16] = 0x44; /* the descriptor's low byte */
	assert_refused("disagree");
}

static void test_too_many_load_segments(void **state)
{
	unsigned int i;

	build(true, 8, test_elf_default_entry, 0);
	move_phdrs(20);
	for (i = 0; i < 20; i++) {
		u64 paddr = test_elf_text_paddr + i * 0x1000;

		memcpy(phdr_at(i), img + 64, 56); /* the text segment's header */
		memcpy(phdr_at(i) + 24, &paddr, 8);
	}
	assert_refused("more than 16 PT_LOAD");
}

struct fake_guest {
	u8 *mem;
	size_t size;
	unsigned int writes, zeros;
	int fail_at; /* fail the Nth callback (1-based), 0 = never */
	unsigned int calls;
};

static int g_write(void *ctx, u64 gpa, const void *src, size_t len)
{
	struct fake_guest *g = ctx;

	if (++g->calls == (unsigned int)g->fail_at)
		return -EFAULT;
	assert_true(gpa <= g->size && len <= g->size - gpa);
	memcpy(g->mem + gpa, src, len);
	g->writes++;
	return 0;
}

static int g_zero(void *ctx, u64 gpa, size_t len)
{
	struct fake_guest *g = ctx;

	if (++g->calls == (unsigned int)g->fail_at)
		return -ENOMEM;
	assert_true(gpa <= g->size && len <= g->size - gpa);
	memset(g->mem + gpa, 0, len);
	g->zeros++;
	return 0;
}

static void check_load(bool is64)
{
	struct fake_guest g = {.size = 0x300000};
	size_t i;

	g.mem = malloc(g.size);
	memset(g.mem, 0xaa, g.size);
	build(is64, 8, test_elf_default_entry, 0);
	assert_int_equal(inspect(), 0);
	assert_int_equal(elf_pvh_load(img, &info, g_write, g_zero, &g), 0);
	assert_int_equal(g.writes, 2);
	assert_int_equal(g.zeros, 1); /* text has memsz == filesz */
	assert_memory_equal(g.mem + test_elf_text_paddr, img + test_elf_text_off,
			    test_elf_text_len);
	assert_memory_equal(g.mem + test_elf_data_paddr, img + test_elf_data_off,
			    test_elf_data_filesz);
	for (i = test_elf_data_filesz; i < test_elf_data_memsz; i++)
		assert_int_equal(g.mem[test_elf_data_paddr + i], 0);
	assert_int_equal(g.mem[test_elf_data_paddr + test_elf_data_memsz], 0xaa);
	assert_int_equal(g.mem[test_elf_text_paddr - 1], 0xaa);
	assert_int_equal(g.mem[test_elf_text_paddr + test_elf_text_len], 0xaa);
	free(g.mem);
}

static void test_load_elf64(void **state)
{
	check_load(true);
}

static void test_load_elf32(void **state)
{
	check_load(false);
}

static void test_load_stops_at_callback_error(void **state)
{
	struct fake_guest g = {.size = 0x300000, .fail_at = 3};

	g.mem = calloc(1, g.size);
	build(true, 8, test_elf_default_entry, 0);
	assert_int_equal(inspect(), 0);
	assert_int_equal(elf_pvh_load(img, &info, g_write, g_zero, &g), -ENOMEM);
	assert_int_equal(g.calls, 3);
	g.calls = 0;
	g.fail_at = 1;
	assert_int_equal(elf_pvh_load(img, &info, g_write, g_zero, &g), -EFAULT);
	assert_int_equal(g.calls, 1);
	free(g.mem);
}

static void test_load_refuses_inconsistent_info(void **state)
{
	struct fake_guest g = {.size = 0x300000};

	g.mem = calloc(1, g.size);
	build(true, 8, test_elf_default_entry, 0);
	assert_int_equal(inspect(), 0);
	info.segments[1].filesz = info.image_size; /* past the end of the image */
	assert_int_equal(elf_pvh_load(img, &info, g_write, g_zero, &g), -EINVAL);
	assert_int_equal(elf_pvh_load(NULL, &info, g_write, g_zero, &g), -EINVAL);
	assert_int_equal(elf_pvh_inspect(img, img_size, NULL, err, sizeof(err)), -EINVAL);
	free(g.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_elf64_note8),
	    cmocka_unit_test(test_valid_elf64_note4),
	    cmocka_unit_test(test_valid_elf32_note4),
	    cmocka_unit_test(test_valid_elf32_note8),
	    cmocka_unit_test(test_note_found_through_sections),
	    cmocka_unit_test(test_note_segment_aligned_to_8),
	    cmocka_unit_test(test_truncated_header),
	    cmocka_unit_test(test_every_truncation),
	    cmocka_unit_test(test_bad_magic),
	    cmocka_unit_test(test_bad_class),
	    cmocka_unit_test(test_big_endian_refused),
	    cmocka_unit_test(test_wrong_machine),
	    cmocka_unit_test(test_elf32_x86_64_machine),
	    cmocka_unit_test(test_not_executable),
	    cmocka_unit_test(test_header_sizes),
	    cmocka_unit_test(test_phdrs_past_end),
	    cmocka_unit_test(test_filesz_above_memsz),
	    cmocka_unit_test(test_segment_past_end_and_offset_overflow),
	    cmocka_unit_test(test_paddr_overflow),
	    cmocka_unit_test(test_overlapping_segments),
	    cmocka_unit_test(test_absurd_note_sizes),
	    cmocka_unit_test(test_bad_note_desc_size),
	    cmocka_unit_test(test_missing_note),
	    cmocka_unit_test(test_entry_above_4g),
	    cmocka_unit_test(test_entry_outside_segments),
	    cmocka_unit_test(test_conflicting_entry_notes),
	    cmocka_unit_test(test_too_many_load_segments),
	    cmocka_unit_test(test_load_elf64),
	    cmocka_unit_test(test_load_elf32),
	    cmocka_unit_test(test_load_stops_at_callback_error),
	    cmocka_unit_test(test_load_refuses_inconsistent_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
