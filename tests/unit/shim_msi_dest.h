/* Where a device interrupt went (tests/unit/shim_msi_dest.c): two vLAPICs, dom0, softirqs. */
#ifndef TESTS_SHIM_MSI_DEST_H
#define TESTS_SHIM_MSI_DEST_H

#include <asm/vlapic.h>
#include <keel/domain.h>
#include <keel/vcpu.h>

/* Which vCPU of shim_dom0 took which vector last (-1: none), device-IRQ softirqs raised. */
extern int accepted_vcpu, accepted_vec, softirqs;
extern struct vlapic lapics[2];
extern struct vcpu vcpus[2];
extern struct domain shim_dom0;

/* shim_dom0 zeroed with two vCPUs, APIC ids 0 and 2; nothing accepted, no softirq. */
void shim_msi_dest_reset(void);

#endif
