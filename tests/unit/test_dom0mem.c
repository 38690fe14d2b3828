/* Unit tests for dom0's 1:1 RAM: the boot-time plan, moving modules out of it, its memory map. */
#include <keel/boot_mem.h>
#include <keel/compiler.h>
#include <keel/dom0_mem.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#define MB(x)	  ((paddr_t)(x) << 20)
#define RAM_SIZE  MB(64)
#define KEEL_LO	  MB(2)
#define KEEL_HI	  MB(3)
#define MOD0	  MB(3)
#define MOD0_SIZE 100000u
#define MOD1	  MB(8)
#define MOD1_SIZE 50000u

/* "Physical" memory from address 0: the planner copies modules through paddr_to_virt. */
static u8 *ram;
static struct boot_info bi;
static struct boot_mem bm;

void *paddr_to_virt(paddr_t pa)
{
	assert_true(pa < RAM_SIZE);
	return ram + pa;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fail_msg("panic");
	abort();
}

static void add_range(paddr_t start, u64 size, enum mem_type type)
{
	bi.memmap[bi.nr_memmap++] = (struct boot_mem_range){start, size, type};
}

static void fill(paddr_t at, u32 size, u8 seed)
{
	for (u32 i = 0; i < size; i++)
		ram[at + i] = (u8)(seed + i * 7);
}

static bool holds(paddr_t at, u32 size, u8 seed)
{
	for (u32 i = 0; i < size; i++)
		if (ram[at + i] != (u8)(seed + i * 7))
			return false;
	return true;
}

/* A Bochs-like machine: 640 KiB low RAM, BIOS areas, RAM to 64 MiB, Keel at 2 MiB, 2 modules. */
static int setup(void **state)
{
	(void)state;
	if (!ram)
		ram = calloc(1, RAM_SIZE);
	assert_non_null(ram);
	memset(&bi, 0, sizeof(bi));
	add_range(0, 0x9f000, MEM_RAM);
	add_range(0x9f000, 0x1000, MEM_RESERVED);
	add_range(0xe8000, 0x18000, MEM_RESERVED);
	add_range(MB(1), RAM_SIZE - MB(1) - 0x10000, MEM_RAM);
	add_range(RAM_SIZE - 0x10000, 0x10000, MEM_ACPI_RECLAIM);
	bi.nr_modules = 2;
	bi.modules[0] = (struct boot_module){MOD0, MOD0 + MOD0_SIZE, "/boot/vmlinuz dom0 mem=16M"};
	bi.modules[1] = (struct boot_module){MOD1, MOD1 + MOD1_SIZE, "/boot/guest name=g"};
	fill(MOD0, MOD0_SIZE, 1);
	fill(MOD1, MOD1_SIZE, 2);
	boot_mem_init(&bm, &bi);
	boot_mem_reserve(&bm, KEEL_LO, KEEL_HI);
	boot_mem_reserve(&bm, 0x8000, 0x9000); /* the AP trampoline */
	return 0;
}

static bool overlaps_plan(const struct dom0_mem_plan *p, paddr_t s, paddr_t e)
{
	for (unsigned int i = 0; i < p->nr_ram; i++)
		if (s < p->ram[i].end && e > p->ram[i].start)
			return true;
	return false;
}

static void test_plan_takes_lowest_ram_and_moves_modules(void **state)
{
	const struct dom0_mem_plan *p;
	u64 sum = 0;

	(void)state;
	dom0_mem_plan_boot(&bm, &bi);
	p = dom0_mem_plan();
	assert_true(p->present);
	assert_int_equal(p->bytes, MB(16));
	for (unsigned int i = 0; i < p->nr_ram; i++) {
		sum += p->ram[i].end - p->ram[i].start;
		if (i)
			assert_true(p->ram[i].start > p->ram[i - 1].end); /* sorted, merged */
		assert_false(p->ram[i].start < KEEL_HI && p->ram[i].end > KEEL_LO);
		assert_false(p->ram[i].start < 0x9000 && p->ram[i].end > 0x8000);
	}
	assert_int_equal(sum, MB(16));
	/* Below 1 MiB first (around the trampoline), then 1-2 MiB, then after Keel's image. */
	assert_int_equal(p->ram[0].start, 0);
	assert_int_equal(p->ram[0].end, 0x8000);
	assert_int_equal(p->ram[1].start, 0x9000);
	assert_int_equal(p->ram[1].end, 0x9f000);
	assert_int_equal(p->ram[2].start, MB(1));
	assert_int_equal(p->ram[2].end, KEEL_LO);
	assert_int_equal(p->ram[3].start, KEEL_HI);
	/* Both modules were inside dom0's RAM: moved above it, their bytes intact. */
	for (unsigned int i = 0; i < 2; i++)
		assert_false(overlaps_plan(p, bi.modules[i].start, bi.modules[i].end));
	assert_int_equal(bi.modules[0].end - bi.modules[0].start, MOD0_SIZE);
	assert_true(holds(bi.modules[0].start, MOD0_SIZE, 1));
	assert_true(holds(bi.modules[1].start, MOD1_SIZE, 2));
	/* dom0's RAM and the modules are out of what Keel's allocator gets. */
	for (unsigned int i = 0; i < p->nr_ram; i++)
		assert_int_equal(
		    boot_mem_find_free(&bm, PAGE_SIZE, PAGE_SIZE, p->ram[i].start, p->ram[i].end),
		    INVALID_PADDR);
	assert_true(boot_mem_find_free(&bm, PAGE_SIZE, PAGE_SIZE, bi.modules[1].start,
				       ALIGN_UP(bi.modules[1].end, PAGE_SIZE)) == INVALID_PADDR);
}

static void test_no_dom0_leaves_modules(void **state)
{
	(void)state;
	snprintf(bi.modules[0].cmdline, sizeof(bi.modules[0].cmdline), "/boot/a name=a");
	dom0_mem_plan_boot(&bm, &bi);
	assert_false(dom0_mem_plan()->present);
	assert_int_equal(bi.modules[0].start, MOD0);
	assert_int_equal(bi.modules[1].start, MOD1);
	assert_true(boot_mem_find_free(&bm, PAGE_SIZE, PAGE_SIZE, MOD0, MOD0 + PAGE_SIZE) ==
		    INVALID_PADDR);
}

static void test_too_much_is_capped(void **state)
{
	(void)state;
	snprintf(bi.modules[0].cmdline, sizeof(bi.modules[0].cmdline), "/boot/k dom0 mem=1G");
	dom0_mem_plan_boot(&bm, &bi);
	assert_true(dom0_mem_plan()->present);
	/* Keel keeps DOM0_KEEL_RESERVE of the free RAM below 4 GiB. */
	assert_true(dom0_mem_plan()->bytes <= RAM_SIZE - DOM0_KEEL_RESERVE);
	assert_true(dom0_mem_plan()->bytes >= RAM_SIZE - DOM0_KEEL_RESERVE - MB(4));
}

static void test_memmap(void **state)
{
	struct pvh_memmap_entry m[DOM0_MEMMAP_MAX];
	const struct dom0_mem_plan *p;
	u64 acpi, ram_bytes = 0, next = 0;
	bool saw_acpi = false, saw_unusable = false;
	int n;

	(void)state;
	dom0_mem_plan_boot(&bm, &bi);
	p = dom0_mem_plan();
	acpi = p->ram[p->nr_ram - 1].end - 0x4000;
	n = dom0_mem_memmap(p, &bi, acpi, 0x4000, m, DOM0_MEMMAP_MAX);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		assert_true(m[i].addr >= next); /* sorted, disjoint */
		next = m[i].addr + m[i].size;
		if (m[i].type == PVH_MEMMAP_RAM) {
			ram_bytes += m[i].size;
			assert_true(dom0_mem_owns(p, m[i].addr, m[i].addr + m[i].size));
		}
		if (m[i].type == PVH_MEMMAP_ACPI && m[i].addr == acpi) {
			saw_acpi = true;
			assert_int_equal(m[i].size, 0x4000);
		}
		/* Keel's image and the RAM above dom0's are host RAM dom0 must not use. */
		if (m[i].type == PVH_MEMMAP_UNUSABLE && m[i].addr == KEEL_LO)
			saw_unusable = true;
	}
	assert_int_equal(ram_bytes, MB(16) - 0x4000);
	assert_true(saw_acpi);
	assert_true(saw_unusable);
	assert_int_equal(m[n - 1].type, PVH_MEMMAP_ACPI); /* the host's tables at the top */
	assert_int_equal(dom0_mem_memmap(p, &bi, acpi, 0x4000, m, 3), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_plan_takes_lowest_ram_and_moves_modules, setup),
	    cmocka_unit_test_setup(test_no_dom0_leaves_modules, setup),
	    cmocka_unit_test_setup(test_too_much_is_capped, setup),
	    cmocka_unit_test_setup(test_memmap, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
