/* Domains: the unit of isolation: memory, vCPUs, event channels, lifecycle. */
#ifndef KEEL_DOMAIN_H
#define KEEL_DOMAIN_H

#include <asm/hvm.h>
#include <keel/console_ring.h>
#include <keel/domain_console.h>
#include <keel/domain_mem.h>
#include <keel/event_channel.h>
#include <keel/foreign_map.h>
#include <keel/spinlock.h>
#include <keel/types.h>
#include <keel/vcpu_pv.h>

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

/* A domain's Xen ABI state: its shared_info page, where the guest mapped it, its HVM params. */
struct domain_abi {
	struct shared_info *shared_info;
	paddr_t shared_info_pa;
	spinlock_t physmap_lock; /* serializes guest changes of the physical map (add_to_physmap) */
	u64 shared_info_gfn;	 /* 0: not mapped yet; where it is mapped, under physmap_lock */
	u64 hvm_params[64];
};

/* A domain's life: what ends it does, and the state of its ending (a sub-structure). */
struct domain_life {
	enum domain_end_action on_crash, on_poweroff, on_reboot;
	unsigned int shutdown_reason; /* SHUTDOWN_* from the ABI when state is SHUTDOWN */
	bool dying;		      /* to be destroyed once no vCPU runs */
	bool reaping;		      /* CPU 0 is destroying it */
	bool restart;		      /* build it again from build_cfg once destroyed */
	const void *build_cfg;	      /* the boot-time configuration it was built from, or NULL */
	u64 started_ns;		      /* now_ns() when it was started (0: never) */
	u64 ended_ns;		      /* now_ns() when it shut down or crashed */
};

/* Management state of a domain, from domctl (a sub-structure of struct domain). */
struct domain_ctl {
	u32 paused;	       /* 1: paused by domctl (atomic) */
	u32 started;	       /* 1: unpaused once (atomic): vCPU 0 began at its context */
	u32 failure_logged[3]; /* domctl, sysctl, memory_op: ops whose failure was logged */
};

struct domain {
	u16 id;
	char name[DOMAIN_NAME_LEN];
	spinlock_t lock;
	enum domain_state state;
	bool privileged; /* dom0 */
	unsigned int pause_count;
	struct domain_life life; /* how it started and how it ends (common/domain_end.c) */

	unsigned int nr_vcpus;
	struct vcpu *vcpus[DOMAIN_MAX_VCPUS];

	struct domain_mem mem; /* its RAM and the frames Keel gave it (keel/domain_mem.h) */

	struct domain_abi abi;	     /* its Xen ABI pages and parameters */
	struct domain_evtchn evtchn; /* its event channels (keel/event_channel.h) */

	struct domain_console console; /* its console output (console_io, port 0xE9) */
	struct console_ring cons_ring; /* its PV console ring (common/console_ring.c) */

	struct grant_table *gnt;       /* its grant table and its maptrack (keel/grant_table.h) */
	u32 refs;		       /* domain_get() references: not reaped while any is held */
	struct domain_foreign foreign; /* other domains' frames it maps (keel/foreign_map.h) */
	struct domain_ctl ctl;	       /* what domctl did to it (common/hypercall/domctl.c) */

	struct domain_pv pv; /* vm_assist, pollers, shutdown code, logs (keel/vcpu_pv.h) */

	struct arch_domain arch;
	struct domain *next;
};

/* Create an empty, paused domain (@id DOMID_AUTO: the next free one). */
struct domain *domain_create(u16 id, const char *name, unsigned int nr_vcpus, bool privileged);
/* Free everything (memory scrubbed and returned); the domain must not be running. */
void domain_destroy(struct domain *d);
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
/* The guest asked to stop (SCHEDOP_shutdown): log it and act per the domain's config. */
void domain_shutdown(struct domain *d, unsigned int reason);
/* Keel stops @d for misbehaviour: one clear log line saying why, then per on_crash. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The toolstack destroys @d (domctl): stop it, mark it dying; CPU 0 reaps it (domain_end.c). */
void domain_kill(struct domain *d);
struct domain *domain_by_id(u16 id);
/* References for calls that reach another domain (event channels, console input, grants). */
/* @id's domain with a reference held, or NULL; every domain_get() needs a domain_put(). */
struct domain *domain_get(u16 id);
/* The domain with the smallest id above @after (-1: the first), with a reference, or NULL. */
struct domain *domain_get_next(int after);
void domain_put(struct domain *d);
/* Call @fn on every live domain in id order, each with a reference held for the call. */
static inline void domain_for_each(void (*fn)(struct domain *d, void *ctx), void *ctx)
{
	struct domain *d = domain_get_next(-1);

	while (d) {
		struct domain *next;

		fn(d, ctx);
		next = domain_get_next(d->id);
		domain_put(d);
		d = next;
	}
}
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

#endif
