/* Guest library: mapping shared_info into a page of the guest's own RAM; the system clock. */
#include "hypercall.h"
#include "pvclock.h"
#include "x86.h"

#include <public/memory.h>

static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));
volatile struct shared_info *shinfo;

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
	if (rc == 0)
		shinfo = (volatile struct shared_info *)shared_info_page;
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

uint64_t time_now_ns(void)
{
	if (!shinfo)
		return 0;
	return pvclock_read(&shinfo->vcpu_info[0].time, read_tsc);
}
