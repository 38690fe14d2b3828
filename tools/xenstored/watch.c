/* watch.c: watches: registration with quota, events for changed paths and special events. */
#include <errno.h>
#include <string.h>

#include "xenstored.h"

static void send_event(struct xs_watch *w, const char *abs_path)
{
	GByteArray *msg = g_byte_array_new();
	const char *shown = abs_path;

	/* A relative watch reports relative paths: strip "/local/domain/<id>/". */
	if (w->path[0] != '/' && w->path[0] != '@')
		shown = abs_path + strlen(w->abs) - strlen(w->path);
	g_byte_array_append(msg, (const guint8 *)shown, (guint)strlen(shown) + 1);
	g_byte_array_append(msg, (const guint8 *)w->token, (guint)strlen(w->token) + 1);
	if (msg->len <= XS_PAYLOAD_MAX)
		xs_conn_send(w->conn, XS_WATCH_EVENT, 0, 0, msg->data, msg->len);
	g_byte_array_free(msg, TRUE);
}

static void watch_free(struct xs_watch *w)
{
	g_free(w->path);
	g_free(w->abs);
	g_free(w->token);
	g_free(w);
}

int xs_watch_add(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_core *core = c->core;
	struct xs_watch *w;
	int err;
	char *abs = xs_path_resolve(path, c->domid, true, &err);

	if (!abs)
		return err;
	for (GList *l = core->watches; l; l = l->next) {
		const struct xs_watch *o = l->data;

		if (o->conn == c && !strcmp(o->abs, abs) && !strcmp(o->token, token)) {
			g_free(abs);
			return EEXIST;
		}
	}
	if (!xs_conn_privileged(c) && c->nwatches >= core->quota.watches) {
		g_message("domain %u: watch quota (%u) reached", c->domid, core->quota.watches);
		g_free(abs);
		return EDQUOT;
	}
	w = g_new0(struct xs_watch, 1);
	w->conn = c;
	w->path = g_strdup(path);
	w->abs = abs;
	w->token = g_strdup(token);
	core->watches = g_list_append(core->watches, w);
	c->nwatches++;
	return 0;
}

/* After the OK reply to WATCH: the first event, for the watched path itself. */
void xs_watch_initial(struct xs_conn *c, const char *path, const char *token);
void xs_watch_initial(struct xs_conn *c, const char *path, const char *token)
{
	for (GList *l = c->core->watches; l; l = l->next) {
		struct xs_watch *w = l->data;

		if (w->conn == c && !strcmp(w->path, path) && !strcmp(w->token, token)) {
			send_event(w, w->abs);
			return;
		}
	}
}

int xs_watch_remove(struct xs_conn *c, const char *path, const char *token)
{
	int err;
	char *abs = xs_path_resolve(path, c->domid, true, &err);

	if (!abs)
		return err;
	for (GList *l = c->core->watches; l; l = l->next) {
		struct xs_watch *w = l->data;

		if (w->conn == c && !strcmp(w->abs, abs) && !strcmp(w->token, token)) {
			c->core->watches = g_list_delete_link(c->core->watches, l);
			c->nwatches--;
			watch_free(w);
			g_free(abs);
			return 0;
		}
	}
	g_free(abs);
	return ENOENT;
}

void xs_watch_remove_conn(struct xs_core *core, struct xs_conn *c)
{
	GList *l = core->watches;

	while (l) {
		GList *next = l->next;
		struct xs_watch *w = l->data;

		if (w->conn == c) {
			core->watches = g_list_delete_link(core->watches, l);
			watch_free(w);
		}
		l = next;
	}
	c->nwatches = 0;
}

/* May the watcher learn about this path? Only if it can read the node, or its parent. */
static bool may_see(struct xs_core *core, const struct xs_watch *w, const char *path)
{
	const struct xs_node *n;
	char *parent;

	if (path[0] == '@' || xs_conn_privileged(w->conn))
		return true;
	n = xs_tree_get(core->tree, path);
	if (!n) {
		parent = xs_path_parent(path);
		n = xs_tree_get(core->tree, parent);
		g_free(parent);
	}
	return n &&
	       (xs_perms_access(n->perms, w->conn->domid, xs_conn_target(w->conn)) & XS_PERM_READ);
}

static void fire(struct xs_core *core, const char *path, bool below_too)
{
	for (GList *l = core->watches; l; l = l->next) {
		struct xs_watch *w = l->data;

		if (path[0] == '@') {
			if (!strcmp(w->abs, path))
				send_event(w, path);
		} else if (xs_path_within(path, w->abs) && w->abs[0] != '@') {
			if (may_see(core, w, path))
				send_event(w, path);
		} else if (below_too && xs_path_within(w->abs, path)) {
			if (may_see(core, w, w->abs))
				send_event(w, w->abs);
		}
	}
}

void xs_watch_fire(struct xs_core *core, const char *path)
{
	fire(core, path, false);
}

void xs_watch_fire_removed(struct xs_core *core, const char *path)
{
	fire(core, path, true);
}
