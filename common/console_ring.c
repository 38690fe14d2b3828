/* The PV console ring Keel serves each domain: its page and port, draining output, giving input. */
#include <keel/arch_vcpu.h>
#include <keel/console_ring.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <public/console.h>
#include <public/hvm.h>

/* The ring is one page; a hostile guest's indices make xencons_*() return -EIO. */
BUILD_BUG_ON(sizeof(struct xencons_interface) > PAGE_SIZE);

static void on_guest_send(struct domain *d, u32 port)
{
	console_ring_drain(d);
	/* On the guest's own vCPU, in its time: the lines it completed go out now. */
	domain_console_flush(d);
}

void console_ring_init(void)
{
	evtchn_keel_register(EVTCHN_KEEL_CONSOLE, on_guest_send);
}

int console_ring_setup(struct domain *d)
{
	struct console_ring *c = &d->cons_ring;
	void *page = frame_alloc_zeroed_page();
	int rc;

	if (!page)
		return -ENOMEM;
	c->pa = virt_to_paddr(page);
	rc = arch_map_gpa(d, CONSOLE_RING_GFN << PAGE_SHIFT, c->pa, PAGE_SIZE, true);
	if (rc) {
		frame_free(c->pa, 0);
		return rc;
	}
	c->page = page;
	d->mem.pages++;
	rc = evtchn_alloc_keel(d, EVTCHN_KEEL_CONSOLE, &c->port);
	if (rc)
		return rc; /* the page goes with the domain */
	d->abi.hvm_params[HVM_PARAM_CONSOLE_PFN] = CONSOLE_RING_GFN;
	d->abi.hvm_params[HVM_PARAM_CONSOLE_EVTCHN] = c->port;
	return 0;
}

void console_ring_release(struct domain *d)
{
	struct console_ring *c = &d->cons_ring;

	if (!c->page)
		return;
	memset(c->page, 0, PAGE_SIZE);
	frame_free(c->pa, 0);
	c->page = NULL;
}

/* The guest's indices were impossible: say so once per domain (with no lock held). */
static void report_bad_indices(struct domain *d, bool first, const char *which)
{
	if (first)
		pr_warn("console: d%u's ring %s indices are impossible: ring reset (logged once)",
			d->id, which);
}

/* Bytes taken per lock hold: a ring's worth goes in XENCONS_OUT_SIZE / DRAIN_CHUNK steps. */
#define DRAIN_CHUNK 512

void console_ring_drain(struct domain *d)
{
	struct console_ring *c = &d->cons_ring;
	char buf[DRAIN_CHUNK];
	size_t total = 0;
	bool first = false;
	int n;

	if (!READ_ONCE(c->page))
		return;
	do {
		unsigned long flags = spin_lock_irqsave(&c->lock);

		n = xencons_take_output(c->page, buf, sizeof(buf));
		if (n == -EIO)
			first = c->bad_indices++ == 0;
		spin_unlock_irqrestore(&c->lock, flags);
		if (n > 0) {
			domain_console_write(d, buf, (size_t)n);
			total += (size_t)n;
		}
	} while (n == DRAIN_CHUNK && total < XENCONS_OUT_SIZE);
	if (n == -EIO)
		report_bad_indices(d, first, "output");
	if (total)
		evtchn_notify_keel(d, EVTCHN_KEEL_CONSOLE, c->port); /* room in out[] again */
}

size_t console_ring_input(struct domain *d, const char *buf, size_t len)
{
	struct console_ring *c = &d->cons_ring;
	unsigned long flags;
	bool first = false;
	int n;

	if (!READ_ONCE(c->page) || !len)
		return 0;
	flags = spin_lock_irqsave(&c->lock);
	n = xencons_put_input(c->page, buf, len);
	if (n == -EIO)
		first = c->bad_indices++ == 0;
	spin_unlock_irqrestore(&c->lock, flags);
	if (n == -EIO) {
		report_bad_indices(d, first, "input");
		return 0;
	}
	if (n > 0)
		evtchn_notify_keel(d, EVTCHN_KEEL_CONSOLE, c->port);
	return (size_t)n;
}
