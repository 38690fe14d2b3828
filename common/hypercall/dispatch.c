/* Hypercall dispatch: a table by hypercall number; unknown numbers return -ENOSYS. */
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>

#include "handlers.h"

u64 hypercall_counts[HYPERCALL_MAX];

static const hypercall_fn_t hypercall_table[HYPERCALL_MAX] = {
    [HYPERCALL_memory_op] = do_memory_op,   [HYPERCALL_xen_version] = do_xen_version,
    [HYPERCALL_console_io] = do_console_io, [HYPERCALL_vcpu_op] = do_vcpu_op,
    [HYPERCALL_sched_op] = do_sched_op,	    [HYPERCALL_event_channel_op] = do_event_channel_op,
    [HYPERCALL_hvm_op] = do_hvm_op,	    [HYPERCALL_vm_assist] = do_vm_assist,
};

long hypercall_dispatch(struct vcpu *v, u64 nr, const u64 args[5])
{
	v->hypercalls++;
	if (nr >= HYPERCALL_MAX || !hypercall_table[nr])
		return -ENOSYS;
	hypercall_counts[nr]++;
	return hypercall_table[nr](v, args);
}
