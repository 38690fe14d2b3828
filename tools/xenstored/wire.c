/* wire.c: the wire format's error names and the framing of one connection's byte stream. */
#include <errno.h>
#include <string.h>

#include "xenstored.h"

static const struct {
	int err;
	const char *name;
} error_names[] = {
    {EINVAL, "EINVAL"},	      {EACCES, "EACCES"},   {EEXIST, "EEXIST"}, {EISDIR, "EISDIR"},
    {ENOENT, "ENOENT"},	      {ENOMEM, "ENOMEM"},   {ENOSPC, "ENOSPC"}, {EIO, "EIO"},
    {ENOTEMPTY, "ENOTEMPTY"}, {ENOSYS, "ENOSYS"},   {EROFS, "EROFS"},	{EBUSY, "EBUSY"},
    {EAGAIN, "EAGAIN"},	      {EISCONN, "EISCONN"}, {E2BIG, "E2BIG"},	{EPERM, "EPERM"},
    {EDQUOT, "EQUOTA"},
};

const char *xs_error_name(int err)
{
	for (size_t i = 0; i < G_N_ELEMENTS(error_names); i++)
		if (error_names[i].err == err)
			return error_names[i].name;
	return "EINVAL";
}

void xs_conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		  const void *payload, size_t len)
{
	struct xs_header h = {.type = type, .req_id = req_id, .tx_id = tx_id, .len = (uint32_t)len};
	guint8 buf[XS_HEADER_SIZE + XS_PAYLOAD_MAX];

	if (c->dead)
		return;
	g_assert(len <= XS_PAYLOAD_MAX);
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), payload, len);
	c->ops->send(c->ctx, buf, sizeof(h) + len);
}

bool xs_conn_input(struct xs_conn *c, const void *buf, size_t len)
{
	g_byte_array_append(c->in, buf, (guint)len);
	while (!c->dead && c->in->len >= XS_HEADER_SIZE) {
		struct xs_request req;

		memcpy(&req.hdr, c->in->data, sizeof(req.hdr));
		if (req.hdr.len > XS_PAYLOAD_MAX) {
			g_message("domain %u: message of %u bytes (limit %u): dropping connection",
				  c->domid, req.hdr.len, XS_PAYLOAD_MAX);
			return false;
		}
		if (c->in->len < XS_HEADER_SIZE + req.hdr.len)
			break;
		req.payload = (const char *)c->in->data + XS_HEADER_SIZE;
		xs_handle(c, &req);
		g_byte_array_remove_range(c->in, 0, XS_HEADER_SIZE + req.hdr.len);
	}
	return !c->dead;
}
