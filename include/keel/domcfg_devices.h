/* The device keys of a boot-time domain's line: ioports=, iomem=, irqs= (docs/boot-domains.md). */
#ifndef KEEL_DOMCFG_DEVICES_H
#define KEEL_DOMCFG_DEVICES_H

#include <keel/types.h>

#define DOMCFG_MAX_DEV_ENTRIES 8		  /* per key */
#define DOMCFG_MAX_PORT	       0xffffULL	  /* x86 I/O ports */
#define DOMCFG_MAX_IOMEM_ADDR  ((1ULL << 52) - 1) /* the widest host-physical address */
#define DOMCFG_MAX_GSI	       255

/* The device keys, in the order the line parser numbers them. */
enum domcfg_dev_key {
	DOMCFG_DEV_IOPORTS, /* ioports=FIRST-LAST[,...]: hex port numbers, inclusive */
	DOMCFG_DEV_IOMEM,   /* iomem=FIRST-LAST[,...]: hex host-physical bytes, whole 4 KiB pages */
	DOMCFG_DEV_IRQS,    /* irqs=N[,...]: IO-APIC GSI numbers, decimal */
};

/* An inclusive range: ports, or host-physical bytes (iomem: first 0x...000, last 0x...fff). */
struct domcfg_range {
	u64 first, last;
};

/* What a domain's line assigns to it; all zero = no devices. Entries never overlap each other. */
struct domcfg_devices {
	unsigned int nr_ioports, nr_iomem, nr_irqs;
	struct domcfg_range ioports[DOMCFG_MAX_DEV_ENTRIES];
	struct domcfg_range
	    iomem[DOMCFG_MAX_DEV_ENTRIES]; /* mapped 1:1 at the same guest address */
	u32 irqs[DOMCFG_MAX_DEV_ENTRIES];
};

/*
 * Parse the value (@len bytes at @val, not NUL-terminated) of device key @key into @dev (which
 * keeps what other keys set). Returns 0, or -EINVAL with the reason and the fix in @err (@errlen
 * bytes, may be 0; the caller names the word in front of it).
 */
int domcfg_parse_devices(enum domcfg_dev_key key, const char *val, size_t len,
			 struct domcfg_devices *dev, char *err, size_t errlen);

/* Whether @dev assigns anything. */
bool domcfg_has_devices(const struct domcfg_devices *dev);

#endif
