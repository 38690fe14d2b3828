/* Building the boot-time domains described by the boot loader's modules (common/domain_build.c). */
#ifndef KEEL_DOMAIN_BUILD_H
#define KEEL_DOMAIN_BUILD_H

#include <keel/bootinfo.h>

/* Build and start every domain the modules describe; returns how many started. */
unsigned int domains_build_from_modules(const struct boot_info *bi);
/*
 * Build a boot-time domain again (on_reboot/on_crash = restart) from its saved configuration;
 * @ran_ns is how long its last run lasted (a healthy run resets the restart limit).
 */
int domain_rebuild(const void *cfg, u64 ran_ns);
/* Remember the free memory before the first domain, for the check when the last one ends. */
void domains_note_free_memory(void);

#endif
