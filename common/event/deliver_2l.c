/* The 2-level event-channel ABI: pending and mask bitmaps in shared_info, selectors per vCPU. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

#include "evtchn_internal.h"

static bool test_and_set(volatile uint64_t *word, unsigned int bit)
{
	return __atomic_fetch_or(word, 1ULL << bit, __ATOMIC_SEQ_CST) & (1ULL << bit);
}

/* A pending, unmasked @port: flag its word in @v's selector and, if that is new, upcall @v. */
static void notify_vcpu(struct vcpu *v, u32 port)
{
	if (!v->vcpu_info || test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64))
		return;
	WRITE_ONCE(v->vcpu_info->upcall_pending, 1);
	vcpu_kick(v);
}

static void set_pending_2l(struct domain *d, struct vcpu *v, u32 port)
{
	struct shared_info *s = d->abi.shared_info;

	if (test_and_set(&s->evtchn_pending[port / 64], port % 64))
		return;
	if (READ_ONCE(s->evtchn_mask[port / 64]) & (1ULL << (port % 64)))
		return;
	notify_vcpu(v, port);
}

static void clear_pending_2l(struct domain *d, u32 port)
{
	__atomic_fetch_and(&d->abi.shared_info->evtchn_pending[port / 64], ~(1ULL << (port % 64)),
			   __ATOMIC_SEQ_CST);
}

static void unmask_2l(struct domain *d, struct vcpu *v, u32 port)
{
	struct shared_info *s = d->abi.shared_info;

	__atomic_fetch_and(&s->evtchn_mask[port / 64], ~(1ULL << (port % 64)), __ATOMIC_SEQ_CST);
	/* Pending while masked: deliver it now. */
	if (READ_ONCE(s->evtchn_pending[port / 64]) & (1ULL << (port % 64)))
		notify_vcpu(v, port);
}

static bool is_pending_2l(struct domain *d, u32 port)
{
	return __atomic_load_n(&d->abi.shared_info->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) &
	       (1ULL << (port % 64));
}

const struct evtchn_abi evtchn_abi_2l = {
    .name = "2-level",
    .max_ports = EVTCHN_MAX_PORTS, /* 64 words of 64 bits in shared_info */
    .set_pending = set_pending_2l,
    .clear_pending = clear_pending_2l,
    .unmask = unmask_2l,
    .is_pending = is_pending_2l,
};
