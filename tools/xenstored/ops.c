/* ops.c: the node operations (read, write, mkdir, rm, set-perms) with rights, quota, watches. */
#include <errno.h>
#include <string.h>

#include "xenstored.h"

static bool checked(const struct xs_view *v)
{
	return !v->nocheck && !xs_conn_privileged(v->conn);
}

static bool allowed(const struct xs_view *v, const struct xs_node *n, unsigned int right)
{
	if (!checked(v))
		return true;
	return (xs_perms_access(n->perms, v->conn->domid, xs_conn_target(v->conn)) & right) != 0;
}

static void touch(struct xs_view *v, const char *path)
{
	if (v->tx)
		xs_tx_touch(v->tx, path);
}

static void changed(struct xs_view *v, enum xs_tx_op op, const char *path, const void *data,
		    size_t len)
{
	if (v->tx)
		xs_tx_log(v->tx, op, path, data, len);
	else if (op == XS_TXOP_RM)
		xs_watch_fire_removed(v->core, path);
	else
		xs_watch_fire(v->core, path);
}

int xs_op_read(struct xs_view *v, const char *path, struct xs_node **out)
{
	struct xs_node *n;

	touch(v, path);
	n = xs_tree_get(v->tree, path);
	if (!n)
		return ENOENT;
	if (!allowed(v, n, XS_PERM_READ))
		return EACCES;
	*out = n;
	return 0;
}

/* Creates path and its missing ancestors, each inheriting its parent's permissions; a new
 * node of an unprivileged domain is owned by it. */
static int create(struct xs_view *v, const char *path, struct xs_node **out)
{
	GPtrArray *missing = g_ptr_array_new_with_free_func(g_free);
	char *at = g_strdup(path);
	struct xs_node *parent;
	int err = 0;

	while (!(parent = xs_tree_get(v->tree, at))) {
		g_ptr_array_add(missing, at);
		touch(v, at);
		at = xs_path_parent(at);
	}
	touch(v, at);
	g_free(at);
	if (!allowed(v, parent, XS_PERM_WRITE)) {
		err = EACCES;
	} else if (checked(v) && xs_tree_count_owned(v->tree, v->conn->domid) + missing->len >
				     v->core->quota.nodes) {
		g_message("domain %u: node quota (%u) reached", v->conn->domid,
			  v->core->quota.nodes);
		err = EDQUOT;
	}
	for (guint i = missing->len; !err && i-- > 0;) {
		GArray *perms = xs_perms_copy(parent->perms);

		if (!xs_conn_privileged(v->conn))
			g_array_index(perms, struct xs_perm, 0).domid = v->conn->domid;
		parent = xs_tree_add(v->tree, missing->pdata[i], perms, ++v->core->gen);
	}
	g_ptr_array_free(missing, TRUE);
	*out = parent;
	return err;
}

int xs_op_write(struct xs_view *v, const char *path, const void *value, size_t len)
{
	struct xs_node *n;
	int err;

	touch(v, path);
	n = xs_tree_get(v->tree, path);
	if (n && !allowed(v, n, XS_PERM_WRITE))
		return EACCES;
	if (!n && (err = create(v, path, &n)))
		return err;
	xs_node_set_value(n, value, len, ++v->core->gen);
	changed(v, XS_TXOP_WRITE, path, value, len);
	return 0;
}

int xs_op_mkdir(struct xs_view *v, const char *path)
{
	struct xs_node *n;
	int err;

	touch(v, path);
	if (xs_tree_get(v->tree, path))
		return 0;
	if ((err = create(v, path, &n)))
		return err;
	changed(v, XS_TXOP_MKDIR, path, NULL, 0);
	return 0;
}

int xs_op_rm(struct xs_view *v, const char *path)
{
	struct xs_node *n;
	char *parent = xs_path_parent(path);
	bool parent_exists;

	touch(v, path);
	touch(v, parent);
	parent_exists = xs_tree_get(v->tree, parent) != NULL;
	g_free(parent);
	if (!strcmp(path, "/"))
		return EINVAL;
	n = xs_tree_get(v->tree, path);
	if (!n)
		return parent_exists ? 0 : ENOENT;
	if (!allowed(v, n, XS_PERM_WRITE))
		return EACCES;
	xs_tree_remove(v->tree, path, ++v->core->gen, NULL, NULL);
	changed(v, XS_TXOP_RM, path, NULL, 0);
	return 0;
}

int xs_op_set_perms(struct xs_view *v, const char *path, GArray *perms)
{
	struct xs_node *n;
	GByteArray *text;

	touch(v, path);
	n = xs_tree_get(v->tree, path);
	if (!n)
		return ENOENT;
	if (!allowed(v, n, XS_PERM_WRITE))
		return EACCES;
	if (checked(v) && g_array_index(perms, struct xs_perm, 0).domid !=
			      g_array_index(n->perms, struct xs_perm, 0).domid)
		return EPERM; /* only the privileged hand a node to another owner */
	g_array_free(n->perms, TRUE);
	n->perms = xs_perms_copy(perms);
	n->gen = ++v->core->gen;
	text = g_byte_array_new();
	xs_perms_format(perms, text);
	changed(v, XS_TXOP_PERMS, path, text->data, text->len);
	g_byte_array_free(text, TRUE);
	return 0;
}
