/* Guest library: shared_info mapping and the pvclock (vcpu_time_info) reader. */
#ifndef GUEST_PVCLOCK_H
#define GUEST_PVCLOCK_H

#include <stdint.h>

#include <public/shared_info.h>

#define NS_PER_MS 1000000ull

/* The shared_info page once mapped (NULL before). */
extern volatile struct shared_info *shinfo;
/* vCPU 0's vcpu_info: in shared_info once mapped, or where vcpu_info_register() moved it. */
extern volatile struct vcpu_info *vcpu0_info;

/* XENMEM_add_to_physmap(shared_info, idx 0) over a page of our own RAM. 0 or -errno. */
long shared_info_map(void);
/* Map it again at the same frame (the hypervisor replaces the mapping each time). 0 or -errno. */
long shared_info_remap(void);

/* Pure: ((delta shifted by shift) * mul) >> 32, with a 128-bit product. */
uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul, int8_t shift);
/* Pure: read one consistent snapshot of t (retrying while the version is odd or changes)
 * and convert tsc (sampled by read_tsc after the snapshot's version read) to ns. */
uint64_t pvclock_read(const volatile struct vcpu_time_info *t, uint64_t (*read_tsc)(void));

/*
 * VCPUOP_register_vcpu_info: move vCPU @vcpu's vcpu_info to guest frame @gfn at byte @offset
 * (for vCPU 0, vcpu0_info follows). 0 or -errno.
 */
long vcpu_info_register(uint32_t vcpu, uint64_t gfn, uint32_t offset);

/* System time in ns from vCPU 0's vcpu_info time (0 if shared_info is not mapped). */
uint64_t time_now_ns(void);

/* TSC ticks per microsecond from vCPU 0's pvclock scale (0 if shared_info is not mapped). */
uint64_t time_tsc_per_us(void);

#endif
