/* The FIFO event-channel ABI: event words in guest pages, per-vCPU priority queues Keel links. */
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_mem.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

#include "evtchn_internal.h"

#define WORD_BIT(b)	(1u << (b))
#define FIFO_MAX_PAGES	(EVTCHN_FIFO_NR_CHANNELS / EVTCHN_FIFO_WORDS_PER_PAGE)
#define CTRL_BLOCK_SIZE sizeof(struct evtchn_fifo_control_block)

/* One vCPU's queues: its control block in guest memory and the tail Keel last linked per queue. */
struct fifo_vcpu {
	spinlock_t lock;		      /* links onto this vCPU's queues */
	struct evtchn_fifo_control_block *cb; /* NULL until init_control; then never changes */
	u32 tail[EVTCHN_FIFO_MAX_QUEUES];
};

/*
 * A domain's FIFO state. Allocated at its first init_control and kept until the domain ends
 * (a reset only switches the domain back to 2-level), so that an event raised while another
 * vCPU resets never touches freed memory. Every page it points at is the domain's own RAM.
 */
struct evtchn_fifo {
	unsigned int nr_pages; /* published after the page pointer (release/acquire) */
	event_word_t *pages[FIFO_MAX_PAGES];
	u8 priority[EVTCHN_MAX_PORTS];
	/* Which queue (vCPU * 16 + priority) each port was last linked on. */
	u16 linked_on[EVTCHN_MAX_PORTS];
	struct fifo_vcpu vcpu[DOMAIN_MAX_VCPUS];
};

static event_word_t *word_of(struct evtchn_fifo *f, u32 port)
{
	unsigned int page = port / EVTCHN_FIFO_WORDS_PER_PAGE;

	if (port >= EVTCHN_FIFO_NR_CHANNELS ||
	    page >= __atomic_load_n(&f->nr_pages, __ATOMIC_ACQUIRE))
		return NULL;
	return &f->pages[page][port % EVTCHN_FIFO_WORDS_PER_PAGE];
}

static u32 word_or(event_word_t *w, u32 bits)
{
	return __atomic_fetch_or(w, bits, __ATOMIC_SEQ_CST);
}

/* Point the (still linked) tail's LINK at @port; false if the guest unlinked it meanwhile. */
static bool link_after(event_word_t *tail, u32 port)
{
	u32 old = __atomic_load_n(tail, __ATOMIC_SEQ_CST);

	for (;;) {
		u32 new = (old & ~EVTCHN_FIFO_LINK_MASK) | port;

		if (!(old & WORD_BIT(EVTCHN_FIFO_LINKED)))
			return false;
		if (__atomic_compare_exchange_n(tail, &old, new, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return true;
	}
}

static void upcall(struct vcpu *v)
{
	if (!v->vcpu_info)
		return;
	WRITE_ONCE(v->vcpu_info->upcall_pending, 1);
	vcpu_kick(v);
}

/* Queue the pending, unmasked @port on @v: at the tail of its priority's queue, once. */
static void link_event(struct evtchn_fifo *f, struct vcpu *v, u32 port, event_word_t *w)
{
	struct fifo_vcpu *q = &f->vcpu[v->id];
	struct evtchn_fifo_control_block *cb = __atomic_load_n(&q->cb, __ATOMIC_ACQUIRE);
	unsigned int prio = port < EVTCHN_MAX_PORTS ? f->priority[port] : 0;
	u16 qid = (u16)(v->id * EVTCHN_FIFO_MAX_QUEUES + prio);
	unsigned long flags;
	bool linked = false;

	if (!cb || port >= EVTCHN_MAX_PORTS)
		return; /* no queues yet: the event stays pending for an unmask to link */
	flags = spin_lock_irqsave(&q->lock);
	if (word_or(w, WORD_BIT(EVTCHN_FIFO_LINKED)) & WORD_BIT(EVTCHN_FIFO_LINKED)) {
		spin_unlock_irqrestore(&q->lock, flags);
		return; /* already on a queue */
	}
	/*
	 * The tail we linked last may since have been consumed and linked on another queue (a
	 * bind_vcpu or set_priority in between): then this queue is empty and @port is its head.
	 * (A link racing on another vCPU's queue can at worst put @port on that queue.)
	 */
	/*
	 * @port itself as the recorded tail means that tail was consumed (its LINKED was clear
	 * until just now): linking @port after itself would loop it onto a queue whose HEAD the
	 * guest no longer reads, and lose it for good. The queue is empty: @port is its head.
	 */
	if (q->tail[prio] && q->tail[prio] != port && f->linked_on[q->tail[prio]] == qid) {
		event_word_t *tw = word_of(f, q->tail[prio]);

		linked = tw && link_after(tw, port);
	}
	if (!linked)
		__atomic_store_n(&cb->head[prio], port, __ATOMIC_SEQ_CST);
	q->tail[prio] = port;
	f->linked_on[port] = qid;
	spin_unlock_irqrestore(&q->lock, flags);
	if (!(__atomic_fetch_or(&cb->ready, 1u << prio, __ATOMIC_SEQ_CST) & (1u << prio)))
		upcall(v);
}

static void set_pending_fifo(struct domain *d, struct vcpu *v, u32 port)
{
	struct evtchn_fifo *f = d->evtchn.fifo_state;
	event_word_t *w = word_of(f, port);
	u32 old;

	if (!w)
		return; /* the guest gave no word for this port: nothing can be signalled */
	old = word_or(w, WORD_BIT(EVTCHN_FIFO_PENDING));
	if (!(old & (WORD_BIT(EVTCHN_FIFO_MASKED) | WORD_BIT(EVTCHN_FIFO_LINKED))))
		link_event(f, v, port, w);
}

static void clear_pending_fifo(struct domain *d, u32 port)
{
	event_word_t *w = word_of(d->evtchn.fifo_state, port);

	/* A closed port's event may stay linked: the guest skips linked words that are not pending. */
	if (w)
		__atomic_fetch_and(w, ~WORD_BIT(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
}

static void unmask_fifo(struct domain *d, struct vcpu *v, u32 port)
{
	struct evtchn_fifo *f = d->evtchn.fifo_state;
	event_word_t *w = word_of(f, port);
	u32 old;

	if (!w)
		return;
	old = __atomic_fetch_and(w, ~WORD_BIT(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
	if ((old & WORD_BIT(EVTCHN_FIFO_PENDING)) && !(old & WORD_BIT(EVTCHN_FIFO_LINKED)))
		link_event(f, v, port, w);
}

static bool is_pending_fifo(struct domain *d, u32 port)
{
	event_word_t *w = d->evtchn.fifo_state ? word_of(d->evtchn.fifo_state, port) : NULL;

	return w && (__atomic_load_n(w, __ATOMIC_SEQ_CST) & WORD_BIT(EVTCHN_FIFO_PENDING));
}

const struct evtchn_abi evtchn_abi_fifo = {
    .name = "FIFO",
    .max_ports = EVTCHN_FIFO_NR_CHANNELS, /* the port table's own limit is lower */
    .set_pending = set_pending_fifo,
    .clear_pending = clear_pending_fifo,
    .unmask = unmask_fifo,
    .is_pending = is_pending_fifo,
};

/* Ports pending in the 2-level bitmaps when a page of words arrives are raised again there. */
static void carry_pending(struct domain *d, unsigned int page)
{
	const struct shared_info *s = d->abi.shared_info;
	u32 first = page * EVTCHN_FIFO_WORDS_PER_PAGE;
	u32 end = MIN(first + (u32)EVTCHN_FIFO_WORDS_PER_PAGE, d->evtchn.nr_ports);

	for (u32 p = first; p < end && p < EVTCHN_2L_NR_PORTS; p++) {
		if (!evtchn_port_bound(d, p) || !(s->evtchn_pending[p / 64] & (1ULL << (p % 64))))
			continue;
		u16 vcpu = evtchn_port(d, p)->vcpu;

		if (vcpu < d->nr_vcpus && d->vcpus[vcpu])
			set_pending_fifo(d, d->vcpus[vcpu], p);
	}
}

static struct evtchn_fifo *fifo_state(struct domain *d)
{
	struct evtchn_fifo *f = d->evtchn.fifo_state;

	if (f)
		return f;
	f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	/* Zeroed locks are unlocked ticket locks. */
	memset(f->priority, EVTCHN_FIFO_PRIORITY_DEFAULT, sizeof(f->priority));
	d->evtchn.fifo_state = f;
	return f;
}

int evtchn_fifo_init_control(struct domain *d, u64 gfn, u32 offset, u32 vcpu)
{
	unsigned long flags;
	struct evtchn_fifo *f;
	void *page;
	int rc = 0;

	if (vcpu >= d->nr_vcpus || !d->vcpus[vcpu] || (offset & 7) ||
	    offset > PAGE_SIZE - CTRL_BLOCK_SIZE)
		return -EINVAL;
	if (domain_own_page(d, gfn, &page))
		return -EINVAL;
	flags = spin_lock_irqsave(&d->evtchn.lock);
	f = fifo_state(d);
	if (!f) {
		rc = -ENOMEM;
	} else if (f->vcpu[vcpu].cb) {
		rc = -EINVAL; /* one control block per vCPU until a reset */
	} else {
		memset(f->vcpu[vcpu].tail, 0, sizeof(f->vcpu[vcpu].tail));
		__atomic_store_n(&f->vcpu[vcpu].cb, (void *)((u8 *)page + offset),
				 __ATOMIC_RELEASE);
		/* The first control block switches the domain to FIFO delivery. */
		WRITE_ONCE(d->evtchn.fifo, true);
	}
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
	return rc;
}

int evtchn_fifo_expand_array(struct domain *d, u64 gfn)
{
	struct evtchn_fifo *f = d->evtchn.fifo_state;
	unsigned long flags;
	void *page;
	int rc = 0;

	if (domain_own_page(d, gfn, &page))
		return -EINVAL;
	flags = spin_lock_irqsave(&d->evtchn.lock);
	if (!READ_ONCE(d->evtchn.fifo)) {
		rc = -EINVAL; /* init_control first */
	} else if (f->nr_pages >= FIFO_MAX_PAGES) {
		rc = -ENOSPC;
	} else {
		f->pages[f->nr_pages] = page;
		__atomic_store_n(&f->nr_pages, f->nr_pages + 1, __ATOMIC_RELEASE);
		carry_pending(d, f->nr_pages - 1);
	}
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
	return rc;
}

int evtchn_fifo_set_priority(struct domain *d, u32 port, u32 priority)
{
	unsigned long flags;
	int rc = 0;

	if (priority > EVTCHN_FIFO_PRIORITY_MIN)
		return -EINVAL;
	flags = spin_lock_irqsave(&d->evtchn.lock);
	if (!READ_ONCE(d->evtchn.fifo) || !evtchn_port_bound(d, port) || port >= EVTCHN_MAX_PORTS)
		rc = -EINVAL;
	else
		d->evtchn.fifo_state->priority[port] = (u8)priority; /* from its next link on */
	spin_unlock_irqrestore(&d->evtchn.lock, flags);
	return rc;
}

void evtchn_fifo_reset(struct domain *d)
{
	struct evtchn_fifo *f = d->evtchn.fifo_state;

	WRITE_ONCE(d->evtchn.fifo, false);
	if (!f)
		return;
	__atomic_store_n(&f->nr_pages, 0, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < DOMAIN_MAX_VCPUS; i++)
		__atomic_store_n(&f->vcpu[i].cb, NULL, __ATOMIC_RELEASE);
	memset(f->priority, EVTCHN_FIFO_PRIORITY_DEFAULT, sizeof(f->priority));
}

void evtchn_fifo_destroy(struct domain *d)
{
	kfree(d->evtchn.fifo_state);
	d->evtchn.fifo_state = NULL;
	d->evtchn.fifo = false;
}
