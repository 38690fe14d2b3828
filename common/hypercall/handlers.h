/* The hypercall handlers dispatch.c knows (one file each in common/hypercall/). */
#ifndef KEEL_HYPERCALL_HANDLERS_H
#define KEEL_HYPERCALL_HANDLERS_H

#include <keel/types.h>

struct vcpu;

long do_memory_op(struct vcpu *v, const u64 *args);
long do_xen_version(struct vcpu *v, const u64 *args);
long do_console_io(struct vcpu *v, const u64 *args);
long do_vcpu_op(struct vcpu *v, const u64 *args);
long do_sched_op(struct vcpu *v, const u64 *args);
long do_event_channel_op(struct vcpu *v, const u64 *args);
long do_hvm_op(struct vcpu *v, const u64 *args);
long do_vm_assist(struct vcpu *v, const u64 *args);
long do_grant_table_op(struct vcpu *v, const u64 *args);
long do_platform_op(struct vcpu *v, const u64 *args);
long do_physdev_op(struct vcpu *v, const u64 *args);
long do_domctl(struct vcpu *v, const u64 *args);
long do_sysctl(struct vcpu *v, const u64 *args);

struct domain;
/*
 * memory_op for another domain (memory_foreign.c): @domid's domain in @d, referenced when it is
 * not the caller's own (DOMID_SELF or its id): 0, -EPERM for an unprivileged caller, -ESRCH.
 * memory_op_target_put() drops what memory_op_target() took.
 */
long memory_op_target(struct vcpu *v, u16 domid, struct domain **d);
void memory_op_target_put(struct vcpu *v, struct domain *d);
long memory_op_add_batch(struct vcpu *v, u64 arg);
long memory_op_remove(struct vcpu *v, u64 arg);
/* One line per domain and management call that failed (mgmt_log.c style of log_enosys_once). */
struct keel_domain_info;
/* domctl.c: what domain info says of @d (sysctl's domain list too). */
void domctl_fill_info(struct domain *d, struct keel_domain_info *i);
void mgmt_log_failure_once(struct vcpu *v, unsigned int call, unsigned int op, long rc);

#endif
