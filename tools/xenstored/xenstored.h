/* xenstored.h: keel-xenstored's shared types: nodes, permissions, connections, domains, quotas. */
#ifndef KEEL_XENSTORED_H
#define KEEL_XENSTORED_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_proto.h"

#define XS_LOG_DOMAIN "keel-xenstored"

/* ---- permissions (perms.c) ---- */
#define XS_PERM_READ  1u
#define XS_PERM_WRITE 2u
struct xs_perm {
	char access; /* 'n', 'r', 'w' or 'b' */
	unsigned int domid;
};
/* Parses "r0\0w5\0" (len bytes, each entry NUL-terminated); NULL on a bad entry. */
GArray *xs_perms_parse(const char *buf, size_t len);
/* Appends each entry as text with its NUL. */
void xs_perms_format(const GArray *perms, GByteArray *out);
GArray *xs_perms_copy(const GArray *perms);
/* What domid may do on a node with these perms (XS_PERM_* mask); target is -1 or a domid whose
 * rights domid also has (SET_TARGET). Privileged callers are checked before this. */
unsigned int xs_perms_access(const GArray *perms, unsigned int domid, int target);

/* ---- paths and the node tree (tree.c) ---- */
struct xs_node {
	char *value;
	size_t len;
	GArray *perms;	 /* struct xs_perm; entry 0 is the owner and the default access */
	GTree *children; /* child name (owned) -> NULL, sorted */
	uint64_t gen;	 /* changed whenever this node or its list of children changes */
};
struct xs_tree {
	GHashTable *nodes; /* absolute path (owned) -> struct xs_node */
};
struct xs_tree *xs_tree_new(void);
void xs_tree_free(struct xs_tree *t);
struct xs_tree *xs_tree_clone(const struct xs_tree *t);
struct xs_node *xs_tree_get(const struct xs_tree *t, const char *path);
/* Creates path (its parent must exist) with an empty value; returns the node. */
struct xs_node *xs_tree_add(struct xs_tree *t, const char *path, GArray *perms, uint64_t gen);
void xs_node_set_value(struct xs_node *n, const void *value, size_t len, uint64_t gen);
/* Removes path and everything below it; calls removed(path, arg) for each node removed. */
void xs_tree_remove(struct xs_tree *t, const char *path, uint64_t gen,
		    void (*removed)(const char *path, void *arg), void *arg);
unsigned int xs_tree_count_owned(const struct xs_tree *t, unsigned int domid);
/* "/a/b" -> "/a"; "/a" -> "/"; a new string. */
char *xs_path_parent(const char *path);
/* Is path inside (or equal to) prefix, at a component boundary? */
bool xs_path_within(const char *path, const char *prefix);
/* Checks a path's syntax and length; resolves relative ones against /local/domain/<domid>.
 * allow_special admits @introduceDomain / @releaseDomain. NULL (and *err) if invalid. */
char *xs_path_resolve(const char *path, unsigned int domid, bool allow_special, int *err);

/* ---- quotas (quota.c) ---- */
struct xs_quota {
	unsigned int nodes;	   /* nodes a domain may own */
	unsigned int watches;	   /* watches per connection */
	unsigned int transactions; /* open transactions per connection */
	unsigned int msg_size;	   /* largest payload accepted (<= XS_PAYLOAD_MAX) */
};
void xs_quota_defaults(struct xs_quota *q);
/* Parses "name=value" for one of the names above; false if unknown or bad. */
bool xs_quota_set(struct xs_quota *q, const char *name, const char *value);
char *xs_quota_describe(const struct xs_quota *q);

/* ---- connections and domains (core.c) ---- */
struct xs_conn;
struct xs_conn_ops {
	/* Queues len bytes to the peer (a reply or an event, always a whole message). */
	void (*send)(void *ctx, const void *buf, size_t len);
};
struct xs_domain {
	unsigned int domid;
	int target; /* -1, or the domain this one is privileged over (SET_TARGET) */
	bool introduced;
	uint64_t mfn;
	unsigned int port;
	struct xs_conn *conn; /* its ring connection, or NULL */
};
struct xs_core;
/* Ring hooks given by main (conn_ring.c) or a test: attach a domain's page and event channel;
 * false if it cannot be mapped. detach undoes it (RELEASE, domain death). */
struct xs_ring_hooks {
	bool (*attach)(struct xs_core *core, struct xs_domain *d, void *arg);
	void (*detach)(struct xs_core *core, struct xs_domain *d, void *arg);
	void *arg;
};
struct xs_core {
	struct xs_tree *tree;
	uint64_t gen;
	struct xs_quota quota;
	GHashTable *domains; /* domid -> struct xs_domain */
	GList *conns;	     /* struct xs_conn */
	GList *watches;	     /* struct xs_watch (watch.c) */
	struct xs_ring_hooks hooks;
	uint64_t requests, errors;
};
struct xs_conn {
	struct xs_core *core;
	unsigned int domid;
	const struct xs_conn_ops *ops;
	void *ctx;
	GByteArray *in;
	GHashTable *txs; /* tx id -> struct xs_tx */
	uint32_t next_tx;
	unsigned int nwatches;
	bool dead;
};

struct xs_core *xs_core_new(const struct xs_quota *q, const struct xs_ring_hooks *hooks);
void xs_core_free(struct xs_core *core);
struct xs_conn *xs_conn_new(struct xs_core *core, unsigned int domid, const struct xs_conn_ops *ops,
			    void *ctx);
void xs_conn_free(struct xs_conn *c);
/* Feeds bytes from the peer; handles every whole request. false: drop the connection. */
bool xs_conn_input(struct xs_conn *c, const void *buf, size_t len);
void xs_conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		  const void *payload, size_t len);
bool xs_conn_privileged(const struct xs_conn *c);
int xs_conn_target(const struct xs_conn *c);
struct xs_domain *xs_domain_get(struct xs_core *core, unsigned int domid);
/* The domain went away (RELEASE or a death notification): watches, transactions and the
 * connection go, its node count is forgotten, @releaseDomain fires. */
void xs_domain_gone(struct xs_core *core, unsigned int domid);

/* What became of a domain (asked of the hypervisor: conn_ring.c through libkeel). */
enum xs_domain_fate { XS_DOMAIN_ALIVE, XS_DOMAIN_GONE };
/*
 * A domain ended (VIRQ_DOM_EXC: shut down, crashed or destroyed): every introduced domain's fate
 * is asked of @fate and a gone one is released (xs_domain_gone); then @releaseDomain fires, so
 * the console daemon and the toolstack look at what ended.
 */
void xs_domains_check(struct xs_core *core, enum xs_domain_fate (*fate)(unsigned int, void *),
		      void *arg);

/* ---- error names (wire.c) ---- */
const char *xs_error_name(int err);

/* ---- the request dispatcher (handlers.c) ---- */
struct xs_request {
	struct xs_header hdr;
	const char *payload; /* hdr.len bytes */
};
/* Handles one request; every request gets exactly one reply. */
void xs_handle(struct xs_conn *c, const struct xs_request *req);

/* ---- node operations, for handlers and transaction replay (ops.c) ---- */
struct xs_tx;
struct xs_view {
	struct xs_core *core;
	struct xs_tree *tree; /* the live tree, or a transaction's copy */
	struct xs_tx *tx;     /* NULL outside a transaction */
	struct xs_conn *conn; /* whose rights apply and who owns what it creates */
	bool nocheck;	      /* transaction replay: rights were checked in the transaction */
};
int xs_op_read(struct xs_view *v, const char *path, struct xs_node **out);
int xs_op_write(struct xs_view *v, const char *path, const void *value, size_t len);
int xs_op_mkdir(struct xs_view *v, const char *path);
int xs_op_rm(struct xs_view *v, const char *path);
int xs_op_set_perms(struct xs_view *v, const char *path, GArray *perms);

/* ---- transactions (transaction.c) ---- */
struct xs_tx {
	uint32_t id;
	struct xs_tree *tree; /* private copy taken at start */
	GHashTable *seen;     /* path -> generation (of the copy) when first touched; 0: absent */
	GPtrArray *log;	      /* the write operations, replayed on commit */
};
int xs_tx_start(struct xs_conn *c, uint32_t *id);
struct xs_tx *xs_tx_get(struct xs_conn *c, uint32_t id);
/* Ends a transaction: commit (replaying its writes) or abort; EAGAIN on a conflict. */
int xs_tx_end(struct xs_conn *c, uint32_t id, bool commit);
void xs_tx_free(struct xs_tx *tx);
void xs_tx_touch(struct xs_tx *tx, const char *path);
enum xs_tx_op { XS_TXOP_WRITE, XS_TXOP_MKDIR, XS_TXOP_RM, XS_TXOP_PERMS };
void xs_tx_log(struct xs_tx *tx, enum xs_tx_op op, const char *path, const void *data, size_t len);

/* ---- watches (watch.c) ---- */
struct xs_watch {
	struct xs_conn *conn;
	char *path; /* as the client gave it (relative paths are reported relative) */
	char *abs;  /* resolved */
	char *token;
};
int xs_watch_add(struct xs_conn *c, const char *path, const char *token);
int xs_watch_remove(struct xs_conn *c, const char *path, const char *token);
void xs_watch_remove_conn(struct xs_core *core, struct xs_conn *c);
/* path changed (or, for removal, went away): tell every watch on it or above it. */
void xs_watch_fire(struct xs_core *core, const char *path);
/* A node and its subtree went away: also tell watches set below it. */
void xs_watch_fire_removed(struct xs_core *core, const char *path);

#endif
