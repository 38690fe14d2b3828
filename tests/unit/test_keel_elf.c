/* test_keel_elf.c: libkeel's ELF checker: good PVH images, and every malformed header refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/libkeel/elf_image.h"

/* An image: header, 3 program headers (text, data, note), the note, then segment bytes. */
#define PH_OFF	 64
#define NOTE_OFF (PH_OFF + 3 * 56)
#define TEXT_OFF 0x200
#define IMG_SIZE 0x800

static uint8_t img[IMG_SIZE];
static char why[160];
static struct keel_elf_image out;

static struct keel_elf64_ehdr *eh(void)
{
	return (struct keel_elf64_ehdr *)img;
}

static struct keel_elf64_phdr *ph(unsigned int i)
{
	return (struct keel_elf64_phdr *)(img + PH_OFF + i * sizeof(struct keel_elf64_phdr));
}

static void build(uint32_t entry)
{
	uint32_t note[5] = {4, 4, 18, 0, entry};

	memset(img, 0, sizeof(img));
	memcpy(eh()->ident, "\177ELF\2\1\1", 7);
	eh()->type = 2;
	eh()->machine = 62;
	eh()->version = 1;
	eh()->phoff = PH_OFF;
	eh()->ehsize = 64;
	eh()->phentsize = 56;
	eh()->phnum = 3;
	*ph(0) = (struct keel_elf64_phdr){1, 5, TEXT_OFF, 0, 0x100000, 0x100, 0x100, 0x1000};
	*ph(1) =
	    (struct keel_elf64_phdr){1, 6, TEXT_OFF + 0x100, 0, 0x101000, 0x80, 0x2000, 0x1000};
	memcpy(&note[3], "Xen", 4);
	*ph(2) = (struct keel_elf64_phdr){4, 4, NOTE_OFF, 0, 0, sizeof(note), sizeof(note), 4};
	memcpy(img + NOTE_OFF, note, sizeof(note));
}

static int parse(size_t len)
{
	return keel_elf_parse(img, len, &out, why, sizeof(why));
}

static void test_good_image(void **state)
{
	(void)state;
	build(0x100010);
	assert_int_equal(parse(sizeof(img)), 0);
	assert_int_equal(out.entry, 0x100010);
	assert_int_equal(out.nr_segments, 2);
	assert_int_equal(out.lo, 0x100000);
	assert_int_equal(out.hi, 0x103000);
	assert_int_equal(out.segments[1].filesz, 0x80);
	assert_int_equal(out.segments[1].memsz, 0x2000);
}

static void expect_refused(const char *what)
{
	assert_int_equal(parse(sizeof(img)), -1);
	assert_non_null(strstr(why, what));
}

static void test_bad_headers(void **state)
{
	(void)state;
	assert_int_equal(parse(63), -1);
	build(0x100010);
	img[1] = 'X';
	expect_refused("no \\177ELF");
	build(0x100010);
	img[4] = 1; /* ELF32 */
	expect_refused("ELF64");
	build(0x100010);
	eh()->machine = 3;
	expect_refused("x86-64");
	build(0x100010);
	eh()->type = 3; /* a shared object */
	expect_refused("x86-64 executable");
	build(0x100010);
	eh()->phentsize = 32;
	expect_refused("program headers");
	build(0x100010);
	eh()->phoff = IMG_SIZE - 56;
	expect_refused("program headers");
	build(0x100010);
	eh()->phoff = UINT64_MAX - 8; /* offset + size wraps */
	expect_refused("program headers");
	build(0x100010);
	eh()->phnum = 0;
	expect_refused("program headers");
}

static void test_bad_segments(void **state)
{
	(void)state;
	build(0x100010);
	ph(0)->offset = IMG_SIZE - 0x10;
	expect_refused("outside the file");
	build(0x100010);
	ph(0)->offset = UINT64_MAX - 0x10; /* wraps */
	expect_refused("outside the file");
	build(0x100010);
	ph(1)->filesz = 0x3000;
	expect_refused("outside the file");
	build(0x100010);
	ph(1)->memsz = 0x10; /* less than filesz */
	expect_refused("below 4 GiB");
	build(0x100010);
	ph(0)->paddr = 0xFFFFFF80; /* crosses 4 GiB */
	expect_refused("below 4 GiB");
	build(0x100010);
	ph(1)->paddr = 0x1000F0; /* overlaps the text */
	expect_refused("overlaps");
	build(0x100010);
	ph(0)->type = ph(1)->type = 6; /* PT_PHDR: nothing to load */
	expect_refused("no loadable segment");
}

static void test_too_many_segments(void **state)
{
	struct keel_elf64_phdr load = {1, 5, TEXT_OFF, 0, 0, 0x10, 0x10, 16};
	uint32_t note[5] = {4, 4, 18, 0, 0x200000};

	(void)state;
	memset(img, 0, sizeof(img));
	build(0x200000);
	eh()->phnum = 17;
	for (unsigned int i = 0; i < 16; i++) {
		load.paddr = 0x200000 + i * 0x10;
		*ph(i) = load;
	}
	memcpy(&note[3], "Xen", 4);
	memcpy(img + 0x600, note, sizeof(note));
	*ph(16) = (struct keel_elf64_phdr){4, 4, 0x600, 0, 0, sizeof(note), sizeof(note), 4};
	assert_int_equal(parse(sizeof(img)), 0);
	assert_int_equal(out.nr_segments, 16);
	eh()->phnum = 17;
	ph(16)->type = 1;
	ph(16)->paddr = 0x300000;
	expect_refused("more than 16");
}

static void test_entry_note(void **state)
{
	(void)state;
	build(0x500000);
	expect_refused("in no loaded segment");
	build(0x100010);
	ph(2)->type = 0;
	expect_refused("no PVH entry note");
	build(0x100010);
	img[NOTE_OFF + 12] = 'Y'; /* owner "Yen" */
	expect_refused("no PVH entry note");
	build(0x100010);
	((uint32_t *)(img + NOTE_OFF))[0] = 0xFFFFFFF0u; /* name size beyond the segment */
	expect_refused("no PVH entry note");
	build(0x100010);
	((uint32_t *)(img + NOTE_OFF))[1] = 0xFFFFFFFFu; /* descriptor size beyond it */
	expect_refused("no PVH entry note");
	build(0x100010);
	ph(2)->filesz = 19; /* the descriptor cut short */
	expect_refused("no PVH entry note");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_image),	 cmocka_unit_test(test_bad_headers),
	    cmocka_unit_test(test_bad_segments), cmocka_unit_test(test_too_many_segments),
	    cmocka_unit_test(test_entry_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
