/* tree.c: the node tree (path -> node, each with its sorted children) and path syntax. */
#include <errno.h>
#include <string.h>

#include "xenstored.h"

static struct xs_node *node_new(GArray *perms, uint64_t gen)
{
	struct xs_node *n = g_new0(struct xs_node, 1);

	n->value = g_malloc(1);
	n->perms = perms;
	n->children = g_tree_new_full((GCompareDataFunc)(void (*)(void))strcmp, NULL, g_free, NULL);
	n->gen = gen;
	return n;
}

static void node_free(gpointer p)
{
	struct xs_node *n = p;

	g_free(n->value);
	g_array_free(n->perms, TRUE);
	g_tree_destroy(n->children);
	g_free(n);
}

struct xs_tree *xs_tree_new(void)
{
	struct xs_tree *t = g_new0(struct xs_tree, 1);
	GArray *perms = g_array_new(FALSE, FALSE, sizeof(struct xs_perm));
	struct xs_perm root = {.access = 'n', .domid = 0};

	t->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, node_free);
	g_array_append_val(perms, root);
	g_hash_table_insert(t->nodes, g_strdup("/"), node_new(perms, 1));
	return t;
}

void xs_tree_free(struct xs_tree *t)
{
	if (!t)
		return;
	g_hash_table_destroy(t->nodes);
	g_free(t);
}

static gboolean copy_child(gpointer key, gpointer value, gpointer data)
{
	g_tree_insert(data, g_strdup(key), NULL);
	return FALSE;
}

struct xs_tree *xs_tree_clone(const struct xs_tree *t)
{
	struct xs_tree *copy = g_new0(struct xs_tree, 1);
	GHashTableIter it;
	gpointer key, value;

	copy->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, node_free);
	g_hash_table_iter_init(&it, t->nodes);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const struct xs_node *n = value;
		struct xs_node *c = node_new(xs_perms_copy(n->perms), n->gen);

		xs_node_set_value(c, n->value, n->len, n->gen);
		g_tree_foreach(n->children, copy_child, c->children);
		g_hash_table_insert(copy->nodes, g_strdup(key), c);
	}
	return copy;
}

struct xs_node *xs_tree_get(const struct xs_tree *t, const char *path)
{
	return g_hash_table_lookup(t->nodes, path);
}

static const char *base_name(const char *path)
{
	return strrchr(path, '/') + 1;
}

struct xs_node *xs_tree_add(struct xs_tree *t, const char *path, GArray *perms, uint64_t gen)
{
	char *parent_path = xs_path_parent(path);
	struct xs_node *parent = xs_tree_get(t, parent_path);
	struct xs_node *n = node_new(perms, gen);

	g_assert(parent && !xs_tree_get(t, path));
	g_free(parent_path);
	g_tree_insert(parent->children, g_strdup(base_name(path)), NULL);
	parent->gen = gen;
	g_hash_table_insert(t->nodes, g_strdup(path), n);
	return n;
}

void xs_node_set_value(struct xs_node *n, const void *value, size_t len, uint64_t gen)
{
	g_free(n->value);
	n->value = g_malloc(len + 1);
	if (len)
		memcpy(n->value, value, len);
	n->value[len] = '\0';
	n->len = len;
	n->gen = gen;
}

static gboolean collect_child(gpointer key, gpointer value, gpointer data)
{
	g_ptr_array_add(data, g_strdup(key));
	return FALSE;
}

static void remove_subtree(struct xs_tree *t, const char *path,
			   void (*removed)(const char *path, void *arg), void *arg)
{
	struct xs_node *n = xs_tree_get(t, path);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

	g_tree_foreach(n->children, collect_child, names);
	for (guint i = 0; i < names->len; i++) {
		char *child = strcmp(path, "/") ? g_strconcat(path, "/", names->pdata[i], NULL)
						: g_strconcat("/", names->pdata[i], NULL);

		remove_subtree(t, child, removed, arg);
		g_free(child);
	}
	g_ptr_array_free(names, TRUE);
	if (removed)
		removed(path, arg);
	g_hash_table_remove(t->nodes, path);
}

void xs_tree_remove(struct xs_tree *t, const char *path, uint64_t gen,
		    void (*removed)(const char *path, void *arg), void *arg)
{
	char *parent_path = xs_path_parent(path);
	struct xs_node *parent = xs_tree_get(t, parent_path);

	g_assert(parent && strcmp(path, "/"));
	g_free(parent_path);
	g_tree_remove(parent->children, base_name(path));
	parent->gen = gen;
	remove_subtree(t, path, removed, arg);
}

unsigned int xs_tree_count_owned(const struct xs_tree *t, unsigned int domid)
{
	GHashTableIter it;
	gpointer key, value;
	unsigned int count = 0;

	g_hash_table_iter_init(&it, t->nodes);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const struct xs_node *n = value;

		count += g_array_index(n->perms, struct xs_perm, 0).domid == domid;
	}
	return count;
}

char *xs_path_parent(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return g_strdup("/");
	return g_strndup(path, (gsize)(slash - path));
}

bool xs_path_within(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!strcmp(prefix, "/"))
		return path[0] == '/';
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static bool valid_chars(const char *p)
{
	for (; *p; p++) {
		if (!g_ascii_isalnum(*p) && !strchr("-/_@", *p))
			return false;
		if (p[0] == '/' && p[1] == '/')
			return false;
	}
	return true;
}

char *xs_path_resolve(const char *path, unsigned int domid, bool allow_special, int *err)
{
	size_t len = strlen(path);
	char *abs;

	*err = EINVAL;
	if (path[0] == '@') {
		if (allow_special &&
		    (!strcmp(path, "@introduceDomain") || !strcmp(path, "@releaseDomain")))
			return g_strdup(path);
		return NULL;
	}
	if (len == 0 || !valid_chars(path) || (len > 1 && path[len - 1] == '/'))
		return NULL;
	if (path[0] == '/') {
		if (len > XS_ABS_PATH_MAX) {
			*err = E2BIG;
			return NULL;
		}
		return g_strdup(path);
	}
	if (len > XS_REL_PATH_MAX) {
		*err = E2BIG;
		return NULL;
	}
	abs = g_strdup_printf("/local/domain/%u/%s", domid, path);
	if (strlen(abs) > XS_ABS_PATH_MAX) {
		g_free(abs);
		*err = E2BIG;
		return NULL;
	}
	return abs;
}
