/* transaction.c: transactions: a private copy of the tree, the set of nodes touched, replay. */
#include <errno.h>
#include <string.h>

#include "xenstored.h"

struct tx_entry {
	enum xs_tx_op op;
	char *path;
	GByteArray *data;
};

static void entry_free(gpointer p)
{
	struct tx_entry *e = p;

	g_free(e->path);
	g_byte_array_free(e->data, TRUE);
	g_free(e);
}

void xs_tx_free(struct xs_tx *tx)
{
	xs_tree_free(tx->tree);
	g_hash_table_destroy(tx->seen);
	g_ptr_array_free(tx->log, TRUE);
	g_free(tx);
}

int xs_tx_start(struct xs_conn *c, uint32_t *id)
{
	struct xs_tx *tx;

	if (!xs_conn_privileged(c) && g_hash_table_size(c->txs) >= c->core->quota.transactions) {
		g_message("domain %u: transaction quota (%u) reached", c->domid,
			  c->core->quota.transactions);
		return EDQUOT;
	}
	tx = g_new0(struct xs_tx, 1);
	do
		tx->id = ++c->next_tx;
	while (tx->id == 0 || g_hash_table_contains(c->txs, GUINT_TO_POINTER(tx->id)));
	tx->tree = xs_tree_clone(c->core->tree);
	tx->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	tx->log = g_ptr_array_new_with_free_func(entry_free);
	g_hash_table_insert(c->txs, GUINT_TO_POINTER(tx->id), tx);
	*id = tx->id;
	return 0;
}

struct xs_tx *xs_tx_get(struct xs_conn *c, uint32_t id)
{
	return g_hash_table_lookup(c->txs, GUINT_TO_POINTER(id));
}

void xs_tx_touch(struct xs_tx *tx, const char *path)
{
	const struct xs_node *n;
	uint64_t *gen;

	if (g_hash_table_contains(tx->seen, path))
		return;
	n = xs_tree_get(tx->tree, path);
	gen = g_new(uint64_t, 1);
	*gen = n ? n->gen : 0;
	g_hash_table_insert(tx->seen, g_strdup(path), gen);
}

void xs_tx_log(struct xs_tx *tx, enum xs_tx_op op, const char *path, const void *data, size_t len)
{
	struct tx_entry *e = g_new0(struct tx_entry, 1);

	e->op = op;
	e->path = g_strdup(path);
	e->data = g_byte_array_new();
	if (len)
		g_byte_array_append(e->data, data, (guint)len);
	g_ptr_array_add(tx->log, e);
}

/* Has any node the transaction touched changed in the live tree since the copy was taken? */
static bool conflicts(const struct xs_tx *tx, const struct xs_tree *live)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, tx->seen);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const struct xs_node *n = xs_tree_get(live, key);

		if ((n ? n->gen : 0) != *(uint64_t *)value)
			return true;
	}
	return false;
}

static void replay(struct xs_conn *c, const struct xs_tx *tx)
{
	struct xs_view v = {.core = c->core, .tree = c->core->tree, .conn = c, .nocheck = true};

	for (guint i = 0; i < tx->log->len; i++) {
		const struct tx_entry *e = tx->log->pdata[i];
		GArray *perms;

		switch (e->op) {
		case XS_TXOP_WRITE:
			(void)xs_op_write(&v, e->path, e->data->data, e->data->len);
			break;
		case XS_TXOP_MKDIR:
			(void)xs_op_mkdir(&v, e->path);
			break;
		case XS_TXOP_RM:
			(void)xs_op_rm(&v, e->path);
			break;
		case XS_TXOP_PERMS:
			perms = xs_perms_parse((const char *)e->data->data, e->data->len);
			if (perms) {
				(void)xs_op_set_perms(&v, e->path, perms);
				g_array_free(perms, TRUE);
			}
			break;
		}
	}
}

int xs_tx_end(struct xs_conn *c, uint32_t id, bool commit)
{
	struct xs_tx *tx = xs_tx_get(c, id);
	int err = 0;

	if (!tx)
		return ENOENT;
	g_hash_table_steal(c->txs, GUINT_TO_POINTER(id));
	if (commit && conflicts(tx, c->core->tree))
		err = EAGAIN;
	else if (commit)
		replay(c, tx);
	xs_tx_free(tx);
	return err;
}
