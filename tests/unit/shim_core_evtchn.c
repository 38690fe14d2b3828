/* Host-test shim for event channels: heap on calloc, recorded vcpu_kick, a flat fake guest memory. */
#include <keel/domain_mem.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/mm.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

struct vcpu *shim_core_kicks[SHIM_CORE_KICKS_MAX];
unsigned int shim_core_nr_kicks;
u8 shim_core_guest_mem[SHIM_CORE_GUEST_SIZE];
u8 *shim_core_own_mem;
u64 shim_core_own_gfn;
unsigned int shim_core_own_pages;

void shim_core_evtchn_reset(void)
{
	shim_core_nr_kicks = 0;
	memset(shim_core_guest_mem, 0, sizeof(shim_core_guest_mem));
}

void *kmalloc(size_t size)
{
	return malloc(size);
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

void vcpu_kick(struct vcpu *v)
{
	assert_non_null(v);
	if (shim_core_nr_kicks < SHIM_CORE_KICKS_MAX)
		shim_core_kicks[shim_core_nr_kicks] = v;
	shim_core_nr_kicks++;
}

/* Guest virtual [BASE, BASE + SIZE) is the fake memory; everything else is unmapped. */
static u8 *guest_ptr(u64 gva, size_t len)
{
	if (gva < SHIM_CORE_GUEST_BASE || gva - SHIM_CORE_GUEST_BASE > SHIM_CORE_GUEST_SIZE ||
	    len > SHIM_CORE_GUEST_SIZE - (gva - SHIM_CORE_GUEST_BASE))
		return NULL;
	return shim_core_guest_mem + (gva - SHIM_CORE_GUEST_BASE);
}

int copy_from_guest(struct vcpu *v, void *dst, u64 gva, size_t len)
{
	u8 *p = guest_ptr(gva, len);

	assert_non_null(v);
	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

int copy_to_guest(struct vcpu *v, u64 gva, const void *src, size_t len)
{
	u8 *p = guest_ptr(gva, len);

	assert_non_null(v);
	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

/* The domain's own RAM pages: [shim_core_own_gfn, + shim_core_own_pages) in shim_core_own_mem. */
int domain_own_page(struct domain *d, u64 gfn, void **va)
{
	assert_non_null(d);
	if (!shim_core_own_mem || gfn < shim_core_own_gfn ||
	    gfn - shim_core_own_gfn >= shim_core_own_pages)
		return -EINVAL;
	*va = shim_core_own_mem + (gfn - shim_core_own_gfn) * 4096;
	return 0;
}
