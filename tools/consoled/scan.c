/* scan.c: which domains are served: Keel's domain list, their xenstore nodes, watches, events. */
#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consoled.h"

#define LIST_CHUNK  256	   /* entries per domain_list call (Keel's limit) */
#define DOMID_LIMIT 0x7ff0 /* DOMID_FIRST_RESERVED: the ids above are not domains */

/* Logs @why (owned) about @domid unless it was the last thing said about it. */
static void warn_once(struct consoled *cd, unsigned int domid, char *why)
{
	const char *last = g_hash_table_lookup(cd->warned, GUINT_TO_POINTER(domid));

	if (last && !strcmp(last, why)) {
		g_free(why);
		return;
	}
	g_warning("domain %u: %s", domid, why);
	g_hash_table_replace(cd->warned, GUINT_TO_POINTER(domid), why);
}

/* /local/domain/D/NODE, NUL-terminated (free()), *@len its length; NULL if absent. */
static char *read_node(struct consoled *cd, unsigned int domid, const char *node, unsigned int *len)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, node);
	return xs_read(cd->xs, XBT_NULL, path, len);
}

/* A node missing or malformed (@value: NULL or its @len bytes). While the domain is not yet
 * introduced to xenstored the builder may still be writing them: nothing is said then. */
static void bad_node(struct consoled *cd, unsigned int domid, const char *node, const char *value,
		     unsigned int len, const char *want)
{
	gchar *shown = NULL;

	if (!xs_is_domain_introduced(cd->xs, domid))
		return;
	if (value) {
		gchar *cut = g_strndup(value, len < 40 ? len : 40);

		shown = g_strescape(cut, NULL);
		g_free(cut);
	}
	warn_once(cd, domid,
		  value
		      ? g_strdup_printf("console not served: %s is '%s', not %s", node, shown, want)
		      : g_strdup_printf("console not served: no %s node", node));
	g_free(shown);
}

/* A number node in [@min, @max]; false (said) if missing or malformed. */
static bool number_node(struct consoled *cd, unsigned int domid, const char *node, uint64_t min,
			uint64_t max, const char *want, uint64_t *out)
{
	unsigned int len = 0;
	char *v = read_node(cd, domid, node, &len);
	bool ok = v && cons_parse_number(v, len, min, max, out);

	if (!ok)
		bad_node(cd, domid, node, v, len, want);
	free(v);
	return ok;
}

static bool stem_taken(struct consoled *cd, const char *stem)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, cd->served);
	while (g_hash_table_iter_next(&it, &key, &value))
		if (!strcmp(((struct cons_dom *)value)->stem, stem))
			return true;
	return false;
}

/* A domain not served yet: its console nodes checked, then connected. */
static void try_serve(struct consoled *cd, unsigned int domid)
{
	char stem[CONS_STEM_SIZE], *v, *why = NULL;
	uint64_t gfn, port;
	unsigned int len = 0;
	bool ok;

	v = read_node(cd, domid, "console/ring-ref", &len);
	if (!v)
		return; /* no console for us: Keel serves it itself, or there is none */
	ok = cons_parse_number(v, len, 0, CONS_GFN_MAX, &gfn);
	if (!ok)
		bad_node(cd, domid, "console/ring-ref", v, len, "a decimal GFN");
	free(v);
	if (!ok || !number_node(cd, domid, "console/port", 1, CONS_PORT_MAX,
				"a decimal event channel port", &port))
		return;
	v = read_node(cd, domid, "console/type", &len);
	ok = v && len == strlen("xenconsoled") && !memcmp(v, "xenconsoled", len);
	if (!ok)
		bad_node(cd, domid, "console/type", v, len, "'xenconsoled'");
	free(v);
	if (!ok)
		return;
	v = read_node(cd, domid, "name", &len);
	cons_stem(v, v ? len : 0, domid, stem);
	free(v);
	if (stem_taken(cd, stem))
		cons_stem_unique(stem, domid);
	if (cons_dom_connect(cd, domid, gfn, (uint32_t)port, stem, &why))
		g_hash_table_remove(cd->warned, GUINT_TO_POINTER(domid));
	else
		warn_once(cd, domid, why);
}

static gboolean not_in(gpointer key, gpointer value, gpointer live)
{
	return !g_hash_table_contains(live, key);
}

/* The domains Keel lists that are not dying, in id order; NULL (said) if the list failed. */
static GArray *live_domains(struct consoled *cd)
{
	static struct keel_domain_info list[LIST_CHUNK];
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	unsigned int first = 0, n;

	for (;;) {
		int rc = keel_domain_list(cd->keel, (uint16_t)first, list, LIST_CHUNK, &n);

		if (rc) {
			g_warning("domain list: %s: nothing changed", g_strerror(-rc));
			g_array_free(ids, TRUE);
			return NULL;
		}
		for (unsigned int i = 0; i < n; i++) {
			unsigned int id = list[i].domid;

			if (id < first) { /* out of order: trust none of it */
				g_warning("domain list: domain %u after %u: nothing changed", id,
					  first);
				g_array_free(ids, TRUE);
				return NULL;
			}
			if (!(list[i].flags & KEEL_DOMINFO_DYING))
				g_array_append_val(ids, id);
			first = id + 1;
		}
		if (n < LIST_CHUNK || first >= DOMID_LIMIT)
			return ids;
	}
}

void cons_scan(struct consoled *cd)
{
	GArray *ids = live_domains(cd);
	GHashTable *live;
	GList *gone;

	if (!ids)
		return;
	live = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < ids->len; i++)
		g_hash_table_add(live, GUINT_TO_POINTER(g_array_index(ids, unsigned int, i)));
	/* Gone or dying: what is left in the ring goes out, then the console closes. */
	gone = g_hash_table_get_values(cd->served);
	for (GList *l = gone; l; l = l->next)
		if (!g_hash_table_contains(live,
					   GUINT_TO_POINTER(((struct cons_dom *)l->data)->domid)))
			cons_dom_close(l->data, true);
	g_list_free(gone);
	g_hash_table_foreach_remove(cd->warned, not_in, live);
	g_hash_table_foreach_remove(cd->refused, not_in, live);
	for (guint i = 0; i < ids->len; i++) {
		unsigned int id = g_array_index(ids, unsigned int, i);

		if (id && !g_hash_table_contains(cd->served, GUINT_TO_POINTER(id)) &&
		    !g_hash_table_contains(cd->refused, GUINT_TO_POINTER(id)))
			try_serve(cd, id);
	}
	g_hash_table_unref(live);
	g_array_free(ids, TRUE);
}

static gboolean xs_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct consoled *cd = data;
	bool fired = false;
	char **event;

	while ((event = xs_check_watch(cd->xs))) {
		fired = true;
		free(event);
	}
	if (errno != EAGAIN && errno != EINTR) {
		g_warning("xenstored connection lost (%s): domains are no longer added or removed",
			  g_strerror(errno));
		return G_SOURCE_REMOVE;
	}
	if (fired)
		cons_scan(cd);
	return G_SOURCE_CONTINUE;
}

static gboolean evtchn_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct consoled *cd = data;
	xenevtchn_port_or_error_t port = xenevtchn_pending(cd->evtchn);
	struct cons_dom *d;

	if (port < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return G_SOURCE_CONTINUE;
		g_warning("event channels: %s: consoles no longer served", g_strerror(errno));
		return G_SOURCE_REMOVE;
	}
	xenevtchn_unmask(cd->evtchn, (evtchn_port_t)port);
	d = g_hash_table_lookup(cd->by_port, GUINT_TO_POINTER((guint)port));
	if (d)
		cons_dom_event(d);
	return G_SOURCE_CONTINUE;
}

bool cons_watch_start(struct consoled *cd)
{
	int fd;

	if (!xs_watch(cd->xs, "@introduceDomain", "introduce") ||
	    !xs_watch(cd->xs, "@releaseDomain", "release")) {
		g_critical("cannot watch @introduceDomain and @releaseDomain: %s",
			   g_strerror(errno));
		return false;
	}
	fd = xs_fileno(cd->xs);
	if (fd < 0) {
		g_critical("no xenstore watch descriptor: %s", g_strerror(errno));
		return false;
	}
	g_unix_fd_add(fd, G_IO_IN, xs_readable, cd);
	g_unix_fd_add(xenevtchn_fd(cd->evtchn), G_IO_IN, evtchn_readable, cd);
	return true;
}
