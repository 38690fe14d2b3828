/* xs_fixture.h: keel-xenstored unit tests' helpers: a core, connections capturing replies. */
#ifndef KEEL_XS_FIXTURE_H
#define KEEL_XS_FIXTURE_H

#include <string.h>

#include "../../tools/xenstored/xenstored.h"

struct cap {
	GByteArray *out;
};

static void cap_send(void *ctx, const void *buf, size_t len)
{
	g_byte_array_append(((struct cap *)ctx)->out, buf, (guint)len);
}
static const struct xs_conn_ops cap_ops = {.send = cap_send};

struct client {
	struct xs_conn *conn;
	struct cap cap;
};

static void client_open(struct client *cl, struct xs_core *core, unsigned int domid)
{
	cl->cap.out = g_byte_array_new();
	cl->conn = xs_conn_new(core, domid, &cap_ops, &cl->cap);
}

static void client_close(struct client *cl)
{
	g_byte_array_free(cl->cap.out, TRUE);
}

/* Sends one request (payload of len bytes); returns the reply's type, its payload in buf. */
static uint32_t req(struct client *cl, uint32_t type, uint32_t tx, const void *payload, size_t len,
		    char *buf, size_t bufsz)
{
	struct xs_header h = {.type = type, .req_id = 7, .tx_id = tx, .len = (uint32_t)len};
	struct xs_header r;

	g_byte_array_set_size(cl->cap.out, 0);
	xs_conn_input(cl->conn, &h, sizeof(h));
	if (len)
		xs_conn_input(cl->conn, payload, len);
	if (cl->cap.out->len < sizeof(r))
		return 0xffffffffu;
	memcpy(&r, cl->cap.out->data, sizeof(r));
	if (buf) {
		size_t n = r.len < bufsz - 1 ? r.len : bufsz - 1;

		memcpy(buf, cl->cap.out->data + sizeof(r), n);
		buf[n] = '\0';
	}
	return r.type;
}

/* A request whose payload is a C string including its NUL (or with \0 inside: give len). */
#define REQS(cl, type, tx, lit, buf) req(cl, type, tx, lit, sizeof(lit), buf, sizeof(buf))
#define WRITE(cl, tx, path, val, buf) \
	req(cl, XS_WRITE, tx, path "\0" val, sizeof(path) + sizeof(val) - 1, buf, sizeof(buf))

/* Counts WATCH_EVENT messages in what the client was sent since the last request. */
static unsigned int events(struct client *cl, const char *path_token, size_t len)
{
	unsigned int n = 0;
	size_t at = 0;

	while (at + sizeof(struct xs_header) <= cl->cap.out->len) {
		struct xs_header h;

		memcpy(&h, cl->cap.out->data + at, sizeof(h));
		if (h.type == XS_WATCH_EVENT &&
		    (!path_token || (h.len == len &&
				     !memcmp(cl->cap.out->data + at + sizeof(h), path_token, len))))
			n++;
		at += sizeof(h) + h.len;
	}
	return n;
}

/* EVENTS(cl, "path\0token") */
#define EVENTS(cl, lit) events(cl, lit, sizeof(lit))

#endif
