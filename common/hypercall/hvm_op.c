/* hvm_op: HVM parameters (the event callback vector); vm_assist is in vm_assist.c. */
#include <keel/arch_vcpu.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/vcpu.h>
#include <public/hvm.h>
#include <public/hypercall.h>

#include "handlers.h"

#define HVM_NR_PARAMS 64

static int set_callback(struct domain *d, u64 value)
{
	u8 vector = value & 0xff;

	if (HVM_CALLBACK_TYPE(value) != HVM_CALLBACK_TYPE_VECTOR)
		return value == 1 ? 0
				  : -EINVAL; /* GSI 1 after set_evtchn_upcall_vector: accepted */
	if (vector < 0x20)
		return -EINVAL;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		d->vcpus[i]->upcall_vector = vector;
	return 0;
}

static long hvm_param(struct vcpu *v, u64 arg, bool set)
{
	struct domain *d = v->domain;
	struct hvm_param p;
	int rc = 0;

	if (copy_from_guest(v, &p, arg, sizeof(p)))
		return -EFAULT;
	if (p.domid != DOMID_SELF && p.domid != d->id)
		return -EPERM;
	if (p.index >= HVM_NR_PARAMS)
		return -EINVAL;
	if (!set) {
		p.value = d->abi.hvm_params[p.index];
		return copy_to_guest(v, arg, &p, sizeof(p)) ? -EFAULT : 0;
	}
	if (p.index == HVM_PARAM_CALLBACK_IRQ)
		rc = set_callback(d, p.value);
	else if (p.index != HVM_PARAM_STORE_PFN && p.index != HVM_PARAM_STORE_EVTCHN &&
		 p.index != HVM_PARAM_CONSOLE_PFN && p.index != HVM_PARAM_CONSOLE_EVTCHN)
		rc = -EINVAL;
	else if (!d->privileged)
		rc = -EPERM; /* the toolstack sets these, not the guest */
	if (!rc)
		d->abi.hvm_params[p.index] = p.value;
	return rc;
}

/* HVMOP_set_evtchn_upcall_vector: vCPU @vcpu's upcalls arrive through its LAPIC at @vector. */
static long set_upcall_vector(struct vcpu *v, u64 arg)
{
	struct hvm_evtchn_upcall_vector a;
	struct domain *d = v->domain;

	if (copy_from_guest(v, &a, arg, sizeof(a)))
		return -EFAULT;
	if (a.vcpu >= d->nr_vcpus || !d->vcpus[a.vcpu] || a.vector < 0x10)
		return -EINVAL;
	return arch_set_upcall_vector(d->vcpus[a.vcpu], a.vector);
}

long do_hvm_op(struct vcpu *v, const u64 *args)
{
	switch (args[0]) {
	case HVMOP_set_evtchn_upcall_vector:
		return set_upcall_vector(v, args[1]);
	case HVMOP_set_param:
		return hvm_param(v, args[1], true);
	case HVMOP_get_param:
		return hvm_param(v, args[1], false);
	default:
		return -ENOSYS; /* pagetable_dying: not offered */
	}
}
