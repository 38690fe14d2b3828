/* dom0's MSI-X tables: trapped where their BARs put them, entries remapped to Keel's vectors. */
#ifndef ASM_DOM0_MSIX_H
#define ASM_DOM0_MSIX_H

#include <keel/types.h>

struct domain;

#define MSIX_MAX_DEVS 16 /* functions whose tables Keel filters */

/*
 * dom0 (@d) wrote @size bytes at @off of @bdf's config space (already done on the device): when
 * that may move or enable the function's MSI-X table (command register, BARs, the capability),
 * the table's pages are trapped where its BAR now puts them. Call without locks held.
 */
void dom0_msix_config_written(struct domain *d, u16 bdf, unsigned int off, unsigned int size);

/*
 * Where dom0 may have a function's table trapped: pages of the host's device space that
 * dom0 has mapped 1:1 (dom0_passthrough.c). Never RAM, never a page Keel keeps.
 */
bool dom0_device_space_contains(u64 start, u64 end);

/* dom0 @d is going: its functions' MSI-X is disabled and their tables forgotten. */
void dom0_msix_release(struct domain *d);

#endif
