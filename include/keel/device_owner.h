/* Who owns which device resource (I/O port, MMIO page, GSI): Keel, one boot-time domain, or dom0. */
#ifndef KEEL_DEVICE_OWNER_H
#define KEEL_DEVICE_OWNER_H

#include <keel/bootinfo.h>
#include <keel/domcfg_devices.h>
#include <keel/types.h>

enum devown_kind {
	DEVOWN_PORT, /* I/O port numbers */
	DEVOWN_MMIO, /* host-physical byte addresses (whole pages) */
	DEVOWN_GSI,  /* IO-APIC pins by GSI */
};

#define DEVOWN_MAX_RESERVED 64
#define DEVOWN_MAX_DOMAINS  16
#define DEVOWN_MAX_CLAIMS   (DEVOWN_MAX_DOMAINS * 3 * DOMCFG_MAX_DEV_ENTRIES)

/*
 * The legacy PC device window: an iomem= page here is left out of the domain's RAM (its memory
 * map says reserved there); anywhere else an iomem= page must lie outside the domain's layout.
 */
#define DEVOWN_LEGACY_FIRST 0xA0000ULL
#define DEVOWN_LEGACY_LAST  0xFFFFFULL

/*
 * Keel keeps [@first, @last] of @kind (@what names it in refusals, e.g. "its console UART"; a
 * string that lives for ever). 0, -EINVAL for a backwards range, -ENOSPC when full (logged).
 */
int devown_reserve(enum devown_kind kind, u64 first, u64 last, const char *what);

/*
 * Give domain @name (a string that outlives the claim) what @dev lists, all or nothing: each
 * resource must not be Keel's, nor already another domain's; an iomem= range must not be RAM in
 * @bi's memory map, nor cover a guest-physical address the domain itself uses (its RAM of
 * @mem_bytes in the standard layout, except the legacy window, its ACPI tables, special pages,
 * local APIC and IO-APIC); each GSI must be a pin of the host's IO-APICs. dom0 (@dom0) has every
 * device Keel does not keep, so it may list none. 0, or -EINVAL with the resource, its owner and
 * the fix in @err; -EBUSY with the same when it is another domain's.
 */
int devown_claim(const char *name, bool dom0, const struct domcfg_devices *dev, u64 mem_bytes,
		 const struct boot_info *bi, char *err, size_t errlen);

/* The domain that owns some of [@first, @last] of @kind, or NULL. */
const char *devown_owner(enum devown_kind kind, u64 first, u64 last);

/*
 * The ranges of @kind domains own, one per call: *@cursor starts at 0. False after the last;
 * @owner (may be NULL) gets the domain's name.
 */
bool devown_next(enum devown_kind kind, unsigned int *cursor, u64 *first, u64 *last,
		 const char **owner);

/* Forget every reservation and claim (host tests). */
void devown_reset(void);

/* The architecture's part: whether @gsi is a pin of one of the host's IO-APICs. */
bool arch_device_gsi_exists(u32 gsi);
/* Reserve what Keel itself uses on this machine (devown_reserve()); once, before any claim. */
void arch_devices_reserve(void);

#endif
