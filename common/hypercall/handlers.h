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

#endif
