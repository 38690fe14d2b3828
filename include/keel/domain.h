/* Domains: the unit of isolation: memory, vCPUs, event channels, lifecycle. */
#ifndef KEEL_DOMAIN_H
#define KEEL_DOMAIN_H

#include <asm/hvm.h>
#include <keel/domain_console.h>
#include <keel/spinlock.h>
#include <keel/types.h>

#define DOMAIN_MAX_VCPUS 32
#define DOMAIN_NAME_LEN	 32
#define DOMID_FIRST_FREE 1
#define DOMID_AUTO	 0xffff /* domain_create: pick the next free id */

enum domain_state {
	DOMAIN_CREATED, /* built, paused */
	DOMAIN_RUNNING,
	DOMAIN_PAUSED,
	DOMAIN_SHUTDOWN, /* the guest asked to stop (poweroff/reboot/...) */
	DOMAIN_CRASHED,	 /* Keel stopped it for misbehaviour */
	DOMAIN_DEAD,	 /* destroyed, waiting to be freed */
};

enum domain_end_action { ACTION_DESTROY, ACTION_RESTART, ACTION_PRESERVE };

/* A block of guest RAM: 2^order frames at @hpa mapped at @gpa. */
struct mem_extent {
	u64 gpa;
	paddr_t hpa;
	unsigned int order;
};

struct evtchn;

struct domain {
	u16 id;
	char name[DOMAIN_NAME_LEN];
	spinlock_t lock;
	enum domain_state state;
	unsigned int shutdown_reason; /* SHUTDOWN_* from the ABI when state is SHUTDOWN */
	bool privileged;	      /* dom0 */
	enum domain_end_action on_crash, on_poweroff, on_reboot;
	unsigned int pause_count;

	unsigned int nr_vcpus;
	struct vcpu *vcpus[DOMAIN_MAX_VCPUS];

	/* Memory. */
	u64 mem_bytes;
	unsigned int nr_extents, max_extents;
	struct mem_extent *extents;
	u64 pages; /* frames owned (RAM + Keel pages given to it) */

	/* Xen ABI state. */
	struct shared_info *shared_info;
	paddr_t shared_info_pa;
	u64 shared_info_gfn; /* 0: not mapped yet */
	unsigned int nr_ports;
	struct evtchn *evtchns;
	u64 hvm_params[64];

	struct domain_console console; /* its console output (console_io, port 0xE9) */

	bool dying;	       /* to be destroyed once no vCPU runs */
	bool restart;	       /* build it again from build_cfg once destroyed */
	const void *build_cfg; /* the boot-time configuration it was built from, or NULL */
	bool reaping;

	struct arch_domain arch;
	struct domain *next;
};

/* Create an empty, paused domain (@id DOMID_AUTO: the next free one). */
struct domain *domain_create(u16 id, const char *name, unsigned int nr_vcpus, bool privileged);
/* Give @d @bytes of RAM from GPA 0 (scrubbed frames, large blocks where possible). */
int domain_populate_ram(struct domain *d, u64 bytes);
/* Free everything (memory scrubbed and returned); the domain must not be running. */
void domain_destroy(struct domain *d);
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
/* The guest asked to stop (SCHEDOP_shutdown): log it and act per the domain's config. */
void domain_shutdown(struct domain *d, unsigned int reason);
/* Keel stops @d for misbehaviour: one clear log line saying why, then per on_crash. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct domain *domain_by_id(u16 id);
/* A domain marked dying, or NULL. */
struct domain *domain_find_dying(void);
/* Destroy the dying domains that are off every CPU (called from the CPU loop). */
void domain_reap(void);
extern bool domains_started;
/* The `keep_running` option: stay up when no domain is left. */
bool keep_running_requested(void);
unsigned int domains_alive(void);
/* Take guest console output of @d: only buffered (keel/domain_console.h), printed by a flush. */
void domain_console_write(struct domain *d, const char *buf, size_t len);

/* Copy to/from guest-physical memory of @d (no paging): 0 or -EFAULT outside its RAM. */
int domain_copy_to_gpa(struct domain *d, u64 gpa, const void *src, size_t len);
int domain_copy_from_gpa(struct domain *d, void *dst, u64 gpa, size_t len);
int domain_zero_gpa(struct domain *d, u64 gpa, size_t len);

#endif
