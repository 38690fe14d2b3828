/* Guest library: moving shared_info around the physical map and probing what is mapped. */
#include "physmap.h"
#include "hypercall.h"

#include <public/errno.h>
#include <public/memory.h>

long physmap_put_shared_info(uint64_t gfn)
{
	struct add_to_physmap xatp = {
	    .domid = DOMID_SELF,
	    .space = XENMAPSPACE_shared_info,
	    .idx = 0,
	    .gpfn = gfn,
	};

	return hv_memory_op(XENMEM_add_to_physmap, &xatp);
}

int physmap_probe(uint64_t gfn)
{
	long rc = hv_memory_op(XENMEM_memory_map,
			       (void *)(uintptr_t)((gfn << 12) + PHYSMAP_PROBE_OFFSET));

	if (rc == -EINVAL)
		return 1;
	return rc == -EFAULT ? 0 : -1;
}
