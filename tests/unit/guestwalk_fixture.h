/* Shared by the guest page-walk unit tests: one guest, its RAM, page-table builders and probes. */
#ifndef TESTS_UNIT_GUESTWALK_FIXTURE_H
#define TESTS_UNIT_GUESTWALK_FIXTURE_H

#include <asm/guest_walk.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

#define CR0_PE	  (1ULL << 0)
#define CR0_WP	  (1ULL << 16)
#define CR0_PG	  (1ULL << 31)
#define CR4_PSE	  (1ULL << 4)
#define CR4_PAE	  (1ULL << 5)
#define CR4_LA57  (1ULL << 12)
#define CR4_SMEP  (1ULL << 20)
#define CR4_SMAP  (1ULL << 21)
#define EFER_LME  (1ULL << 8)
#define EFER_LMA  (1ULL << 10)
#define EFER_NXE  (1ULL << 11)
#define EFLAGS_AC (1ULL << 18)
#define P	  (1ULL << 0)
#define W	  (1ULL << 1)
#define U	  (1ULL << 2)
#define A	  (1ULL << 5)
#define D	  (1ULL << 6)
#define PS	  (1ULL << 7)
#define NX	  (1ULL << 63)
/* #PF error code bits */
#define EP 1u
#define EW 2u
#define EU 4u
#define ER 8u
#define EI 16u

static struct domain dom;
static struct vcpu vcpu;
static u32 last_pfec;

static inline int setup(void **state)
{
	(void)state;
	shim_guest_reset();
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.domain = &dom;
	return 0;
}

static inline void set64(u64 gpa, u64 val)
{
	memcpy(shim_gram + gpa, &val, 8);
}

static inline void set32(u64 gpa, u32 val)
{
	memcpy(shim_gram + gpa, &val, 4);
}

static inline u64 get64(u64 gpa)
{
	u64 val;

	memcpy(&val, shim_gram + gpa, 8);
	return val;
}

/* Long mode on (with EFER.NXE), tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD), 0x4000. */
static inline void long_mode(bool wp)
{
	shim_guest_cr0 = CR0_PE | CR0_PG | (wp ? CR0_WP : 0);
	shim_guest_cr4 = CR4_PAE;
	shim_guest_efer = EFER_LME | EFER_LMA | EFER_NXE;
	shim_guest_cr3 = 0x1000;
}

/* Map the 4K page at @gva to @gpa through the fixed tables, @upper the flags of the others. */
static inline void map4k_upper(u64 gva, u64 gpa, u64 flags, u64 upper)
{
	set64(0x1000 + ((gva >> 39) & 511) * 8, 0x2000 | upper);
	set64(0x2000 + ((gva >> 30) & 511) * 8, 0x3000 | upper);
	set64(0x3000 + ((gva >> 21) & 511) * 8, 0x4000 | upper);
	set64(0x4000 + ((gva >> 12) & 511) * 8, gpa | flags);
}

static inline void map4k(u64 gva, u64 gpa, u64 flags)
{
	map4k_upper(gva, gpa, flags, P | W | U);
}

static inline int walk(u64 gva, enum guest_access acc, enum guest_priv priv, u64 *gpa)
{
	*gpa = 0xbad;
	last_pfec = 0xdead;
	return guest_walk(&vcpu, gva, acc, priv, gpa, &last_pfec);
}

/* A supervisor read or write (what the tests written before privileges existed ask). */
static inline int v2p(u64 gva, bool write, u64 *gpa)
{
	return walk(gva, write ? GUEST_WRITE : GUEST_READ, GUEST_SUPERVISOR, gpa);
}

/* The walk's verdict for one access: 0 if allowed, else the #PF error code (never 0 here). */
static inline u32 verdict(u64 gva, enum guest_access acc, enum guest_priv priv)
{
	u64 gpa;
	int rc = walk(gva, acc, priv, &gpa);

	if (rc == 0)
		return 0;
	assert_int_equal(rc, -EFAULT);
	assert_true(last_pfec != 0);
	return last_pfec;
}

#endif
