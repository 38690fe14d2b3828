/* Building dom0's platform: 1:1 RAM, its memory map, the host ACPI tables, devices passed through. */
#ifndef KEEL_DOM0_BUILD_H
#define KEEL_DOM0_BUILD_H

#include <keel/bootinfo.h>
#include <keel/dom0_mem.h>
#include <keel/types.h>

struct domain;

/*
 * Give @d (dom0, vCPUs created) the RAM chosen at boot 1:1, its memory map from the host's @bi,
 * its ACPI tables (the RSDP's guest-physical address in *@rsdp) and the host's devices
 * (arch_domain_passthrough). 0 or -errno, logged.
 */
int dom0_build_platform(struct domain *d, const struct boot_info *bi, u64 *rsdp);

#endif
