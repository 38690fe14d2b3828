/* Unit tests for guest page walks (arch/x86/hvm/guest_walk.c) and guest copies (guest_access.c). */
#include <asm/guest_walk.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guestwalk_fixture.h"
#include "shim_core.h"

static void test_paging_off(void **state)
{
	u64 gpa;

	(void)state;
	shim_guest_cr0 = CR0_PE;
	assert_int_equal(v2p(0x12345, true, &gpa), 0);
	assert_int_equal(gpa, 0x12345);
	/* Without paging only the low 32 bits address memory. */
	assert_int_equal(v2p(0xabcd00012345ULL, false, &gpa), 0);
	assert_int_equal(gpa, 0x12345);
	/* Even a lone EFER.LMA (inconsistent state) does not turn on a walk without CR0.PG. */
	shim_guest_efer = EFER_LMA;
	assert_int_equal(v2p(0x5000, false, &gpa), 0);
	assert_int_equal(gpa, 0x5000);
}

static void test_long_4k(void **state)
{
	u64 gpa;

	(void)state;
	long_mode(true);
	map4k(0x400000, 0x200000, P | W);
	assert_int_equal(v2p(0x400000, false, &gpa), 0);
	assert_int_equal(gpa, 0x200000);
	assert_int_equal(v2p(0x400abc, true, &gpa), 0);
	assert_int_equal(gpa, 0x200abc);
	/* The neighbouring page has no PTE. */
	assert_int_equal(v2p(0x401000, false, &gpa), -EFAULT);
	/* Flag and ignored bits in entries do not leak into the address; NX does not stop reads. */
	map4k(0x402000, 0x7000, P | U | NX | (0x7fULL << 52) | (1ULL << 9) | (1ULL << 7));
	assert_int_equal(v2p(0x402010, false, &gpa), 0);
	assert_int_equal(gpa, 0x7010);
}

static void test_long_high_half(void **state)
{
	u64 gpa, gva = 0xffff800000123000ULL; /* PML4 slot 256 */

	(void)state;
	long_mode(true);
	map4k(gva, 0x9000, P | W);
	assert_int_equal(v2p(gva + 0x45, false, &gpa), 0);
	assert_int_equal(gpa, 0x9045);
	/* The same low bits in the lower half are a different (unmapped) slot. */
	assert_int_equal(v2p(0x123000, false, &gpa), -EFAULT);
}

static void test_long_large_pages(void **state)
{
	u64 gpa;

	(void)state;
	long_mode(true);
	set64(0x1000, 0x2000 | P | W);
	/* PDPT[1]: 1 GiB page at GPA 0 (bits 12..29 of the entry must not reach the address). */
	set64(0x2000 + 1 * 8, 0x0 | P | W | PS | 0x1000);
	assert_int_equal(v2p((1ULL << 30) + 0x123456, false, &gpa), 0);
	assert_int_equal(gpa, 0x123456);
	/* PDPT[0] -> PD; PD[3]: 2 MiB page at GPA 0x600000. */
	set64(0x2000, 0x3000 | P | W);
	set64(0x3000 + 3 * 8, 0x600000 | P | W | PS);
	assert_int_equal(v2p(3ULL * 0x200000 + 0x1abcd, true, &gpa), 0);
	assert_int_equal(gpa, 0x600000 + 0x1abcd);
	/* A 2 MiB entry's PAT bit (12) is not part of the address. */
	set64(0x3000 + 4 * 8, 0x800000 | 0x1000 | P | PS);
	assert_int_equal(v2p(4ULL * 0x200000 + 0x10, false, &gpa), 0);
	assert_int_equal(gpa, 0x800010);
}

static void test_long_not_present_each_level(void **state)
{
	static const u64 entry_gpa[] = {0x1000, 0x2000, 0x3000, 0x4000 + 5 * 8};
	u64 gpa;

	(void)state;
	long_mode(true);
	for (unsigned int lvl = 0; lvl < ARRAY_SIZE(entry_gpa); lvl++) {
		u64 saved;

		map4k(0x5000, 0xa000, P | W);
		assert_int_equal(v2p(0x5000, false, &gpa), 0);
		memcpy(&saved, shim_gram + entry_gpa[lvl], 8);
		set64(entry_gpa[lvl], saved & ~P);
		assert_int_equal(v2p(0x5000, false, &gpa), -EFAULT);
		assert_int_equal(v2p(0x5000, true, &gpa), -EFAULT);
	}
}

static void test_long_non_canonical(void **state)
{
	static const u64 bad[] = {0x0000800000000000ULL, 0x00ff000000001000ULL,
				  0xfffe000000000000ULL, 0xffff7fffffffffffULL,
				  0x8000000000000000ULL};
	u64 gpa;

	(void)state;
	long_mode(true);
	/* Make every slot look mapped, so only the canonical check can refuse. */
	for (unsigned int i = 0; i < 512; i++)
		set64(0x1000 + i * 8, 0x2000 | P | W);
	for (unsigned int i = 0; i < 512; i++)
		set64(0x2000 + i * 8, 0 | P | W | PS);
	assert_int_equal(v2p(0x00007fffffffffffULL, false, &gpa), 0);
	assert_int_equal(v2p(0xffff800000000000ULL, false, &gpa), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(v2p(bad[i], false, &gpa), -EINVAL); /* #GP, not #PF */
}

static void test_long_table_outside_ram(void **state)
{
	u64 gpa;

	(void)state;
	long_mode(true);
	map4k(0x5000, 0xa000, P | W);
	set64(0x3000 + 0 * 8, (SHIM_GRAM_SIZE + 0x1000) | P | W); /* PD -> beyond RAM */
	assert_int_equal(v2p(0x5000, false, &gpa), -ENXIO);
	/* The highest table address: beyond MAXPHYADDR, so a reserved-bit fault. */
	set64(0x3000, 0x000ffffffffff000ULL | P | W);
	assert_int_equal(v2p(0x5000, false, &gpa), -EFAULT);
	assert_int_equal(last_pfec, EP | ER);
	shim_guest_paddr_bits = 52; /* now it is an address, of no RAM */
	vcpu.domain->arch.walk_paddr_bits = 0;
	assert_int_equal(v2p(0x5000, false, &gpa), -ENXIO);
	shim_guest_cr3 = SHIM_GRAM_SIZE - 8; /* CR3's low bits are not address: the last RAM page */
	assert_int_equal(v2p(0xffffff8000000000ULL, false, &gpa), -EFAULT);
	assert_int_equal(last_pfec, 0);
}

static void test_write_protect(void **state)
{
	u64 gpa;

	(void)state;
	long_mode(true);
	map4k(0x6000, 0xb000, P); /* read-only PTE */
	assert_int_equal(v2p(0x6000, false, &gpa), 0);
	assert_int_equal(v2p(0x6000, true, &gpa), -EFAULT);
	/* A read-only entry higher up stops writes too. */
	map4k(0x7000, 0xc000, P | W);
	set64(0x2000, 0x3000 | P);
	assert_int_equal(v2p(0x7000, true, &gpa), -EFAULT);
	assert_int_equal(v2p(0x7000, false, &gpa), 0);
	/* Without CR0.WP a supervisor write goes through read-only pages. */
	shim_guest_cr0 &= ~CR0_WP;
	assert_int_equal(v2p(0x6000, true, &gpa), 0);
	assert_int_equal(gpa, 0xb000);
	assert_int_equal(v2p(0x7000, true, &gpa), 0);
	/* ... but never through a non-present one. */
	assert_int_equal(v2p(0x8000, true, &gpa), -EFAULT);
}

static void test_pae(void **state)
{
	u64 gpa;

	(void)state;
	shim_guest_cr0 = CR0_PE | CR0_PG | CR0_WP;
	shim_guest_cr4 = CR4_PAE;
	shim_guest_cr3 = 0x5020; /* PDPT: 32-byte aligned, not page aligned */
	/* PDPTE 2 (GVA 0x80000000..): no R/W bit exists there, writes still allowed. */
	set64(0x5020 + 2 * 8, 0x3000 | P);
	set64(0x3000 + 1 * 8, 0x4000 | P | W); /* 4K tables at GVA 0x80200000 */
	set64(0x4000 + 5 * 8, 0xd000 | P | W);
	set64(0x3000 + 2 * 8, 0xe00000 | P | W | PS); /* 2 MiB page at GVA 0x80400000 */
	set64(0x4000 + 6 * 8, 0xf000 | P);	      /* read-only */
	assert_int_equal(v2p(0x80205123, true, &gpa), 0);
	assert_int_equal(gpa, 0xd123);
	assert_int_equal(v2p(0x80412345, true, &gpa), 0);
	assert_int_equal(gpa, 0xe12345);
	assert_int_equal(v2p(0x80206000, true, &gpa), -EFAULT);
	assert_int_equal(v2p(0x80206000, false, &gpa), 0);
	/* Other PDPTEs are not present; high GVA bits are not part of a 32-bit address. */
	assert_int_equal(v2p(0x00205123, false, &gpa), -EFAULT);
	assert_int_equal(v2p(0x1280205123ULL, false, &gpa), 0);
	assert_int_equal(gpa, 0xd123);
	/* A cleared PDPTE unmaps its whole GiB. */
	set64(0x5020 + 2 * 8, 0);
	assert_int_equal(v2p(0x80205123, false, &gpa), -EFAULT);
}

static void test_legacy_32bit(void **state)
{
	u64 gpa;

	(void)state;
	shim_guest_cr0 = CR0_PE | CR0_PG | CR0_WP;
	shim_guest_cr3 = 0x1000;
	set32(0x1000 + 1 * 4, 0x2000 | P | W); /* PDE 1: GVA 0x400000.. */
	set32(0x2000 + 3 * 4, 0x9000 | P | W); /* PTE 3 */
	set32(0x2000 + 4 * 4, 0xa000 | P);     /* read-only */
	assert_int_equal(v2p(0x403456, true, &gpa), 0);
	assert_int_equal(gpa, 0x9456);
	assert_int_equal(v2p(0x404000, true, &gpa), -EFAULT);
	assert_int_equal(v2p(0x404000, false, &gpa), 0);
	assert_int_equal(gpa, 0xa000);
	assert_int_equal(v2p(0x405000, false, &gpa), -EFAULT);
	assert_int_equal(v2p(0x800000, false, &gpa), -EFAULT);
	/* Entries are 32 bits: the next entry's bits are not part of this one. */
	set32(0x2000 + 7 * 4, 0xb000 | P);
	set32(0x2000 + 8 * 4, 0xffffffff);
	assert_int_equal(v2p(0x407000, false, &gpa), 0);
	assert_int_equal(gpa, 0xb000);
}

static void test_legacy_pse(void **state)
{
	u64 gpa;

	(void)state;
	shim_guest_cr0 = CR0_PE | CR0_PG | CR0_WP;
	shim_guest_cr3 = 0x1000;
	/* PDE 2 (GVA 0x800000): a 4 MiB page at 0xc00000 when CR4.PSE is on. */
	set32(0x1000 + 2 * 4, 0xc00000 | P | W | PS);
	/* Without PSE the same entry points at a page table at 0xc00000. */
	set32(0xc00000 + 1 * 4, 0x3000 | P | W);
	shim_guest_cr4 = CR4_PSE;
	assert_int_equal(v2p(0x9abcde, true, &gpa), 0);
	assert_int_equal(gpa, 0xc00000 + 0x1abcde);
	shim_guest_cr4 = 0;
	assert_int_equal(v2p(0x801234, true, &gpa), 0);
	assert_int_equal(gpa, 0x3234);
	assert_int_equal(v2p(0x802000, false, &gpa), -EFAULT);
	/* A read-only 4 MiB page. */
	shim_guest_cr4 = CR4_PSE;
	set32(0x1000 + 3 * 4, 0x400000 | P | PS);
	assert_int_equal(v2p(0xc00010, true, &gpa), -EFAULT);
	assert_int_equal(v2p(0xc00010, false, &gpa), 0);
	assert_int_equal(gpa, 0x400010);
}

/* GVA pages 0x10000.. mapped to scattered GPA pages, with content to copy. */
static void scattered(void)
{
	long_mode(true);
	map4k(0x10000, 0x30000, P | W);
	map4k(0x11000, 0x20000, P | W);
	map4k(0x12000, 0x50000, P); /* read-only */
	for (unsigned int i = 0; i < 4096; i++) {
		shim_gram[0x30000 + i] = (u8)i;
		shim_gram[0x20000 + i] = (u8)(i ^ 0x5a);
		shim_gram[0x50000 + i] = 0xee;
	}
}

static void test_copy_from_crosses_pages(void **state)
{
	u8 buf[6000];

	(void)state;
	scattered();
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x10f00, sizeof(buf)), 0);
	for (unsigned int i = 0; i < 0x100; i++)
		assert_int_equal(buf[i], (u8)(0xf00 + i));
	for (unsigned int i = 0x100; i < 0x1100; i++)
		assert_int_equal(buf[i], (u8)((i - 0x100) ^ 0x5a));
	for (unsigned int i = 0x1100; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xee);
	/* Into an unmapped page: refused. */
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x12f00, 0x200), -EFAULT);
	assert_int_equal(copy_from_guest(&vcpu, buf, 0xfff0, 0x20), -EFAULT);
	/* Zero bytes: nothing to walk. */
	assert_int_equal(copy_from_guest(&vcpu, buf, 0xdead000, 0), 0);
}

static void test_copy_to_crosses_pages(void **state)
{
	u8 buf[4200];

	(void)state;
	scattered();
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 7);
	assert_int_equal(copy_to_guest(&vcpu, 0x10ff0, buf, 0x20), 0);
	for (unsigned int i = 0; i < 0x10; i++)
		assert_int_equal(shim_gram[0x30ff0 + i], (u8)(i * 7));
	for (unsigned int i = 0; i < 0x10; i++)
		assert_int_equal(shim_gram[0x20000 + i], (u8)((i + 0x10) * 7));
	/* Into the read-only page with CR0.WP: refused (and the read-only page is untouched). */
	assert_int_equal(copy_to_guest(&vcpu, 0x11f00, buf, sizeof(buf)), -EFAULT);
	for (unsigned int i = 0; i < 4096; i++)
		assert_int_equal(shim_gram[0x50000 + i], 0xee);
	/* Without CR0.WP Keel writes as the guest kernel would. */
	shim_guest_cr0 &= ~CR0_WP;
	assert_int_equal(copy_to_guest(&vcpu, 0x12000, buf, 8), 0);
	assert_int_equal(shim_gram[0x50001], 7);
}

static void test_copy_ept_permissions(void **state)
{
	u8 buf[16] = {1, 2, 3};

	(void)state;
	scattered();
	shim_ept_perm[0x20] = 1; /* GPA 0x20000 read-only in the EPT */
	shim_ept_perm[0x30] = 2; /* GPA 0x30000 not mapped */
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x11000, sizeof(buf)), 0);
	assert_int_equal(copy_to_guest(&vcpu, 0x11000, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x10000, sizeof(buf)), -EFAULT);
	/* Guest tables pointing past its RAM: -EFAULT, never a host access. */
	map4k(0x13000, SHIM_GRAM_SIZE, P | W);
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x13000, 1), -EFAULT);
	map4k(0x14000, 0x000ffffffffff000ULL, P | W);
	assert_int_equal(copy_to_guest(&vcpu, 0x14000, buf, 1), -EFAULT);
}

static void test_copy_paging_off_and_32bit_wrap(void **state)
{
	u8 buf[8];

	(void)state;
	shim_guest_cr0 = CR0_PE;
	memcpy(shim_gram + 0x4000, "keelkeel", 8);
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x4000, 8), 0);
	assert_memory_equal(buf, "keelkeel", 8);
	/* Beyond the guest's RAM (the fake EPT) without paging. */
	assert_int_equal(copy_from_guest(&vcpu, buf, 0xfffffff8ULL, 8), -EFAULT);
	assert_int_equal(copy_to_guest(&vcpu, SHIM_GRAM_SIZE - 4, buf, 8), -EFAULT);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_paging_off),
	    T(test_long_4k),
	    T(test_long_high_half),
	    T(test_long_large_pages),
	    T(test_long_not_present_each_level),
	    T(test_long_non_canonical),
	    T(test_long_table_outside_ram),
	    T(test_write_protect),
	    T(test_pae),
	    T(test_legacy_32bit),
	    T(test_legacy_pse),
	    T(test_copy_from_crosses_pages),
	    T(test_copy_to_crosses_pages),
	    T(test_copy_ept_permissions),
	    T(test_copy_paging_off_and_32bit_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
