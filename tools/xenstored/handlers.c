/* handlers.c: one handler per request type, behind a dispatch table; argument checking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

void xs_watch_initial(struct xs_conn *c, const char *path, const char *token);

struct ctx {
	struct xs_conn *c;
	const struct xs_request *req;
	const char *arg[4]; /* the NUL-terminated strings at the payload's start */
	unsigned int nargs;
	GByteArray *reply;
	struct xs_view view;
};

/* Splits off up to max leading NUL-terminated strings; returns their count. */
static unsigned int split(struct ctx *x, unsigned int max, size_t *rest)
{
	size_t at = 0, len = x->req->hdr.len;

	x->nargs = 0;
	while (x->nargs < max && at < len) {
		const char *nul = memchr(x->req->payload + at, '\0', len - at);

		if (!nul)
			break;
		x->arg[x->nargs++] = x->req->payload + at;
		at = (size_t)(nul - x->req->payload) + 1;
	}
	if (rest)
		*rest = at;
	return x->nargs;
}

/* Exactly n strings and nothing else. */
static bool args(struct ctx *x, unsigned int n)
{
	size_t used;

	return split(x, n, &used) == n && used == x->req->hdr.len;
}

static void reply_str(struct ctx *x, const char *s)
{
	g_byte_array_append(x->reply, (const guint8 *)s, (guint)strlen(s) + 1);
}

static int path_arg(struct ctx *x, char **abs)
{
	int err;

	*abs = xs_path_resolve(x->arg[0], x->c->domid, false, &err);
	return *abs ? 0 : err;
}

static bool parse_domid(const char *s, unsigned int *domid)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v >= 0x7ff0)
		return false;
	*domid = (unsigned int)v;
	return true;
}

static int h_read(struct ctx *x)
{
	struct xs_node *n;
	char *p;
	int err;

	if (!args(x, 1))
		return EINVAL;
	if ((err = path_arg(x, &p)))
		return err;
	err = xs_op_read(&x->view, p, &n);
	if (!err)
		g_byte_array_append(x->reply, (const guint8 *)n->value, (guint)n->len);
	g_free(p);
	return err;
}

static gboolean add_name(gpointer key, gpointer value, gpointer data)
{
	GByteArray *out = data;

	g_byte_array_append(out, key, (guint)strlen(key) + 1);
	return FALSE;
}

static int list_children(struct ctx *x, GByteArray *names, uint64_t *gen)
{
	struct xs_node *n;
	char *p;
	int err;

	if ((err = path_arg(x, &p)))
		return err;
	err = xs_op_read(&x->view, p, &n);
	g_free(p);
	if (err)
		return err;
	g_tree_foreach(n->children, add_name, names);
	*gen = n->gen;
	return 0;
}

static int h_directory(struct ctx *x)
{
	uint64_t gen;
	int err;

	if (!args(x, 1))
		return EINVAL;
	err = list_children(x, x->reply, &gen);
	if (!err && x->reply->len > XS_PAYLOAD_MAX)
		return E2BIG;
	return err;
}

static int h_directory_part(struct ctx *x)
{
	GByteArray *names = g_byte_array_new();
	char genbuf[32], *end;
	unsigned long off;
	uint64_t gen;
	int err = 0;

	if (!args(x, 2))
		return EINVAL;
	off = strtoul(x->arg[1], &end, 10);
	if (*end != '\0' || (err = list_children(x, names, &gen)) != 0) {
		g_byte_array_free(names, TRUE);
		return *end != '\0' ? EINVAL : err;
	}
	g_snprintf(genbuf, sizeof(genbuf), "%" G_GUINT64_FORMAT, gen);
	reply_str(x, genbuf);
	if (off <= names->len) {
		size_t room = XS_PAYLOAD_MAX - x->reply->len - 1, take = names->len - off;

		if (take > room) { /* stop at the last whole name that fits */
			take = room;
			while (take > 0 && names->data[off + take - 1] != '\0')
				take--;
		}
		g_byte_array_append(x->reply, names->data + off, (guint)take);
		if (off + take == names->len)
			g_byte_array_append(x->reply, (const guint8 *)"", 1);
	} else {
		err = EINVAL;
	}
	g_byte_array_free(names, TRUE);
	return err;
}

static int h_get_perms(struct ctx *x)
{
	struct xs_node *n;
	char *p;
	int err;

	if (!args(x, 1))
		return EINVAL;
	if ((err = path_arg(x, &p)))
		return err;
	err = xs_op_read(&x->view, p, &n);
	if (!err)
		xs_perms_format(n->perms, x->reply);
	g_free(p);
	return err;
}

static int h_write(struct ctx *x)
{
	size_t used;
	char *p;
	int err;

	if (split(x, 1, &used) != 1)
		return EINVAL;
	if ((err = path_arg(x, &p)))
		return err;
	err = xs_op_write(&x->view, p, x->req->payload + used, x->req->hdr.len - used);
	g_free(p);
	if (!err)
		reply_str(x, "OK");
	return err;
}

static int h_mkdir_rm(struct ctx *x)
{
	char *p;
	int err;

	if (!args(x, 1))
		return EINVAL;
	if ((err = path_arg(x, &p)))
		return err;
	err = x->req->hdr.type == XS_MKDIR ? xs_op_mkdir(&x->view, p) : xs_op_rm(&x->view, p);
	g_free(p);
	if (!err)
		reply_str(x, "OK");
	return err;
}

static int h_set_perms(struct ctx *x)
{
	size_t used;
	GArray *perms;
	char *p;
	int err;

	if (split(x, 1, &used) != 1)
		return EINVAL;
	perms = xs_perms_parse(x->req->payload + used, x->req->hdr.len - used);
	if (!perms)
		return EINVAL;
	if ((err = path_arg(x, &p)) == 0) {
		err = xs_op_set_perms(&x->view, p, perms);
		g_free(p);
	}
	g_array_free(perms, TRUE);
	if (!err)
		reply_str(x, "OK");
	return err;
}

static int h_watch(struct ctx *x)
{
	int err;

	if (!args(x, 2))
		return EINVAL;
	if (x->req->hdr.type == XS_UNWATCH)
		err = xs_watch_remove(x->c, x->arg[0], x->arg[1]);
	else
		err = xs_watch_add(x->c, x->arg[0], x->arg[1]);
	if (!err)
		reply_str(x, "OK");
	return err;
}

static int h_transaction_start(struct ctx *x)
{
	char idbuf[16];
	uint32_t id;
	int err;

	if (x->req->hdr.tx_id != 0)
		return EBUSY;
	if (x->req->hdr.len > 0 && !args(x, 1))
		return EINVAL;
	if ((err = xs_tx_start(x->c, &id)))
		return err;
	g_snprintf(idbuf, sizeof(idbuf), "%u", id);
	reply_str(x, idbuf);
	return 0;
}

static int h_transaction_end(struct ctx *x)
{
	int err;

	if (!args(x, 1) || (strcmp(x->arg[0], "T") && strcmp(x->arg[0], "F")))
		return EINVAL;
	err = xs_tx_end(x->c, x->req->hdr.tx_id, x->arg[0][0] == 'T');
	if (!err)
		reply_str(x, "OK");
	return err;
}

static int h_get_domain_path(struct ctx *x)
{
	unsigned int domid;
	char path[32];

	if (!args(x, 1) || !parse_domid(x->arg[0], &domid))
		return EINVAL;
	g_snprintf(path, sizeof(path), "/local/domain/%u", domid);
	reply_str(x, path);
	return 0;
}

static int h_reset_watches(struct ctx *x)
{
	xs_watch_remove_conn(x->c->core, x->c);
	g_hash_table_remove_all(x->c->txs);
	reply_str(x, "OK");
	return 0;
}

int xs_domain_requests(struct xs_conn *c, const struct xs_request *req, const char **arg,
		       unsigned int nargs, GByteArray *reply);

static int h_domain(struct ctx *x)
{
	split(x, 4, NULL);
	return xs_domain_requests(x->c, x->req, x->arg, x->nargs, x->reply);
}

static int h_control(struct ctx *x)
{
	char *text;

	if (!xs_conn_privileged(x->c))
		return EACCES;
	if (split(x, 4, NULL) < 1)
		return EINVAL;
	if (!strcmp(x->arg[0], "quota")) {
		text = xs_quota_describe(&x->c->core->quota);
	} else if (!strcmp(x->arg[0], "log") && x->nargs >= 2) {
		g_message("control: %s", x->arg[1]);
		text = g_strdup("OK");
	} else if (!strcmp(x->arg[0], "stats")) {
		text = g_strdup_printf("nodes=%u requests=%" G_GUINT64_FORMAT
				       " errors=%" G_GUINT64_FORMAT,
				       g_hash_table_size(x->c->core->tree->nodes),
				       x->c->core->requests, x->c->core->errors);
	} else {
		return EINVAL;
	}
	reply_str(x, text);
	g_free(text);
	return 0;
}

static int (*const handlers[XS_TYPE_COUNT])(struct ctx *x) = {
    [XS_CONTROL] = h_control,
    [XS_DIRECTORY] = h_directory,
    [XS_READ] = h_read,
    [XS_GET_PERMS] = h_get_perms,
    [XS_WATCH] = h_watch,
    [XS_UNWATCH] = h_watch,
    [XS_TRANSACTION_START] = h_transaction_start,
    [XS_TRANSACTION_END] = h_transaction_end,
    [XS_INTRODUCE] = h_domain,
    [XS_RELEASE] = h_domain,
    [XS_GET_DOMAIN_PATH] = h_get_domain_path,
    [XS_WRITE] = h_write,
    [XS_MKDIR] = h_mkdir_rm,
    [XS_RM] = h_mkdir_rm,
    [XS_SET_PERMS] = h_set_perms,
    [XS_IS_DOMAIN_INTRODUCED] = h_domain,
    [XS_RESUME] = h_domain,
    [XS_SET_TARGET] = h_domain,
    [XS_RESET_WATCHES] = h_reset_watches,
    [XS_DIRECTORY_PART] = h_directory_part,
};

/* Requests that may run inside a transaction (tx_id != 0). */
static bool transactional(uint32_t type)
{
	return type == XS_READ || type == XS_DIRECTORY || type == XS_DIRECTORY_PART ||
	       type == XS_GET_PERMS || type == XS_WRITE || type == XS_MKDIR || type == XS_RM ||
	       type == XS_SET_PERMS || type == XS_TRANSACTION_END;
}

void xs_handle(struct xs_conn *c, const struct xs_request *req)
{
	struct ctx x = {.c = c, .req = req, .reply = g_byte_array_new()};
	uint32_t type = req->hdr.type;
	int err;

	c->core->requests++;
	x.view = (struct xs_view){.core = c->core, .tree = c->core->tree, .conn = c};
	if (type >= XS_TYPE_COUNT || !handlers[type]) {
		g_message("domain %u: unknown message type %u", c->domid, type);
		err = EINVAL;
	} else if (req->hdr.len > c->core->quota.msg_size && !xs_conn_privileged(c)) {
		g_message("domain %u: %u-byte message over the size quota", c->domid, req->hdr.len);
		err = E2BIG;
	} else if (req->hdr.tx_id && transactional(type) &&
		   !(x.view.tx = xs_tx_get(c, req->hdr.tx_id))) {
		err = ENOENT;
	} else {
		if (x.view.tx)
			x.view.tree = x.view.tx->tree;
		err = handlers[type](&x);
	}
	if (err) {
		const char *name = xs_error_name(err);

		c->core->errors++;
		xs_conn_send(c, XS_ERROR, req->hdr.req_id, req->hdr.tx_id, name, strlen(name) + 1);
	} else {
		xs_conn_send(c, type, req->hdr.req_id, req->hdr.tx_id, x.reply->data, x.reply->len);
		if (type == XS_WATCH)
			xs_watch_initial(c, x.arg[0], x.arg[1]);
	}
	g_byte_array_free(x.reply, TRUE);
}
