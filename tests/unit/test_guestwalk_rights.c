/* Unit tests for the rights a guest page walk checks: U/S, R/W+WP, NX, SMEP, SMAP, reserved bits. */
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

#define R  GUEST_READ
#define WR GUEST_WRITE
#define X  GUEST_FETCH
#define SV GUEST_SUPERVISOR
#define US GUEST_USER
#define IM GUEST_IMPLICIT

/* GVA 0x10000 user RW, 0x11000 supervisor RW, 0x12000 user RO, 0x13000 supervisor RO, 0x14000 user NX. */
static void rights_pages(void)
{
	map4k(0x10000, 0x30000, P | W | U);
	map4k(0x11000, 0x31000, P | W);
	map4k(0x12000, 0x32000, P | U);
	map4k(0x13000, 0x33000, P);
	map4k(0x14000, 0x34000, P | W | U | NX);
}

static void test_user_mode_access(void **state)
{
	(void)state;
	long_mode(true);
	rights_pages();
	assert_int_equal(verdict(0x10000, R, US), 0);
	assert_int_equal(verdict(0x10000, WR, US), 0);
	assert_int_equal(verdict(0x10000, X, US), 0);
	/* A supervisor page: every user access faults, present, U/S set, W/R and I/D as accessed. */
	assert_int_equal(verdict(0x11000, R, US), EP | EU);
	assert_int_equal(verdict(0x11000, WR, US), EP | EW | EU);
	assert_int_equal(verdict(0x11000, X, US), EP | EU | EI);
	/* Read-only: a user write faults whatever CR0.WP says. */
	assert_int_equal(verdict(0x12000, R, US), 0);
	assert_int_equal(verdict(0x12000, WR, US), EP | EW | EU);
	shim_guest_cr0 &= ~CR0_WP;
	assert_int_equal(verdict(0x12000, WR, US), EP | EW | EU);
	/* NX: a user fetch faults, reads and writes do not. */
	assert_int_equal(verdict(0x14000, X, US), EP | EU | EI);
	assert_int_equal(verdict(0x14000, WR, US), 0);
	/* Not present: P clear. */
	assert_int_equal(verdict(0x15000, WR, US), EW | EU);
}

static void test_upper_levels_decide_too(void **state)
{
	static const u64 entry_of_level[] = {0x1000, 0x2000, 0x3000};

	(void)state;
	long_mode(true);
	for (unsigned int l = 0; l < ARRAY_SIZE(entry_of_level); l++) {
		map4k(0x10000, 0x30000, P | W | U);
		/* U/S clear in one upper entry: a supervisor page. */
		set64(entry_of_level[l], get64(entry_of_level[l]) & ~U);
		assert_int_equal(verdict(0x10000, R, US), EP | EU);
		assert_int_equal(verdict(0x10000, R, SV), 0);
		/* R/W clear in one upper entry: read-only. */
		map4k(0x10000, 0x30000, P | W | U);
		set64(entry_of_level[l], get64(entry_of_level[l]) & ~W);
		assert_int_equal(verdict(0x10000, WR, US), EP | EW | EU);
		assert_int_equal(verdict(0x10000, WR, SV), EP | EW);
		/* NX in one upper entry: no fetches. */
		map4k(0x10000, 0x30000, P | W | U);
		set64(entry_of_level[l], get64(entry_of_level[l]) | NX);
		assert_int_equal(verdict(0x10000, X, US), EP | EU | EI);
		assert_int_equal(verdict(0x10000, X, SV), EP | EI);
		assert_int_equal(verdict(0x10000, R, US), 0);
	}
}

static void test_supervisor_write_protect(void **state)
{
	(void)state;
	long_mode(true);
	rights_pages();
	assert_int_equal(verdict(0x13000, WR, SV), EP | EW);
	assert_int_equal(verdict(0x12000, WR, SV), EP | EW);
	assert_int_equal(verdict(0x13000, WR, IM), EP | EW);
	shim_guest_cr0 &= ~CR0_WP;
	assert_int_equal(verdict(0x13000, WR, SV), 0);
	assert_int_equal(verdict(0x12000, WR, SV), 0);
	assert_int_equal(verdict(0x13000, WR, IM), 0);
}

static void test_nx_needs_nxe(void **state)
{
	u64 gpa;

	(void)state;
	long_mode(true);
	rights_pages();
	assert_int_equal(verdict(0x14000, X, SV), EP | EI);
	assert_int_equal(verdict(0x11000, X, SV), 0);
	/* Without EFER.NXE bit 63 is reserved, and fetch faults do not report I/D. */
	shim_guest_efer &= ~EFER_NXE;
	assert_int_equal(verdict(0x14000, R, SV), EP | ER);
	assert_int_equal(verdict(0x14000, X, US), EP | EU | ER);
	assert_int_equal(walk(0x15000, X, SV, &gpa), -EFAULT);
	assert_int_equal(last_pfec, 0); /* not present, supervisor, read: all bits clear */
	assert_int_equal(verdict(0x11000, X, SV), 0);
}

static void test_smep(void **state)
{
	(void)state;
	long_mode(true);
	rights_pages();
	assert_int_equal(verdict(0x10000, X, SV), 0);
	shim_guest_cr4 |= CR4_SMEP;
	assert_int_equal(verdict(0x10000, X, SV), EP | EI);
	assert_int_equal(verdict(0x10000, R, SV), 0); /* SMEP is about fetches only */
	assert_int_equal(verdict(0x11000, X, SV), 0);
	assert_int_equal(verdict(0x10000, X, US), 0);
	/* With SMEP a fetch fault reports I/D even without NXE. */
	shim_guest_efer &= ~EFER_NXE;
	map4k(0x14000, 0x34000, P | W | U);
	assert_int_equal(verdict(0x14000, X, SV), EP | EI);
	assert_int_equal(verdict(0x15000, X, SV), EI);
}

static void test_smap(void **state)
{
	(void)state;
	long_mode(true);
	rights_pages();
	assert_int_equal(verdict(0x10000, R, SV), 0);
	shim_guest_cr4 |= CR4_SMAP;
	/* User pages are out of a supervisor's reach with AC clear. */
	assert_int_equal(verdict(0x10000, R, SV), EP);
	assert_int_equal(verdict(0x10000, WR, SV), EP | EW);
	assert_int_equal(verdict(0x11000, WR, SV), 0);
	assert_int_equal(verdict(0x10000, WR, US), 0);
	assert_int_equal(verdict(0x10000, X, SV), 0); /* SMAP is about data only */
	/* AC opens them to explicit accesses, never to implicit ones. */
	shim_guest_rflags |= EFLAGS_AC;
	assert_int_equal(verdict(0x10000, R, SV), 0);
	assert_int_equal(verdict(0x10000, WR, SV), 0);
	assert_int_equal(verdict(0x10000, R, IM), EP);
	assert_int_equal(verdict(0x10000, WR, IM), EP | EW);
	/* ... and CR0.WP still guards read-only user pages. */
	assert_int_equal(verdict(0x12000, WR, SV), EP | EW);
	shim_guest_cr0 &= ~CR0_WP;
	assert_int_equal(verdict(0x12000, WR, SV), 0);
	assert_int_equal(verdict(0x12000, WR, IM), EP | EW);
}

static void test_reserved_bits_long_mode(void **state)
{
	u64 gpa;

	(void)state;
	long_mode(true);
	/* PS in a PML4E. */
	map4k(0x10000, 0x30000, P | W | U);
	set64(0x1000, get64(0x1000) | PS);
	assert_int_equal(verdict(0x10000, R, SV), EP | ER);
	assert_int_equal(verdict(0x10000, WR, US), EP | EW | EU | ER);
	assert_int_equal(verdict(0x10000, X, US), EP | EU | ER | EI);
	/* Address bits at and above MAXPHYADDR (46 here), in a leaf and in a table entry. */
	map4k(0x10000, 0x30000 | (1ULL << 46), P | W | U);
	assert_int_equal(verdict(0x10000, R, SV), EP | ER);
	map4k(0x10000, 0x30000 | (1ULL << 51), P | W | U);
	assert_int_equal(verdict(0x10000, R, SV), EP | ER);
	map4k(0x10000, 0x30000 | (1ULL << 45), P | W | U);
	assert_int_equal(walk(0x10000, R, SV, &gpa), 0);
	assert_int_equal(gpa, 0x30000 | (1ULL << 45));
	map4k(0x10000, 0x30000, P | W | U);
	set64(0x3000, get64(0x3000) | (1ULL << 50));
	assert_int_equal(verdict(0x10000, R, SV), EP | ER);
	/* Bits 62:52 are the software's in 4-level paging. */
	map4k(0x10000, 0x30000 | (0x7ffULL << 52), P | W | U);
	assert_int_equal(walk(0x10000, R, SV, &gpa), 0);
	assert_int_equal(gpa, 0x30000);
	/* A not-present entry's other bits mean nothing: not a reserved-bit fault. */
	map4k(0x10000, (1ULL << 50) | PS, W | U);
	assert_int_equal(verdict(0x10000, R, US), EU);
}

static void test_reserved_bits_large_pages(void **state)
{
	u64 gpa;

	(void)state;
	long_mode(true);
	set64(0x1000, 0x2000 | P | W | U);
	/* 1 GiB at GVA 1 GiB: bits 29:13 are reserved (bit 12 is PAT). */
	set64(0x2000 + 8, 0x40000000 | P | W | U | PS | 0x1000);
	assert_int_equal(walk(0x40000123, R, US, &gpa), 0);
	assert_int_equal(gpa, 0x40000123);
	set64(0x2000 + 8, 0x40000000 | P | W | U | PS | (1ULL << 13));
	assert_int_equal(verdict(0x40000123, R, US), EP | EU | ER);
	set64(0x2000 + 8, 0x40000000 | P | W | U | PS | (1ULL << 29));
	assert_int_equal(verdict(0x40000123, R, US), EP | EU | ER);
	/* Without 1 GiB pages in CPUID, PS in a PDPTE is itself reserved. */
	set64(0x2000 + 8, 0x40000000 | P | W | U | PS);
	assert_int_equal(verdict(0x40000123, R, US), 0);
	shim_guest_page_1g = false;
	dom.arch.walk_paddr_bits = 0; /* read CPUID again */
	assert_int_equal(verdict(0x40000123, R, US), EP | EU | ER);
	/* 2 MiB: bits 20:13 reserved, bit 21 is address. */
	set64(0x2000, 0x3000 | P | W | U);
	set64(0x3000 + 8, 0x200000 | P | W | PS | (1ULL << 13));
	assert_int_equal(verdict(0x200010, R, SV), EP | ER);
	set64(0x3000 + 8, 0x200000 | P | W | PS | (1ULL << 20));
	assert_int_equal(verdict(0x200010, WR, SV), EP | EW | ER);
	set64(0x3000 + 8, 0x600000 | P | W | PS);
	assert_int_equal(walk(0x200010, R, SV, &gpa), 0);
	assert_int_equal(gpa, 0x600010);
}

static void test_pae_rights_and_reserved(void **state)
{
	u64 gpa;

	(void)state;
	shim_guest_cr0 = CR0_PE | CR0_PG | CR0_WP;
	shim_guest_cr4 = CR4_PAE;
	shim_guest_efer = EFER_NXE;
	shim_guest_cr3 = 0x5020;
	set64(0x5020, 0x3000 | P); /* PDPTE 0: no rights bits of its own */
	set64(0x3000, 0x4000 | P | W | U);
	set64(0x4000 + 1 * 8, 0x9000 | P | W | U);
	set64(0x4000 + 2 * 8, 0xa000 | P | W);	    /* supervisor */
	set64(0x4000 + 3 * 8, 0xb000 | P | U);	    /* read-only */
	set64(0x4000 + 4 * 8, 0xc000 | P | U | NX); /* no execute */
	assert_int_equal(verdict(0x1000, WR, US), 0);
	assert_int_equal(verdict(0x1000, X, US), 0);
	assert_int_equal(verdict(0x2000, R, US), EP | EU);
	assert_int_equal(verdict(0x3000, WR, US), EP | EW | EU);
	assert_int_equal(verdict(0x3000, WR, SV), EP | EW);
	assert_int_equal(verdict(0x4000, X, US), EP | EU | EI);
	assert_int_equal(verdict(0x4000, R, US), 0);
	/* PDPTE bits 2:1 and 8:5 are reserved, and so is bit 63 even with NXE. */
	static const u64 pdpte_rsvd[] = {W, U, 1ULL << 5, PS, 1ULL << 8, NX, 1ULL << 46};
	for (unsigned int i = 0; i < ARRAY_SIZE(pdpte_rsvd); i++) {
		set64(0x5020, 0x3000 | P | pdpte_rsvd[i]);
		assert_int_equal(verdict(0x1000, R, US), EP | EU | ER);
	}
	set64(0x5020, 0x3000 | P | (1ULL << 3) | (1ULL << 4) | (1ULL << 9)); /* PWT, PCD, AVL */
	assert_int_equal(verdict(0x1000, R, US), 0);
	/* PAE entries reserve 62:M (4-level ignores 62:52); NX without NXE is reserved. */
	set64(0x4000 + 1 * 8, 0x9000 | P | W | U | (1ULL << 62));
	assert_int_equal(verdict(0x1000, R, US), EP | EU | ER);
	set64(0x4000 + 1 * 8, 0x9000 | P | W | U);
	shim_guest_efer = 0;
	assert_int_equal(verdict(0x4000, R, US), EP | EU | ER);
	assert_int_equal(verdict(0x5000, X, US), EU); /* not present, and no I/D without NXE */
	/* 2 MiB pages in PAE: bits 20:13 reserved. */
	set64(0x3000 + 8, 0x400000 | P | W | U | PS | (1ULL << 15));
	assert_int_equal(verdict(0x200000, R, US), EP | EU | ER);
	set64(0x3000 + 8, 0x400000 | P | W | U | PS);
	assert_int_equal(walk(0x200abc, R, US, &gpa), 0);
	assert_int_equal(gpa, 0x400abc);
}

static void test_two_level_rights_and_reserved(void **state)
{
	u64 gpa;

	(void)state;
	shim_guest_cr0 = CR0_PE | CR0_PG | CR0_WP;
	shim_guest_cr4 = 0;
	shim_guest_cr3 = 0x1000;
	set32(0x1000, 0x2000 | P | W | U);
	set32(0x2000 + 1 * 4, 0x9000 | P | W | U);
	set32(0x2000 + 2 * 4, 0xa000 | P | W); /* supervisor */
	set32(0x2000 + 3 * 4, 0xb000 | P | U); /* read-only */
	assert_int_equal(verdict(0x1000, WR, US), 0);
	assert_int_equal(verdict(0x2000, R, US), EP | EU);
	assert_int_equal(verdict(0x2000, X, US), EP | EU); /* no I/D: neither NX nor SMEP here */
	assert_int_equal(verdict(0x3000, WR, US), EP | EW | EU);
	assert_int_equal(verdict(0x3000, WR, SV), EP | EW);
	shim_guest_cr0 &= ~CR0_WP;
	assert_int_equal(verdict(0x3000, WR, SV), 0);
	/* SMEP and SMAP apply in 2-level paging too. */
	shim_guest_cr4 = CR4_SMEP | CR4_SMAP;
	assert_int_equal(verdict(0x1000, X, SV), EP | EI);
	assert_int_equal(verdict(0x1000, R, SV), EP);
	assert_int_equal(verdict(0x2000, R, SV), 0);
	/* 4 MiB pages with CR4.PSE: bit 21 reserved; bits 20:13 are address bits 39:32. */
	shim_guest_cr4 = CR4_PSE;
	set32(0x1000 + 4, 0x400000 | P | W | U | PS | (0x5 << 13));
	assert_int_equal(walk(0x401234, R, US, &gpa), 0);
	assert_int_equal(gpa, 0x500401234ULL);
	set32(0x1000 + 4, 0x400000 | P | W | U | PS | (1u << 21));
	assert_int_equal(verdict(0x401234, R, US), EP | EU | ER);
	/* With MAXPHYADDR 36 the address bits 39:36 (entry bits 20:17) are reserved too. */
	shim_guest_paddr_bits = 36;
	dom.arch.walk_paddr_bits = 0;
	set32(0x1000 + 4, 0x400000 | P | W | U | PS | (1u << 17));
	assert_int_equal(verdict(0x401234, R, US), EP | EU | ER);
	set32(0x1000 + 4, 0x400000 | P | W | U | PS | (1u << 16));
	assert_int_equal(verdict(0x401234, R, US), 0);
	/* Without CR4.PSE the PS bit is ignored: the entry points at a page table. */
	shim_guest_cr4 = 0;
	set32(0x1000 + 4, 0x2000 | P | W | U | PS);
	assert_int_equal(walk(0x401234, R, US, &gpa), 0);
	assert_int_equal(gpa, 0x9234);
}

static void test_five_level(void **state)
{
	u64 gpa, gva = 0x00ff000000001000ULL; /* canonical only with 57-bit addresses */

	(void)state;
	long_mode(true);
	map4k(0x1000, 0x30000, P | W | U); /* the 4-level tables, under PML4 slot 0 */
	assert_int_equal(walk(gva, R, SV, &gpa), -EINVAL);
	shim_guest_cr4 |= CR4_LA57;
	shim_guest_cr3 = 0x6000; /* PML5 -> the PML4 at 0x1000 */
	set64(0x6000 + 0xff * 8, 0x1000 | P | W | U);
	assert_int_equal(walk(gva, WR, US, &gpa), 0);
	assert_int_equal(gpa, 0x30000);
	set64(0x6000 + 0xff * 8, 0x1000 | P | W);
	assert_int_equal(verdict(gva, R, US), EP | EU);
	set64(0x6000 + 0xff * 8, 0x1000 | P | W | U | PS);
	assert_int_equal(verdict(gva, R, US), EP | EU | ER);
	assert_int_equal(walk(0x0100000000000000ULL, R, SV, &gpa), -EINVAL);
}

static void test_accessed_and_dirty(void **state)
{
	u64 gpa;

	(void)state;
	long_mode(true);
	map4k(0x10000, 0x30000, P | W | U);
	assert_int_equal(walk(0x10000, R, US, &gpa), 0);
	assert_true((get64(0x1000) & A) && (get64(0x2000) & A) && (get64(0x3000) & A));
	assert_int_equal(get64(0x4000 + 0x10 * 8) & (A | D), A);
	assert_int_equal(get64(0x3000) & D, 0);
	assert_int_equal(walk(0x10000, WR, US, &gpa), 0);
	assert_int_equal(get64(0x4000 + 0x10 * 8) & (A | D), A | D);
	assert_int_equal(get64(0x3000) & D, 0); /* D is the leaf's only */
	assert_int_equal(gpa, 0x30000);
	/* A walk that faults sets nothing. */
	map4k(0x11000, 0x31000, P | W);
	set64(0x1000, 0x2000 | P | W | U);
	assert_int_equal(verdict(0x11000, R, US), EP | EU);
	assert_int_equal(get64(0x1000) & A, 0);
	assert_int_equal(get64(0x4000 + 0x11 * 8) & A, 0);
	/* Tables the guest's EPT maps read-only keep their flags (and the walk still works). */
	shim_ept_perm[0x4] = 1;
	map4k(0x12000, 0x32000, P | W | U);
	assert_int_equal(walk(0x12000, WR, US, &gpa), 0);
	assert_int_equal(get64(0x4000 + 0x12 * 8) & (A | D), 0);
	/* 2-level: 4-byte entries, the neighbour untouched. */
	shim_guest_cr4 = 0;
	shim_guest_efer = 0;
	shim_guest_cr3 = 0x7000;
	set32(0x7000, 0x8000 | P | W | U);
	set32(0x8000 + 4, 0x9000 | P | W | U);
	set32(0x8000 + 8, 0xffffffdeu);
	assert_int_equal(walk(0x1000, WR, US, &gpa), 0);
	assert_int_equal(shim_gram[0x7000] & (A | D), A);
	assert_int_equal(shim_gram[0x8004] & (A | D), A | D);
	assert_int_equal(get64(0x8008) & 0xffffffffu, 0xffffffdeu);
	/* PAE: the PDPTE has no A flag to set. */
	shim_guest_cr4 = CR4_PAE;
	shim_guest_cr3 = 0x5000;
	set64(0x5000, 0x3000 | P);
	set64(0x3000, 0x600000 | P | W | U | PS);
	assert_int_equal(walk(0x1234, WR, US, &gpa), 0);
	assert_int_equal(get64(0x5000), 0x3000 | P);
	assert_int_equal(get64(0x3000) & (A | D), A | D);
}

static void test_copies_use_the_callers_privilege(void **state)
{
	u8 buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	(void)state;
	long_mode(true);
	rights_pages();
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x11000, sizeof(buf)), 0);
	assert_int_equal(copy_to_guest(&vcpu, 0x11000, buf, sizeof(buf)), 0);
	assert_int_equal(copy_to_guest(&vcpu, 0x13000, buf, sizeof(buf)), -EFAULT); /* WP */
	/* At CPL 3 the supervisor's pages are out of reach. */
	shim_guest_cpl = 3;
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x11000, sizeof(buf)), -EFAULT);
	assert_int_equal(copy_to_guest(&vcpu, 0x11000, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(copy_to_guest(&vcpu, 0x10000, buf, sizeof(buf)), 0);
	shim_guest_cr0 &= ~CR0_WP;
	assert_int_equal(copy_to_guest(&vcpu, 0x12000, buf, sizeof(buf)), -EFAULT);
	/* With SMAP a kernel reaches user buffers only with AC set (STAC around the call). */
	shim_guest_cpl = 0;
	shim_guest_cr4 |= CR4_SMAP;
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x10000, sizeof(buf)), -EFAULT);
	shim_guest_rflags |= EFLAGS_AC;
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x10000, sizeof(buf)), 0);
	/* Non-canonical or reserved: -EFAULT all the same. */
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x0000800000000000ULL, 1), -EFAULT);
	map4k(0x15000, 0x35000 | (1ULL << 47), P | W);
	assert_int_equal(copy_from_guest(&vcpu, buf, 0x15000, 1), -EFAULT);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_user_mode_access),
	    T(test_upper_levels_decide_too),
	    T(test_supervisor_write_protect),
	    T(test_nx_needs_nxe),
	    T(test_smep),
	    T(test_smap),
	    T(test_reserved_bits_long_mode),
	    T(test_reserved_bits_large_pages),
	    T(test_pae_rights_and_reserved),
	    T(test_two_level_rights_and_reserved),
	    T(test_five_level),
	    T(test_accessed_and_dirty),
	    T(test_copies_use_the_callers_privilege),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
