/* domain.c: one served domain: its mapped ring, bound port, pty and log; output and input. */
#include <errno.h>
#include <glib-unix.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "consoled.h"

static gboolean pty_readable(gint fd, GIOCondition cond, gpointer data);
static gboolean pty_writable(gint fd, GIOCondition cond, gpointer data);

/* Releases what the domain holds; it is in no table. */
static void dom_free(struct cons_dom *d)
{
	if (d->in_src)
		g_source_remove(d->in_src);
	if (d->out_src)
		g_source_remove(d->out_src);
	if (d->bound)
		xenevtchn_unbind(d->cd->evtchn, d->local);
	if (d->page)
		xenforeignmemory_unmap(d->cd->fmem, d->page, 1);
	if (d->slave >= 0)
		close(d->slave);
	if (d->master >= 0)
		close(d->master);
	if (d->log_fd >= 0)
		close(d->log_fd);
	g_free(d->log_path);
	g_free(d->pending_buf);
	g_free(d);
}

/* The guest broke the ring's rules: stop serving it until it is gone. */
static void refuse(struct cons_dom *d, const char *queue)
{
	g_warning("domain %u (%s): impossible %s ring indices: disconnected", d->domid, d->stem,
		  queue);
	g_hash_table_add(d->cd->refused, GUINT_TO_POINTER(d->domid));
	cons_dom_close(d, false);
}

/* The pty failed: output goes on to the log only. Callers have cleared their own source. */
static void pty_lost(struct cons_dom *d, const char *what, int err)
{
	g_warning("domain %u (%s): %s %s: %s; its output goes to the log only", d->domid, d->stem,
		  what, d->tty, err ? g_strerror(err) : "end of file");
	if (d->in_src)
		g_source_remove(d->in_src);
	if (d->out_src)
		g_source_remove(d->out_src);
	d->in_src = d->out_src = 0;
	close(d->slave);
	close(d->master);
	d->slave = d->master = -1;
	cons_fifo_consume(&d->pending, d->pending.len);
}

/* Pending output into the pty master as far as it takes it; a watch for the rest. */
static void pty_flush(struct cons_dom *d)
{
	const char *data;
	size_t len;

	while (d->master >= 0 && (len = cons_fifo_peek(&d->pending, &data)) > 0) {
		ssize_t n = write(d->master, data, len);

		if (n > 0) {
			cons_fifo_consume(&d->pending, (size_t)n);
		} else if (n < 0 && errno == EAGAIN) {
			if (!d->out_src)
				d->out_src = g_unix_fd_add(d->master, G_IO_OUT, pty_writable, d);
			return;
		} else if (n == 0 || errno != EINTR) {
			pty_lost(d, "writing to", n ? errno : EIO);
			return;
		}
	}
	if (d->out_src) {
		g_source_remove(d->out_src);
		d->out_src = 0;
	}
}

static gboolean pty_writable(gint fd, GIOCondition cond, gpointer data)
{
	struct cons_dom *d = data;

	d->out_src = 0; /* this source ends here; pty_flush adds another if still needed */
	pty_flush(d);
	return G_SOURCE_REMOVE;
}

/* Bytes typed on the pty, into in[] as far as it has room; no room: wait for the guest. */
static gboolean pty_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct cons_dom *d = data;
	char buf[XENCONS_IN_SIZE];
	long space = cons_ring_in_space(&d->ring);
	ssize_t n;

	if (space <= 0) {
		d->in_src = 0; /* resumed by cons_dom_event once the guest has read */
		if (space < 0)
			refuse(d, "input");
		return G_SOURCE_REMOVE;
	}
	n = read(fd, buf, (size_t)space);
	if (n > 0) {
		if (cons_ring_write_in(&d->ring, buf, (size_t)n) < 0) {
			d->in_src = 0;
			refuse(d, "input");
			return G_SOURCE_REMOVE;
		}
		xenevtchn_notify(d->cd->evtchn, d->local);
		return G_SOURCE_CONTINUE;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	d->in_src = 0;
	pty_lost(d, "reading", n ? errno : 0);
	return G_SOURCE_REMOVE;
}

/* Guest output to the log (written through at once) and to the pty (bounded, oldest dropped). */
static void output(struct cons_dom *d, const char *buf, size_t len)
{
	if (d->log_fd >= 0 && !cons_log_write(d->log_fd, buf, len) && !d->log_failed) {
		d->log_failed = true;
		g_warning("domain %u (%s): writing %s: %s", d->domid, d->stem, d->log_path,
			  g_strerror(errno));
	}
	if (d->master < 0)
		return;
	cons_fifo_push(&d->pending, buf, len);
	pty_flush(d);
}

void cons_dom_event(struct cons_dom *d)
{
	char buf[XENCONS_OUT_SIZE];
	long n = cons_ring_read_out(&d->ring, buf, sizeof(buf));

	if (n < 0) {
		refuse(d, "output");
		return;
	}
	if (n > 0) {
		output(d, buf, (size_t)n);
		xenevtchn_notify(d->cd->evtchn, d->local);
	}
	if (d->master >= 0 && !d->in_src) {
		long space = cons_ring_in_space(&d->ring);

		if (space < 0) {
			refuse(d, "input");
			return;
		}
		if (space > 0)
			d->in_src = g_unix_fd_add(d->master, G_IO_IN, pty_readable, d);
	}
}

void cons_dom_close(struct cons_dom *d, bool drain)
{
	struct consoled *cd = d->cd;
	char buf[XENCONS_OUT_SIZE];
	long n = drain ? cons_ring_read_out(&d->ring, buf, sizeof(buf)) : 0;

	if (n > 0)
		output(d, buf, (size_t)n);
	g_hash_table_remove(cd->served, GUINT_TO_POINTER(d->domid));
	if (d->bound)
		g_hash_table_remove(cd->by_port, GUINT_TO_POINTER(d->local));
	g_message("domain %u (%s): console closed", d->domid, d->stem);
	dom_free(d);
}

/* The pty, its name in xenstore, the log; each missing one is said and done without. */
static void open_files(struct cons_dom *d)
{
	struct consoled *cd = d->cd;
	int rc = cons_pty_open(&d->master, &d->slave, d->tty, sizeof(d->tty));

	if (rc) {
		g_strlcpy(d->tty, "none", sizeof(d->tty));
		g_warning("domain %u (%s): no pty (%s): its output goes to the log only", d->domid,
			  d->stem, g_strerror(-rc));
	} else {
		gchar *node = g_strdup_printf("/local/domain/%u/console/tty", d->domid);

		if (!xs_write(cd->xs, XBT_NULL, node, d->tty, (unsigned int)strlen(d->tty)))
			g_warning("domain %u (%s): cannot write %s: %s", d->domid, d->stem, node,
				  g_strerror(errno));
		g_free(node);
		d->in_src = g_unix_fd_add(d->master, G_IO_IN, pty_readable, d);
	}
	d->log_fd = cons_log_open(cd->log_dir, d->stem, &d->log_path);
	if (d->log_fd < 0)
		g_warning("domain %u (%s): cannot open %s: %s", d->domid, d->stem, d->log_path,
			  g_strerror(-d->log_fd));
}

bool cons_dom_connect(struct consoled *cd, unsigned int domid, uint64_t gfn, uint32_t port,
		      const char *stem, char **why)
{
	struct cons_dom *d = g_new0(struct cons_dom, 1);
	xen_pfn_t frame = (xen_pfn_t)gfn;
	xenevtchn_port_or_error_t local;

	d->cd = cd;
	d->domid = domid;
	d->gfn = gfn;
	d->port = port;
	d->master = d->slave = d->log_fd = -1;
	g_strlcpy(d->stem, stem, sizeof(d->stem));
	d->page = xenforeignmemory_map(cd->fmem, domid, PROT_READ | PROT_WRITE, 1, &frame, NULL);
	if (!d->page) {
		*why = g_strdup_printf("cannot map console/ring-ref gfn %" PRIu64 ": %s", gfn,
				       g_strerror(errno));
		dom_free(d);
		return false;
	}
	local = xenevtchn_bind_interdomain(cd->evtchn, domid, port);
	if (local < 0) {
		*why = g_strdup_printf("cannot bind console/port %" PRIu32 ": %s", port,
				       g_strerror(errno));
		dom_free(d);
		return false;
	}
	d->local = (evtchn_port_t)local;
	d->bound = true;
	if (!cons_ring_attach(&d->ring, d->page)) {
		g_warning("domain %u (%s): impossible ring indices at connect: not served", domid,
			  d->stem);
		g_hash_table_add(cd->refused, GUINT_TO_POINTER(domid));
		dom_free(d);
		return true;
	}
	d->pending_buf = g_malloc(CONS_PTY_BUFFER);
	cons_fifo_init(&d->pending, d->pending_buf, CONS_PTY_BUFFER);
	open_files(d);
	g_hash_table_insert(cd->served, GUINT_TO_POINTER(domid), d);
	g_hash_table_insert(cd->by_port, GUINT_TO_POINTER(d->local), d);
	g_message("domain %u (%s): ring gfn %" PRIu64 " port %" PRIu32 ", tty %s, log %s", domid,
		  d->stem, gfn, port, d->tty, d->log_fd >= 0 ? d->log_path : "none");
	cons_dom_event(d); /* what the guest wrote before we came */
	return true;
}
