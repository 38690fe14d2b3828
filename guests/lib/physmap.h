/* Guest library: moving shared_info around the physical map and probing what is mapped. */
#ifndef GUEST_PHYSMAP_H
#define GUEST_PHYSMAP_H

#include <stdint.h>

/* XENMEM_add_to_physmap(shared_info) at guest frame @gfn: 0 or -errno. */
long physmap_put_shared_info(uint64_t gfn);
/*
 * Is @gfn (below 4 GiB) mapped? Asks Keel to read a zero word of shared_info there (a vcpu_info
 * slot no vCPU uses) through XENMEM_memory_map, which then refuses the empty request with
 * -EINVAL; an unmapped frame gives -EFAULT. 1 mapped, 0 not, -1 anything else (it is then not
 * shared_info, or not zero there). Never touches the frame itself, so a hole does not crash.
 */
int physmap_probe(uint64_t gfn);

#define PHYSMAP_PROBE_OFFSET (16 * 64) /* vcpu_info[16] */

#endif
