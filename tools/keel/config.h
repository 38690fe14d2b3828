/* keel's guest configuration parser: xl.cfg-syntax files and key=value overrides, checked. */
#ifndef KEEL_CONFIG_H
#define KEEL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEEL_CFG_NAME_MAX    31 /* characters of a guest name */
#define KEEL_CFG_MAX_VCPUS   32
#define KEEL_CFG_MAX_CPUS    64 /* physical CPU numbers in cpus: 0..63 */
#define KEEL_CFG_MAX_DISKS   16
#define KEEL_CFG_MAX_VIFS    8
#define KEEL_CFG_CMDLINE_MAX 2047 /* bytes of the guest command line (Linux x86: 2048 with NUL) */

enum keel_cfg_action { KEEL_CFG_DESTROY, KEEL_CFG_RESTART, KEEL_CFG_PRESERVE };

struct keel_cfg_disk {
	char *target;	  /* the image file or block device (checked to exist) */
	char vdev[16];	  /* "xvda", "xvdb1", "xvdaa" */
	uint32_t vdev_id; /* its vbd number (the formula: docs/config.md, disk specs) */
	bool readonly;	  /* access=ro */
	int line;	  /* of its list item; 0 when it came from the command line */
};

struct keel_cfg_vif {
	char mac[18]; /* "00:16:3e:12:34:56", lower case; "" = none given (the CLI makes one) */
	char *bridge; /* never NULL: "xenbr0" unless given */
	char *script; /* NULL: the default hotplug script */
	char *ip;     /* NULL: none */
	int line;     /* as for disks */
};

struct keel_cfg {
	char name[KEEL_CFG_NAME_MAX + 1];
	uint64_t memory_mib, maxmem_mib;
	unsigned int vcpus, maxvcpus;
	uint64_t cpumask;			   /* every CPU some vCPU may run on (~0: all) */
	uint64_t vcpu_cpumask[KEEL_CFG_MAX_VCPUS]; /* vCPU n's affinity (n < maxvcpus), else 0 */
	unsigned int weight, cap; /* cpu_weight 1..65535; cap 0..3200 (0: no cap) */
	char *kernel;		  /* never NULL after success: resolved path */
	char *ramdisk;		  /* NULL: none */
	char *cmdline;		  /* never NULL after success ("" = empty) */
	struct keel_cfg_disk disks[KEEL_CFG_MAX_DISKS];
	unsigned int nr_disks;
	struct keel_cfg_vif vifs[KEEL_CFG_MAX_VIFS];
	unsigned int nr_vifs;
	enum keel_cfg_action on_poweroff, on_reboot, on_crash;
};

/* What a configured path must be, for the path check. */
enum keel_cfg_path_kind {
	KEEL_CFG_PATH_FILE,    /* kernel, ramdisk: a readable regular file */
	KEEL_CFG_PATH_DISK_RO, /* a read-only disk: a readable regular file or block device */
	KEEL_CFG_PATH_DISK_RW, /* a writable disk: the same, writable too */
};

struct keel_cfg_hooks {
	/* Each error and warning, one whole line without '\n' (NULL: not reported). */
	void (*report)(void *ctx, int is_error, const char *msg);
	/*
	 * Is @path fit for @kind? 0, or a positive errno: ENOENT (no such file), EACCES (not
	 * readable), EROFS (not writable, for a read-write disk), EISDIR (a directory), EINVAL
	 * (some other kind of file), or any other errno (its strerror is reported). NULL:
	 * keel_cfg_check_path.
	 */
	int (*check_path)(void *ctx, const char *path, enum keel_cfg_path_kind kind);
	void *ctx; /* passed to both */
};

/*
 * Parse @text (@len bytes, a file's contents; no NUL needed), named @file in messages and whose
 * directory relative kernel and ramdisk paths are taken from, then apply @overrides (each
 * "key=value", from the command line after the file: the same values, where one not starting
 * with a quote or [ is a string as it stands). Everything is checked before it returns; each
 * error and warning goes to @hooks->report, sorted by where it is. Returns the number of errors:
 * 0 and @out filled (free it with keel_cfg_free), or > 0 and @out zeroed. @hooks may be NULL.
 */
int keel_cfg_parse(const char *file, const char *text, size_t len, char *const *overrides,
		   int nr_overrides, const struct keel_cfg_hooks *hooks, struct keel_cfg *out);

/* keel_cfg_parse on the file at @path; one that cannot be read ("PATH: cannot read it: ...") or
 * is over 1 MiB is one error. */
int keel_cfg_load(const char *path, char *const *overrides, int nr_overrides,
		  const struct keel_cfg_hooks *hooks, struct keel_cfg *out);

/* The check of real files: stat() and access() (the default check_path). */
int keel_cfg_check_path(void *ctx, const char *path, enum keel_cfg_path_kind kind);

/* Free what keel_cfg_parse allocated in @cfg and zero it; safe on a zeroed or freed config. */
void keel_cfg_free(struct keel_cfg *cfg);

/* "destroy", "restart", "preserve". */
const char *keel_cfg_action_name(enum keel_cfg_action action);

#endif
