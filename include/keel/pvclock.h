/* The guest-visible clock (vcpu_time_info in shared_info): refreshed when a vCPU is scheduled. */
#ifndef KEEL_PVCLOCK_H
#define KEEL_PVCLOCK_H

struct vcpu;

/* Stamp @v's vcpu_time_info with the current TSC and system time (version odd while writing). */
void pvclock_update(struct vcpu *v);

#endif
