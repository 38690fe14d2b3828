/* A boot-time domain's devices at build (common/domain_devices.c; docs/boot-domains.md "Devices"). */
#ifndef KEEL_DOMAIN_DEVICES_H
#define KEEL_DOMAIN_DEVICES_H

#include <keel/bootinfo.h>
#include <keel/domain_config.h>
#include <keel/types.h>

struct domain;

/*
 * Before any domain is built: note Keel's own resources, then claim each config's devices in
 * module order (keel/device_owner.h). @refused[i] says config i was refused (logged with the
 * resource, its owner and the fix): it must not be started.
 */
void domain_devices_claim_all(struct domain_config *cfgs, bool *refused, unsigned int n,
			      const struct boot_info *bi);
/*
 * @d's RAM for @c: the standard layout, with the pages of its iomem= ranges in the legacy window
 * (0xa0000-0xfffff) left out (its memory map says reserved there). 0 or -errno.
 */
int domain_devices_populate_ram(struct domain *d, const struct domain_config *c);
/* Give @d (built from @c) its devices and log them once; nothing for dom0. 0 or -errno. */
int domain_devices_assign(struct domain *d, const struct domain_config *c);

#endif
