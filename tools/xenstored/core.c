/* core.c: the daemon's state: the live tree, the domain table, connections and their teardown. */
#include <string.h>

#include "xenstored.h"

static void tx_destroy(gpointer p)
{
	xs_tx_free(p);
}

static void write_domain0(struct xs_core *core)
{
	struct xs_view v = {.core = core, .tree = core->tree, .nocheck = true};
	struct xs_conn dom0 = {.core = core, .domid = 0};

	v.conn = &dom0;
	(void)xs_op_write(&v, "/local/domain/0/name", "Domain-0", 8);
	(void)xs_op_write(&v, "/local/domain/0/domid", "0", 1);
}

struct xs_core *xs_core_new(const struct xs_quota *q, const struct xs_ring_hooks *hooks)
{
	struct xs_core *core = g_new0(struct xs_core, 1);

	core->tree = xs_tree_new();
	core->gen = 1;
	core->quota = *q;
	if (hooks)
		core->hooks = *hooks;
	core->domains = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	write_domain0(core);
	return core;
}

void xs_core_free(struct xs_core *core)
{
	while (core->conns)
		xs_conn_free(core->conns->data);
	xs_tree_free(core->tree);
	g_hash_table_destroy(core->domains);
	g_free(core);
}

struct xs_conn *xs_conn_new(struct xs_core *core, unsigned int domid, const struct xs_conn_ops *ops,
			    void *ctx)
{
	struct xs_conn *c = g_new0(struct xs_conn, 1);

	c->core = core;
	c->domid = domid;
	c->ops = ops;
	c->ctx = ctx;
	c->in = g_byte_array_new();
	c->txs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, tx_destroy);
	core->conns = g_list_prepend(core->conns, c);
	return c;
}

void xs_conn_free(struct xs_conn *c)
{
	struct xs_domain *d = xs_domain_get(c->core, c->domid);

	if (d && d->conn == c)
		d->conn = NULL;
	xs_watch_remove_conn(c->core, c);
	c->core->conns = g_list_remove(c->core->conns, c);
	g_hash_table_destroy(c->txs);
	g_byte_array_free(c->in, TRUE);
	g_free(c);
}

int xs_conn_target(const struct xs_conn *c)
{
	const struct xs_domain *d =
	    g_hash_table_lookup(c->core->domains, GUINT_TO_POINTER(c->domid));

	return d ? d->target : -1;
}

bool xs_conn_privileged(const struct xs_conn *c)
{
	return c->domid == 0;
}

struct xs_domain *xs_domain_get(struct xs_core *core, unsigned int domid)
{
	return g_hash_table_lookup(core->domains, GUINT_TO_POINTER(domid));
}

void xs_domain_gone(struct xs_core *core, unsigned int domid)
{
	struct xs_domain *d = xs_domain_get(core, domid);

	if (!d)
		return;
	g_message("domain %u released", domid);
	if (core->hooks.detach)
		core->hooks.detach(core, d, core->hooks.arg);
	if (d->conn)
		xs_conn_free(d->conn);
	g_hash_table_remove(core->domains, GUINT_TO_POINTER(domid));
	xs_watch_fire(core, "@releaseDomain");
}

void xs_domains_check(struct xs_core *core, enum xs_domain_fate (*fate)(unsigned int, void *),
		      void *arg)
{
	GList *ids = g_hash_table_get_keys(core->domains);

	for (GList *l = ids; l; l = l->next) {
		unsigned int domid = GPOINTER_TO_UINT(l->data);
		struct xs_domain *d = xs_domain_get(core, domid);

		if (d && d->introduced && domid != 0 && fate(domid, arg) == XS_DOMAIN_GONE)
			xs_domain_gone(core, domid);
	}
	g_list_free(ids);
	/* Any domain's end is news to the watchers (one not introduced, or released already). */
	xs_watch_fire(core, "@releaseDomain");
}
