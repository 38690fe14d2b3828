/* Building the boot-time domains described by the boot loader's modules (common/domain_build.c). */
#ifndef KEEL_DOMAIN_BUILD_H
#define KEEL_DOMAIN_BUILD_H

#include <keel/bootinfo.h>

/* Build and start every domain the modules describe; returns how many started. */
unsigned int domains_build_from_modules(const struct boot_info *bi);

#endif
