/* conn_socket.c: dom0's clients on the Unix socket: accept, read, buffered non-blocking writes. */
#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"

struct sock_client {
	int fd;
	struct xs_conn *conn;
	GByteArray *out;
	guint in_src, out_src;
};

static void client_close(struct sock_client *s)
{
	if (s->in_src)
		g_source_remove(s->in_src);
	if (s->out_src)
		g_source_remove(s->out_src);
	xs_conn_free(s->conn);
	close(s->fd);
	g_byte_array_free(s->out, TRUE);
	g_free(s);
}

static gboolean flush(gint fd, GIOCondition cond, gpointer data);

static void try_flush(struct sock_client *s)
{
	while (s->out->len) {
		ssize_t n = send(s->fd, s->out->data, s->out->len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			g_byte_array_set_size(s->out, 0); /* the reader will see the hangup */
			break;
		}
		g_byte_array_remove_range(s->out, 0, (guint)n);
	}
	if (s->out->len && !s->out_src)
		s->out_src = g_unix_fd_add(s->fd, G_IO_OUT, flush, s);
}

static gboolean flush(gint fd, GIOCondition cond, gpointer data)
{
	struct sock_client *s = data;

	s->out_src = 0;
	try_flush(s);
	return G_SOURCE_REMOVE;
}

static void sock_send(void *ctx, const void *buf, size_t len)
{
	struct sock_client *s = ctx;

	g_byte_array_append(s->out, buf, (guint)len);
	try_flush(s);
}

static const struct xs_conn_ops sock_ops = {.send = sock_send};

static gboolean client_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct sock_client *s = data;
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0 || !xs_conn_input(s->conn, buf, (size_t)n)) {
		s->in_src = 0;
		client_close(s);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean accept_client(gint fd, GIOCondition cond, gpointer data)
{
	struct xs_core *core = data;
	struct sock_client *s;
	int cfd = accept(fd, NULL, NULL);

	if (cfd < 0)
		return G_SOURCE_CONTINUE;
	s = g_new0(struct sock_client, 1);
	s->fd = cfd;
	s->out = g_byte_array_new();
	s->conn = xs_conn_new(core, 0, &sock_ops, s);
	s->in_src = g_unix_fd_add(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR, client_readable, s);
	return G_SOURCE_CONTINUE;
}

bool xs_socket_listen(struct xs_core *core, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char *dir = g_path_get_dirname(path);
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		g_warning("socket path %s is too long", path);
		g_free(dir);
		return false;
	}
	g_mkdir_with_parents(dir, 0755);
	g_free(dir);
	strcpy(addr.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0) {
		g_warning("cannot listen on %s: %s", path, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	chmod(path, 0600);
	g_unix_fd_add(fd, G_IO_IN, accept_client, core);
	g_message("listening on %s", path);
	return true;
}
