/* SCHEDOP_poll: block a vCPU until one of its listed ports is pending (masked or not) or a timeout. */
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/guest_access.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/sched.h>

/*
 * A poller is marked in d->pv.pollers (bit = vCPU id) and keeps its port list in v->pv; event
 * delivery calls sched_poll_wake_port() after marking a port pending, which costs one load when
 * nobody polls. Any kick of the vCPU (an upcall for it, the timeout) also ends the poll, as in
 * Xen: the guest looks at its ports again after every return. The poll ends for Keel when the
 * vCPU is scheduled in again, or at its next block, whichever comes first.
 */

static bool any_pending(struct vcpu *v)
{
	for (u32 i = 0; i < v->pv.nr_poll_ports; i++)
		if (evtchn_is_pending(v->domain, v->pv.poll_ports[i]))
			return true;
	return false;
}

void sched_poll_end(struct vcpu *v)
{
	if (!READ_ONCE(v->pv.polling))
		return;
	WRITE_ONCE(v->pv.polling, false);
	__atomic_fetch_and(&v->domain->pv.pollers, ~(1u << v->id), __ATOMIC_SEQ_CST);
	timer_stop(&v->pv.poll_timer);
}

long sched_poll(struct vcpu *v, const struct sched_poll *p)
{
	struct domain *d = v->domain;
	u32 ports[SCHED_POLL_MAX_PORTS];

	sched_poll_end(v); /* one that never slept */
	if (p->nr_ports > SCHED_POLL_MAX_PORTS)
		return -EINVAL;
	if (p->nr_ports && copy_from_guest(v, ports, p->ports, p->nr_ports * sizeof(u32)))
		return -EFAULT;
	for (u32 i = 0; i < p->nr_ports; i++)
		if (ports[i] >= d->evtchn.nr_ports)
			return -EINVAL;
	for (u32 i = 0; i < p->nr_ports; i++)
		v->pv.poll_ports[i] = ports[i];
	v->pv.nr_poll_ports = p->nr_ports;

	/* Marked first, checked after: a port made pending in between finds us marked. */
	WRITE_ONCE(v->blocked, true);
	WRITE_ONCE(v->pv.polling, true);
	__atomic_fetch_or(&d->pv.pollers, 1u << v->id, __ATOMIC_SEQ_CST);
	if (any_pending(v) || (p->timeout && p->timeout <= now_ns())) {
		WRITE_ONCE(v->blocked, false);
		sched_poll_end(v);
		return 0;
	}
	if (p->timeout)
		timer_set(&v->pv.poll_timer, p->timeout, arch_cpu_id());
	sched_sleep(&v->sched, now_ns());
	/* A wake between marking and sched_sleep() found us not yet asleep: we run on. */
	if (!READ_ONCE(v->blocked)) {
		vcpu_unpause_wake(v);
		sched_poll_end(v);
	}
	return 0;
}

void sched_poll_wake_port(struct domain *d, u32 port)
{
	u32 pollers = __atomic_load_n(&d->pv.pollers, __ATOMIC_SEQ_CST);

	while (pollers) {
		unsigned int id = (unsigned int)__builtin_ctz(pollers);
		struct vcpu *v = id < d->nr_vcpus ? d->vcpus[id] : NULL;

		pollers &= pollers - 1;
		if (!v || !READ_ONCE(v->pv.polling))
			continue;
		for (u32 i = 0; i < READ_ONCE(v->pv.nr_poll_ports); i++) {
			if (READ_ONCE(v->pv.poll_ports[i]) == port) {
				vcpu_kick(v);
				break;
			}
		}
	}
}
