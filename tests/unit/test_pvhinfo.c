/* Unit tests for common/loader/pvh_info.c: guest memmap holes, start-info layout and limits. */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/pvh_info.h>
#include <keel/string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

#define MiB_(x) ((u64)(x) << 20)
#define GiB_(x) ((u64)(x) << 30)

static struct pvh_memmap_entry map[8];

static void check_entry(unsigned int i, u64 addr, u64 size, u32 type)
{
	assert_int_equal(map[i].addr, addr);
	assert_int_equal(map[i].size, size);
	assert_int_equal(map[i].type, type);
	assert_int_equal(map[i].reserved, 0);
}

static void test_memmap_small_guest(void **state)
{
	assert_int_equal(pvh_guest_memmap(MiB_(64), map, 8), 3);
	check_entry(0, 0, MiB_(64), PVH_MEMMAP_RAM);	   /* includes RAM below 1 MiB */
	check_entry(1, 0xFC000000, 4096, PVH_MEMMAP_ACPI); /* the guest ACPI tables */
	check_entry(2, 0xFEFF8000, 8 * 4096, PVH_MEMMAP_RESERVED);
	assert_int_equal(pvh_guest_memmap(MiB_(1), map, 8), 3);
	check_entry(0, 0, MiB_(1), PVH_MEMMAP_RAM);
}

static void test_memmap_at_and_past_the_hole(void **state)
{
	assert_int_equal(pvh_guest_memmap(GiB_(3), map, 8), 3);
	check_entry(0, 0, GiB_(3), PVH_MEMMAP_RAM);
	assert_int_equal(pvh_guest_memmap(GiB_(3) + 4096, map, 8), 4);
	check_entry(0, 0, GiB_(3), PVH_MEMMAP_RAM);
	check_entry(3, GiB_(4), 4096, PVH_MEMMAP_RAM);
	assert_int_equal(pvh_guest_memmap(GiB_(5), map, 8), 4);
	check_entry(0, 0, GiB_(3), PVH_MEMMAP_RAM);
	check_entry(1, 0xFC000000, 4096, PVH_MEMMAP_ACPI);
	check_entry(2, 0xFEFF8000, 8 * 4096, PVH_MEMMAP_RESERVED);
	check_entry(3, GiB_(4), GiB_(2), PVH_MEMMAP_RAM);
	/* Sorted, not overlapping, the hole keeps the LAPIC and IOAPIC out of RAM. */
	assert_true(map[0].addr + map[0].size <= 0xFEC00000);
	assert_true(map[1].addr + map[1].size <= 0xFEC00000);
	assert_true(map[1].addr + map[1].size <= map[2].addr);
	assert_true(map[2].addr + map[2].size <= map[3].addr);
}

static void test_memmap_refusals(void **state)
{
	assert_int_equal(pvh_guest_memmap(0, map, 8), -EINVAL);
	assert_int_equal(pvh_guest_memmap(MiB_(1) - 4096, map, 8), -EINVAL);
	assert_int_equal(pvh_guest_memmap(MiB_(64) + 1, map, 8), -EINVAL);
	assert_int_equal(pvh_guest_memmap(~0ULL & ~4095ULL, map, 8), -EINVAL);
	assert_int_equal(pvh_guest_memmap(MiB_(64), map, 2), -ENOSPC);
	assert_int_equal(pvh_guest_memmap(GiB_(5), map, 3), -ENOSPC);
	assert_int_equal(pvh_guest_memmap(GiB_(5), NULL, 0), -ENOSPC);
}

static void test_memmap_holes(void **state)
{
	struct pvh_memmap_entry holes[PVH_MAX_HOLES + 1] = {
	    {0xb8000, 0x1000, 0, 0}, {0xa0000, 0x8000, 0, 0}, {0xb9000, 0x1000, 0, 0}};

	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), NULL, 0, map, 8), 3); /* none: standard */
	check_entry(0, 0, MiB_(4), PVH_MEMMAP_RAM);
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), holes, 1, map, 8), 5);
	check_entry(0, 0, 0xb8000, PVH_MEMMAP_RAM);
	check_entry(1, 0xb8000, 0x1000, PVH_MEMMAP_RESERVED);
	check_entry(2, 0xb9000, MiB_(4) - 0xb9000, PVH_MEMMAP_RAM);
	check_entry(3, 0xFC000000, 4096, PVH_MEMMAP_ACPI);
	check_entry(4, 0xFEFF8000, 8 * 4096, PVH_MEMMAP_RESERVED);
	assert_false(pvh_map_range_is_ram(map, 5, 0xb8000, 1));
	assert_true(pvh_map_range_is_ram(map, 5, 0xb7000, 0x1000));
	/* Unsorted and adjacent holes: RAM only where none is. */
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), holes, 3, map, 8), 8);
	check_entry(0, 0, 0xa0000, PVH_MEMMAP_RAM);
	check_entry(1, 0xa0000, 0x8000, PVH_MEMMAP_RESERVED);
	check_entry(2, 0xa8000, 0x10000, PVH_MEMMAP_RAM);
	check_entry(3, 0xb8000, 0x1000, PVH_MEMMAP_RESERVED);
	check_entry(4, 0xb9000, 0x1000, PVH_MEMMAP_RESERVED);
	check_entry(5, 0xba000, MiB_(4) - 0xba000, PVH_MEMMAP_RAM);
	/* A hole at the very start or end of low RAM leaves no empty RAM entry. */
	holes[3] = (struct pvh_memmap_entry){0, 0x1000, 0, 0};
	assert_int_equal(pvh_guest_memmap_holes(MiB_(1), &holes[3], 1, map, 8), 4);
	check_entry(0, 0, 0x1000, PVH_MEMMAP_RESERVED);
	check_entry(1, 0x1000, MiB_(1) - 0x1000, PVH_MEMMAP_RAM);
	holes[3] = (struct pvh_memmap_entry){MiB_(1) - 0x1000, 0x1000, 0, 0};
	assert_int_equal(pvh_guest_memmap_holes(MiB_(1), &holes[3], 1, map, 8), 4);
	check_entry(1, MiB_(1) - 0x1000, 0x1000, PVH_MEMMAP_RESERVED);
	/* Refused: overlapping, unaligned, empty, outside low RAM, wrapping, too many, no room. */
	holes[3] = (struct pvh_memmap_entry){0xb8800, 0x1000, 0, 0};
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), &holes[2], 2, map, 8), -EINVAL);
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), &holes[3], 1, map, 8), -EINVAL);
	holes[3] = (struct pvh_memmap_entry){0xb8000, 0, 0, 0};
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), &holes[3], 1, map, 8), -EINVAL);
	holes[3] = (struct pvh_memmap_entry){MiB_(4), 0x1000, 0, 0};
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), &holes[3], 1, map, 8), -EINVAL);
	holes[3] = (struct pvh_memmap_entry){0x1000, ~0xfffULL, 0, 0};
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), &holes[3], 1, map, 8), -EINVAL);
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), holes, PVH_MAX_HOLES + 1, map, 8),
			 -EINVAL);
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), NULL, 1, map, 8), -EINVAL);
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), holes, 3, map, 6), -ENOSPC);
	assert_int_equal(pvh_guest_memmap_holes(MiB_(4), holes, 1, map, 2), -ENOSPC);
	assert_int_equal(pvh_guest_memmap_holes(0, holes, 1, map, 8), -EINVAL);
}

static void test_range_is_ram(void **state)
{
	assert_true(pvh_range_is_ram(MiB_(64), 0, MiB_(64)));
	assert_false(pvh_range_is_ram(MiB_(64), MiB_(64) - 4096, 4097));
	assert_false(pvh_range_is_ram(MiB_(64), 0, 0));
	assert_false(pvh_range_is_ram(MiB_(64), ~0ULL - 10, 100));
	assert_true(pvh_range_is_ram(GiB_(5), GiB_(3) - 4096, 4096));
	assert_false(pvh_range_is_ram(GiB_(5), GiB_(3) - 4096, 8192)); /* into the hole */
	assert_false(pvh_range_is_ram(GiB_(5), 0xFEE00000, 4096));
	assert_true(pvh_range_is_ram(GiB_(5), GiB_(4), GiB_(2)));
	assert_false(pvh_range_is_ram(GiB_(5), GiB_(4), GiB_(2) + 1));
	assert_false(pvh_range_is_ram(MiB_(1) + 1, 0, 4096));
}

static u8 buf[8192];

static u32 rd32(size_t off)
{
	u32 v;

	memcpy(&v, buf + off, 4);
	return v;
}

static u64 rd64(size_t off)
{
	u64 v;

	memcpy(&v, buf + off, 8);
	return v;
}

static const struct pvh_module_desc two_mods[] = {
    {.paddr = MiB_(32), .size = 0x12345, .cmdline = "initrd args"},
    {.paddr = MiB_(40), .size = 4096, .cmdline = NULL},
};

static void test_layout_with_modules(void **state)
{
	const u64 gpa = 0x8000;
	struct pvh_start_params p = {.mem_bytes = MiB_(64),
				     .cmdline = "console=hvc0 root=/dev/ram0",
				     .modules = two_mods,
				     .nr_modules = 2,
				     .flags = PVH_SIF_PRIVILEGED | PVH_SIF_INITDOMAIN,
				     .rsdp_paddr = 0xFC000000};
	size_t map_off = 56, mod_off = 56 + 3 * 24, str_off = mod_off + 2 * 32;
	size_t cmd_len = strlen(p.cmdline) + 1,
	       total = str_off + cmd_len + strlen("initrd args") + 1;

	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(pvh_build_start_info(&p, gpa, buf, sizeof(buf)), (int)total);
	/* The ABI offsets, read as raw bytes. */
	assert_int_equal(rd32(0), 0x336ec578);
	assert_int_equal(rd32(4), 1);
	assert_int_equal(rd32(8), 3);
	assert_int_equal(rd32(12), 2);
	assert_int_equal(rd64(16), gpa + mod_off);
	assert_int_equal(rd64(24), gpa + str_off);
	assert_int_equal(rd64(32), 0xFC000000);
	assert_int_equal(rd64(40), gpa + map_off);
	assert_int_equal(rd32(48), 3);
	assert_int_equal(rd32(52), 0);
	/* Memmap entries. */
	assert_int_equal(rd64(map_off), 0);
	assert_int_equal(rd64(map_off + 8), MiB_(64));
	assert_int_equal(rd32(map_off + 16), PVH_MEMMAP_RAM);
	assert_int_equal(rd64(map_off + 24), 0xFC000000);
	assert_int_equal(rd32(map_off + 24 + 16), PVH_MEMMAP_ACPI);
	assert_int_equal(rd64(map_off + 48), 0xFEFF8000);
	assert_int_equal(rd32(map_off + 48 + 16), PVH_MEMMAP_RESERVED);
	/* Modules and their strings. */
	assert_int_equal(rd64(mod_off), MiB_(32));
	assert_int_equal(rd64(mod_off + 8), 0x12345);
	assert_int_equal(rd64(mod_off + 16), gpa + str_off + cmd_len);
	assert_int_equal(rd64(mod_off + 24), 0);
	assert_int_equal(rd64(mod_off + 32), MiB_(40));
	assert_int_equal(rd64(mod_off + 32 + 16), 0); /* no command line */
	assert_string_equal((char *)buf + str_off, "console=hvc0 root=/dev/ram0");
	assert_string_equal((char *)buf + str_off + cmd_len, "initrd args");
	assert_int_equal(buf[total], 0xcc); /* nothing written past the size returned */
}

static void test_layout_minimal(void **state)
{
	struct pvh_start_params p = {.mem_bytes = GiB_(5), .cmdline = ""};
	int n = pvh_build_start_info(&p, MiB_(1), buf, sizeof(buf));

	assert_int_equal(n, 56 + 4 * 24);
	assert_int_equal(rd32(12), 0);
	assert_int_equal(rd64(16), 0); /* no module list */
	assert_int_equal(rd64(24), 0); /* no command line */
	assert_int_equal(rd64(32), 0);
	assert_int_equal(rd32(48), 4);
	assert_int_equal(rd64(56 + 72), GiB_(4));
	assert_int_equal(rd64(56 + 72 + 8), GiB_(2));
}

static void test_buffer_too_small(void **state)
{
	struct pvh_start_params p = {
	    .mem_bytes = MiB_(64), .cmdline = "x", .modules = two_mods, .nr_modules = 2};
	int total = pvh_build_start_info(&p, 0x8000, buf, sizeof(buf));
	u8 *exact;
	int n;

	assert_true(total > 0);
	for (n = 0; n < total; n++)
		assert_int_equal(pvh_build_start_info(&p, 0x8000, buf, (size_t)n), -ENOSPC);
	exact = malloc((size_t)total); /* ASan: no byte past the end is touched */
	assert_int_equal(pvh_build_start_info(&p, 0x8000, exact, (size_t)total), total);
	free(exact);
}

static void test_placement_refusals(void **state)
{
	struct pvh_start_params p = {.mem_bytes = GiB_(5)};

	assert_int_equal(pvh_build_start_info(&p, 0x8004, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pvh_build_start_info(&p, GiB_(3) - 64, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pvh_build_start_info(&p, 0xFEFF8000, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pvh_build_start_info(&p, GiB_(4), buf, sizeof(buf)), -EINVAL);
	p.mem_bytes = MiB_(2);
	assert_int_equal(pvh_build_start_info(&p, MiB_(2) - 64, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pvh_build_start_info(&p, MiB_(2) - 120, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pvh_build_start_info(&p, MiB_(2) - 128, buf, sizeof(buf)), 128);
	p.mem_bytes = MiB_(2) + 1;
	assert_int_equal(pvh_build_start_info(&p, 0, buf, sizeof(buf)), -EINVAL);
}

static void test_parameter_refusals(void **state)
{
	struct pvh_module_desc mods[PVH_MAX_MODULES + 1];
	struct pvh_start_params p = {.mem_bytes = MiB_(64), .modules = mods};
	static char long_line[5000];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mods); i++)
		mods[i] = (struct pvh_module_desc){.paddr = MiB_(8) + i * 4096ULL, .size = 4096};
	p.nr_modules = PVH_MAX_MODULES;
	assert_true(pvh_build_start_info(&p, 0x8000, buf, sizeof(buf)) > 0);
	p.nr_modules = PVH_MAX_MODULES + 1;
	assert_int_equal(pvh_build_start_info(&p, 0x8000, buf, sizeof(buf)), -EINVAL);
	p.nr_modules = 1;
	mods[0].size = 0;
	assert_int_equal(pvh_build_start_info(&p, 0x8000, buf, sizeof(buf)), -EINVAL);
	mods[0].paddr = MiB_(64) - 4096;
	mods[0].size = 8192; /* ends past RAM */
	assert_int_equal(pvh_build_start_info(&p, 0x8000, buf, sizeof(buf)), -EINVAL);
	mods[0] = (struct pvh_module_desc){.paddr = MiB_(8), .size = 1};
	p.flags = 1u << 5;
	assert_int_equal(pvh_build_start_info(&p, 0x8000, buf, sizeof(buf)), -EINVAL);
	p.flags = 0;
	memset(long_line, 'a', sizeof(long_line) - 1);
	p.cmdline = long_line;
	assert_int_equal(pvh_build_start_info(&p, 0x8000, buf, sizeof(buf)), -EINVAL);
	p.cmdline = NULL;
	mods[0].cmdline = long_line;
	assert_int_equal(pvh_build_start_info(&p, 0x8000, buf, sizeof(buf)), -EINVAL);
	p.modules = NULL;
	assert_int_equal(pvh_build_start_info(&p, 0x8000, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pvh_build_start_info(NULL, 0x8000, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memmap_small_guest),
	    cmocka_unit_test(test_memmap_at_and_past_the_hole),
	    cmocka_unit_test(test_memmap_refusals),
	    cmocka_unit_test(test_memmap_holes),
	    cmocka_unit_test(test_range_is_ram),
	    cmocka_unit_test(test_layout_with_modules),
	    cmocka_unit_test(test_layout_minimal),
	    cmocka_unit_test(test_buffer_too_small),
	    cmocka_unit_test(test_placement_refusals),
	    cmocka_unit_test(test_parameter_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
