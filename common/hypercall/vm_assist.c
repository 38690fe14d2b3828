/* vm_assist: the optional hypervisor assists a domain turns on; for PVH only runstate_update_flag. */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>

#include "handlers.h"

/* The assists a PVH domain may enable (the others are for PV page tables and segments). */
#define VM_ASSIST_ALLOWED (1ULL << VMASST_TYPE_runstate_update_flag)

long do_vm_assist(struct vcpu *v, const u64 *args)
{
	u64 cmd = args[0], type = args[1];
	struct domain *d = v->domain;

	if (cmd != VMASST_CMD_enable && cmd != VMASST_CMD_disable)
		return -ENOSYS;
	if (type >= 64 || !(VM_ASSIST_ALLOWED & (1ULL << type)))
		return -EINVAL;
	if (cmd == VMASST_CMD_enable)
		__atomic_fetch_or(&d->pv.vm_assist, 1ULL << type, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&d->pv.vm_assist, ~(1ULL << type), __ATOMIC_SEQ_CST);
	return 0;
}
