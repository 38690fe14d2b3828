/* conn_ring.c: introduced domains' rings (gntdev or foreign map, their ports) and their deaths. */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <libkeel.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/sys/xenbus_dev.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>

#include "ring.h"
#include "transport.h"

struct ring_transport {
	xenevtchn_handle *evtchn;
	xengnttab_handle *gnttab;
	xenforeignmemory_handle *fmem;	   /* NULL if unavailable: grant ref 1 only */
	GHashTable *by_port;		   /* local port -> struct ring_conn */
	struct xs_core *core;		   /* set at the first attach */
	struct keel_handle *keel;	   /* NULL without privcmd: deaths are not noticed */
	xenevtchn_port_or_error_t dom_exc; /* VIRQ_DOM_EXC's local port, or -1 */
};

#define KERNEL_RING_BYTES 4096 /* the page of dom0 kernel's ring */
#define VIRQ_DOM_EXC	  3 /* a domain shut down, crashed or was destroyed (public/event_channel.h) */

struct ring_conn {
	struct ring_transport *rt;
	struct xs_domain *dom;
	struct xs_ring_page *page;
	evtchn_port_t local_port;
	bool foreign; /* mapped by mfn, not by grant */
	bool local;   /* dom0's own kernel: its page through xenfs, never unmapped */
	GByteArray *out;
};

static void ring_flush(struct ring_conn *r)
{
	long n;

	if (!r->out->len)
		return;
	n = xs_ring_write_replies(r->page, r->out->data, r->out->len);
	if (n < 0) {
		g_message("domain %u: bad reply ring indices", r->dom->domid);
		g_byte_array_set_size(r->out, 0);
		return;
	}
	g_byte_array_remove_range(r->out, 0, (guint)n);
	if (n > 0)
		xenevtchn_notify(r->rt->evtchn, r->local_port);
}

static void ring_send(void *ctx, const void *buf, size_t len)
{
	struct ring_conn *r = ctx;

	g_byte_array_append(r->out, buf, (guint)len);
	ring_flush(r);
}

static const struct xs_conn_ops ring_ops = {.send = ring_send};

/* Reads what the guest queued; false: the connection is to be dropped. */
static bool ring_poll(struct ring_conn *r)
{
	char buf[XS_RING_SIZE];
	long n;

	ring_flush(r);
	while ((n = xs_ring_read_requests(r->page, buf, sizeof(buf))) > 0) {
		xenevtchn_notify(r->rt->evtchn, r->local_port);
		if (!xs_conn_input(r->dom->conn, buf, (size_t)n))
			return false;
	}
	if (n < 0)
		g_message("domain %u: bad request ring indices", r->dom->domid);
	return n == 0;
}

/* Keel's word on @domid: gone (unknown, or dying: destroyed), or still there. */
static enum xs_domain_fate domain_fate(unsigned int domid, void *arg)
{
	struct ring_transport *rt = arg;
	struct keel_domain_info info;
	int rc = keel_domain_getinfo(rt->keel, (uint16_t)domid, &info);

	if (rc == -ESRCH || (!rc && (info.flags & KEEL_DOMINFO_DYING)))
		return XS_DOMAIN_GONE;
	return XS_DOMAIN_ALIVE; /* running, shut down but kept, or the question failed */
}

static gboolean evtchn_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct ring_transport *rt = data;
	xenevtchn_port_or_error_t port = xenevtchn_pending(rt->evtchn);
	struct ring_conn *r;

	if (port < 0)
		return G_SOURCE_CONTINUE;
	xenevtchn_unmask(rt->evtchn, (evtchn_port_t)port);
	if (port == rt->dom_exc) {
		if (rt->core)
			xs_domains_check(rt->core, domain_fate, rt);
		return G_SOURCE_CONTINUE;
	}
	r = g_hash_table_lookup(rt->by_port, GUINT_TO_POINTER((guint)port));
	if (r && r->dom->conn && !ring_poll(r)) {
		xs_conn_free(r->dom->conn);
		r->dom->conn = NULL;
	}
	return G_SOURCE_CONTINUE;
}

static void unmap_page(struct ring_conn *r)
{
	if (r->local)
		return;
	if (r->foreign)
		xenforeignmemory_unmap(r->rt->fmem, r->page, 1);
	else
		xengnttab_unmap(r->rt->gnttab, r->page, 1);
}

static bool ring_attach(struct xs_core *core, struct xs_domain *d, void *arg)
{
	struct ring_transport *rt = arg;
	struct ring_conn *r = g_new0(struct ring_conn, 1);
	xenevtchn_port_or_error_t port;

	r->rt = rt;
	r->dom = d;
	rt->core = core;
	r->page = xengnttab_map_grant_ref(rt->gnttab, d->domid, XS_GNTTAB_RESERVED_XENSTORE,
					  PROT_READ | PROT_WRITE);
	if (!r->page && rt->fmem) { /* no grant entry: the mfn INTRODUCE gave */
		xen_pfn_t mfn = (xen_pfn_t)d->mfn;

		r->page =
		    xenforeignmemory_map(rt->fmem, d->domid, PROT_READ | PROT_WRITE, 1, &mfn, NULL);
		r->foreign = r->page != NULL;
	}
	port = r->page ? xenevtchn_bind_interdomain(rt->evtchn, d->domid, d->port) : -1;
	if (port < 0) {
		if (r->page)
			unmap_page(r);
		g_free(r);
		return false;
	}
	r->local_port = (evtchn_port_t)port;
	r->out = g_byte_array_new();
	g_hash_table_insert(rt->by_port, GUINT_TO_POINTER(r->local_port), r);
	d->conn = xs_conn_new(core, d->domid, &ring_ops, r);
	ring_poll(r);
	return true;
}

static void ring_detach(struct xs_core *core, struct xs_domain *d, void *arg)
{
	struct ring_transport *rt = arg;
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, rt->by_port);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct ring_conn *r = value;

		if (r->dom != d)
			continue;
		xenevtchn_unbind(rt->evtchn, r->local_port);
		unmap_page(r);
		g_byte_array_free(r->out, TRUE);
		g_hash_table_iter_remove(&it);
		g_free(r);
		return;
	}
}

bool xs_ring_transport_open(struct xs_ring_hooks *hooks)
{
	struct ring_transport *rt = g_new0(struct ring_transport, 1);

	rt->evtchn = xenevtchn_open(NULL, 0);
	rt->gnttab = rt->evtchn ? xengnttab_open(NULL, 0) : NULL;
	if (!rt->gnttab) {
		g_message("no /dev/xen/evtchn or /dev/xen/gntdev: domain rings disabled");
		if (rt->evtchn)
			xenevtchn_close(rt->evtchn);
		g_free(rt);
		return false;
	}
	rt->fmem = xenforeignmemory_open(NULL, 0);
	rt->keel = keel_open();
	rt->dom_exc = rt->keel ? xenevtchn_bind_virq(rt->evtchn, VIRQ_DOM_EXC) : -1;
	if (rt->dom_exc < 0)
		g_message(
		    "no VIRQ_DOM_EXC (privcmd: %s): dead domains are released only by RELEASE",
		    rt->keel ? "open" : "none");
	rt->by_port = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_unix_fd_add(xenevtchn_fd(rt->evtchn), G_IO_IN, evtchn_readable, rt);
	hooks->attach = ring_attach;
	hooks->detach = ring_detach;
	hooks->arg = rt;
	return true;
}

/*
 * dom0's kernel talks to the xenstore daemon over a ring of its own (Linux's "local" xenstore):
 * /dev/xen/xenbus_backend gives its unbound port, xenfs' xsd_kva its page. The kernel probes
 * its xenbus devices (backends such as blkback, frontends) at the first event on that port.
 */
bool xs_ring_serve_kernel(struct xs_core *core, const struct xs_ring_hooks *hooks)
{
	static struct xs_domain kernel = {.domid = 0, .target = -1, .introduced = true};
	struct ring_transport *rt = hooks->arg;
	struct ring_conn *r;
	xenevtchn_port_or_error_t port;
	int fd, kva, evtchn;
	void *page;

	if (hooks->attach != ring_attach)
		return false;
	fd = open("/dev/xen/xenbus_backend", O_RDWR | O_CLOEXEC);
	evtchn = fd < 0 ? -1 : ioctl(fd, IOCTL_XENBUS_BACKEND_EVTCHN, 0);
	if (fd >= 0)
		close(fd);
	if (evtchn <= 0) {
		g_message("no port of dom0's kernel (/dev/xen/xenbus_backend: %s): its xenbus "
			  "is not served",
			  fd < 0 ? g_strerror(errno) : "no port");
		return false;
	}
	kva = open("/proc/xen/xsd_kva", O_RDWR | O_CLOEXEC);
	page = kva < 0 ? MAP_FAILED
		       : mmap(NULL, KERNEL_RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, kva, 0);
	if (kva >= 0)
		close(kva);
	if (page == MAP_FAILED) {
		g_message("cannot map dom0's kernel ring (/proc/xen/xsd_kva: %s)",
			  g_strerror(errno));
		return false;
	}
	port = xenevtchn_bind_interdomain(rt->evtchn, 0, (evtchn_port_t)evtchn);
	if (port < 0) {
		g_message("cannot bind dom0's kernel port %d: %s", evtchn, g_strerror(errno));
		munmap(page, KERNEL_RING_BYTES);
		return false;
	}
	r = g_new0(struct ring_conn, 1);
	r->rt = rt;
	r->dom = &kernel;
	r->page = page;
	r->local = true;
	r->local_port = (evtchn_port_t)port;
	r->out = g_byte_array_new();
	rt->core = core;
	g_hash_table_insert(rt->by_port, GUINT_TO_POINTER(r->local_port), r);
	kernel.conn = xs_conn_new(core, 0, &ring_ops, r);
	ring_poll(r);
	xenevtchn_notify(rt->evtchn, r->local_port); /* the kernel probes its devices now */
	g_message("serving dom0's kernel on port %d", evtchn);
	return true;
}
