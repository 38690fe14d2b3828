/* Guest library: mapping shared_info into a page of the guest's own RAM; the system clock. */
#include "hypercall.h"
#include "pvclock.h"
#include "x86.h"

#include <public/memory.h>
#include <public/vcpu.h>

static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));
volatile struct shared_info *shinfo;
volatile struct vcpu_info *vcpu0_info;

static long add_shared_info(void)
{
	struct add_to_physmap xatp = {
	    .domid = DOMID_SELF,
	    .size = 0,
	    .space = XENMAPSPACE_shared_info,
	    .idx = 0,
	    .gpfn = (uint64_t)(uintptr_t)shared_info_page >> 12,
	};

	return hv_memory_op(XENMEM_add_to_physmap, &xatp);
}

long shared_info_map(void)
{
	long rc;

	if (shinfo)
		return 0;
	rc = add_shared_info();
	if (rc == 0) {
		shinfo = (volatile struct shared_info *)shared_info_page;
		if (!vcpu0_info)
			vcpu0_info = &shinfo->vcpu_info[0];
	}
	return rc;
}

long shared_info_remap(void)
{
	return shinfo ? add_shared_info() : shared_info_map();
}

static uint64_t read_tsc(void)
{
	return rdtsc_ordered();
}

long vcpu_info_register(uint32_t vcpu, uint64_t gfn, uint32_t offset)
{
	struct vcpu_register_vcpu_info r = {.gfn = gfn, .offset = offset, .rsvd = 0};
	long rc = hv_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &r);

	if (rc == 0 && vcpu == 0)
		vcpu0_info = (volatile struct vcpu_info *)(uintptr_t)((gfn << 12) + offset);
	return rc;
}

uint64_t time_now_ns(void)
{
	if (!vcpu0_info)
		return 0;
	return pvclock_read(&vcpu0_info->time, read_tsc);
}

uint64_t time_tsc_per_us(void)
{
	uint64_t mul, per_us;
	int8_t shift;

	if (!vcpu0_info)
		return 0;
	mul = vcpu0_info->time.tsc_to_system_mul;
	shift = vcpu0_info->time.tsc_shift;
	if (!mul)
		return 0;
	/* ns = (ticks << shift) * mul >> 32, so ticks per 1000 ns = (1000 << 32) / mul >> shift. */
	per_us = (1000ull << 32) / mul;
	return shift >= 0 ? per_us >> shift : per_us << -shift;
}
