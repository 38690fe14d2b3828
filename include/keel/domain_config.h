/* Boot-time domain descriptions parsed from multiboot2 module command lines (docs/boot-domains.md). */
#ifndef KEEL_DOMAIN_CONFIG_H
#define KEEL_DOMAIN_CONFIG_H

#include <keel/bootinfo.h>
#include <keel/domcfg_devices.h>
#include <keel/limits.h>
#include <keel/types.h>

#define DOMCFG_NAME_MAX		32 /* 1..31 characters + NUL */
#define DOMCFG_PATH_MAX		64 /* the module's path as GRUB gave it (truncated), for messages */
#define DOMCFG_CMDLINE_MAX	1024 /* guest kernel command line: 1023 characters + NUL */
#define DOMCFG_MAX_VCPUS	32
#define DOMCFG_MAX_RAMDISKS	4 /* extra modules per domain; the first is the initrd */
#define DOMCFG_MIN_MEM		(1ULL << 20)
#define DOMCFG_MAX_MEM		(1ULL << 40)
#define DOMCFG_DEFAULT_MEM	(32ULL << 20)
#define DOMCFG_DEFAULT_WEIGHT	256
#define DOMCFG_MAX_WEIGHT	65535
#define DOMCFG_MAX_CAP		(100ULL * MAX_CPUS) /* 100% of each CPU */
#define DOMCFG_ALL_CPUS		(~0ULL)
#define DOMCFG_POOL_MAX		16	       /* a CPU pool's name: 1..15 characters + NUL */
#define DOMCFG_RT_MIN_PERIOD_NS 100000ULL      /* 100 us */
#define DOMCFG_RT_MAX_PERIOD_NS 10000000000ULL /* 10 s */
#define DOMCFG_RT_MIN_BUDGET_NS 10000ULL       /* 10 us */
#define DOMCFG_RT_MAX_PRIO	99
#define DOMCFG_ERR_MAX		160 /* a comfortable size for the @err buffers below */
#define DOMCFG_MAX_SHM		4   /* shm= regions per domain */
#define DOMCFG_SHM_NAME_MAX	16  /* 1..15 characters + NUL */
#define DOMCFG_SHM_MIN		(4ULL << 10)
#define DOMCFG_SHM_MAX		(256ULL << 20)

/* What happens when the guest powers off, reboots or crashes. */
enum domcfg_action {
	DOMCFG_DESTROY,	 /* tear the domain down and free its memory */
	DOMCFG_RESTART,	 /* destroy it and build it again from the same modules */
	DOMCFG_PRESERVE, /* keep it paused, memory intact, for inspection */
};

enum domcfg_module_type {
	DOMCFG_KERNEL,	/* a PVH ELF kernel: starts a domain */
	DOMCFG_RAMDISK, /* belongs to the kernel module before it */
};

struct domcfg_ramdisk {
	unsigned int module;		       /* index in boot_info.modules */
	paddr_t start, end;		       /* host-physical, end exclusive */
	char cmdline[BOOT_MODULE_CMDLINE_MAX]; /* what followed `--` on its line ("" = none) */
};

/* One `shm=` region: @size bytes shared with one other domain, seen by this one at @gpa. */
struct domcfg_shm {
	char name[DOMCFG_SHM_NAME_MAX];
	u64 size;      /* multiple of 4 KiB, DOMCFG_SHM_MIN..DOMCFG_SHM_MAX */
	u64 gpa;       /* 4 KiB aligned, clear of the domain's RAM, special pages and devices */
	bool writable; /* rw; else ro (a write is an EPT violation) */
};

struct domain_config {
	/* ---- from the module's command line (domcfg_parse) ---- */
	u64 mem_bytes;			 /* multiple of 4 KiB, DOMCFG_MIN_MEM..DOMCFG_MAX_MEM */
	u64 cpus;			 /* hard affinity of every vCPU (bit n = CPU n) */
	u64 vcpu_cpus[DOMCFG_MAX_VCPUS]; /* per-vCPU affinity: `cpus.N=` or else @cpus */
	enum domcfg_module_type type;
	unsigned int vcpus;  /* 1..DOMCFG_MAX_VCPUS */
	unsigned int weight; /* 1..DOMCFG_MAX_WEIGHT */
	unsigned int cap;    /* % of one CPU, 0 = uncapped, ..DOMCFG_MAX_CAP */
	enum domcfg_action on_poweroff, on_reboot, on_crash;
	char path[DOMCFG_PATH_MAX]; /* first word when it has no '=' ("" = none) */
	char name[DOMCFG_NAME_MAX]; /* "" until domcfg_group_modules picks a default */
	/* everything after `--` (kernel: guest's; ramdisk: its own) */
	char cmdline[DOMCFG_CMDLINE_MAX];
	bool dom0;			/* the initial, privileged domain */
	char pool[DOMCFG_POOL_MAX];	/* CPU pool to run in ("" = the default pool) */
	u64 rt_budget_ns, rt_period_ns; /* real-time reservation of each vCPU (0 = fair share) */
	unsigned int rt_prio;		/* 0..DOMCFG_RT_MAX_PRIO, higher runs first */
	unsigned int nr_shm;		/* shared memory regions (docs/boot-domains.md) */
	struct domcfg_shm shm[DOMCFG_MAX_SHM];
	struct domcfg_devices devices; /* ioports=, iomem=, irqs= (keel/domcfg_devices.h) */

	/* ---- filled by domcfg_group_modules ---- */
	unsigned int module; /* index of the kernel module in boot_info.modules */
	unsigned int nr_ramdisks;
	paddr_t kernel_start, kernel_end;
	struct domcfg_ramdisk ramdisks[DOMCFG_MAX_RAMDISKS];
};

/*
 * Parse one module command line into @out (defaults first, then the keys given). Returns 0, or
 * -EINVAL with a message naming the key and the fix in @err (@errlen bytes, may be 0).
 */
int domcfg_parse(const char *cmdline, struct domain_config *out, char *err, size_t errlen);

/*
 * Walk @bi's modules in order: parse each, attach ramdisks to the kernel before them, enforce the
 * dom0 rules and unique names. A bad module is logged (naming it) and skipped with its ramdisks;
 * the rest are kept. Fills up to @max configs; returns how many, or -EINVAL for NULL arguments.
 * @nr_skipped (may be NULL) receives the number of modules skipped.
 */
int domcfg_group_modules(const struct boot_info *bi, struct domain_config *cfgs, unsigned int max,
			 unsigned int *nr_skipped);

/*
 * `shm=` (common/domain_config_shm.c): parse the value of @word (@wlen bytes, quoted in
 * messages) into @out->shm; then, with the whole line read, check the regions against the
 * domain's memory map and each other. 0, or -EINVAL with the message in @err.
 */
int domcfg_parse_shm(const char *word, size_t wlen, const char *val, size_t vlen,
		     struct domain_config *out, char *err, size_t errlen);
int domcfg_check_shm(const char *word, size_t wlen, const struct domain_config *c, char *err,
		     size_t errlen);

/* "destroy", "restart", "preserve". */
const char *domcfg_action_name(enum domcfg_action action);

#endif
