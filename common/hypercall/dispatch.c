/* Hypercall dispatch: a table by hypercall number; -ENOSYS for the rest, logged once per sub-op. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>

#include "handlers.h"

u64 hypercall_counts[HYPERCALL_MAX];

static const hypercall_fn_t hypercall_table[HYPERCALL_MAX] = {
    [HYPERCALL_memory_op] = do_memory_op,
    [HYPERCALL_xen_version] = do_xen_version,
    [HYPERCALL_console_io] = do_console_io,
    [HYPERCALL_vcpu_op] = do_vcpu_op,
    [HYPERCALL_sched_op] = do_sched_op,
    [HYPERCALL_event_channel_op] = do_event_channel_op,
    [HYPERCALL_hvm_op] = do_hvm_op,
    [HYPERCALL_vm_assist] = do_vm_assist,
    [HYPERCALL_platform_op] = do_platform_op,
    [HYPERCALL_physdev_op] = do_physdev_op,
    /* -- grant tables -- */
    [HYPERCALL_grant_table_op] = do_grant_table_op,
    /* -- end grant tables -- */
    [HYPERCALL_sysctl] = do_sysctl,
    [HYPERCALL_domctl] = do_domctl,
};

static const char *const hypercall_names[HYPERCALL_MAX] = {
    [HYPERCALL_platform_op] = "platform_op",
    [HYPERCALL_memory_op] = "memory_op",
    [HYPERCALL_xen_version] = "xen_version",
    [HYPERCALL_console_io] = "console_io",
    [HYPERCALL_grant_table_op] = "grant_table_op",
    [HYPERCALL_vm_assist] = "vm_assist",
    [HYPERCALL_vcpu_op] = "vcpu_op",
    [HYPERCALL_sched_op] = "sched_op",
    [HYPERCALL_event_channel_op] = "event_channel_op",
    [HYPERCALL_physdev_op] = "physdev_op",
    [HYPERCALL_hvm_op] = "hvm_op",
    [HYPERCALL_sysctl] = "sysctl",
    [HYPERCALL_domctl] = "domctl",
};

/*
 * What a guest asks for and Keel does not have is worth one line, not one per call: each
 * (hypercall, sub-op) pair is logged once per domain (sub-ops 63 and up share a bit, hypercalls
 * numbered 64 and up share a row). Hypercalls run with no lock held, so the line is printed here.
 */
static void log_enosys_once(struct vcpu *v, u64 nr, u64 sub)
{
	struct domain *d = v->domain;
	unsigned int row = nr < HYPERCALL_MAX ? (unsigned int)nr : HYPERCALL_MAX;
	u64 bit = 1ULL << (sub < 63 ? sub : 63);
	const char *name = nr < HYPERCALL_MAX && hypercall_names[nr] ? hypercall_names[nr] : "?";

	if (__atomic_fetch_or(&d->pv.enosys_logged[row], bit, __ATOMIC_RELAXED) & bit)
		return;
	pr_info("hypercall: d%u vCPU %u: %s (%llu) sub-op %llu not implemented: -ENOSYS "
		"(logged once per domain and sub-op)",
		d->id, v->id, name, nr, sub);
}

long hypercall_dispatch(struct vcpu *v, u64 nr, const u64 args[5])
{
	long rc;

	v->hypercalls++;
	if (nr >= HYPERCALL_MAX || !hypercall_table[nr]) {
		log_enosys_once(v, nr, args[0]);
		return -ENOSYS;
	}
	hypercall_counts[nr]++;
	rc = hypercall_table[nr](v, args);
	if (rc == -ENOSYS)
		log_enosys_once(v, nr, args[0]);
	return rc;
}
