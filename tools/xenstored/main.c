/* main.c: keel-xenstored's command line, logging, the transports and the main loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"

static FILE *log_file;
static bool verbose;

static void log_line(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	GDateTime *now;
	gchar *stamp;

	if ((level & (G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) && !verbose)
		return;
	now = g_date_time_new_now_utc();
	stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
	fprintf(log_file ? log_file : stderr, "%s keel-xenstored: %s\n", stamp, msg);
	fflush(log_file ? log_file : stderr);
	g_free(stamp);
	g_date_time_unref(now);
}

static gboolean parse_quota(const gchar *name, const gchar *value, gpointer data, GError **error);

static struct xs_quota quota;

static gboolean parse_quota(const gchar *name, const gchar *value, gpointer data, GError **error)
{
	const char *key = name + strlen("--quota-");

	if (!xs_quota_set(&quota, key, value)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad %s value '%s'",
			    name, value);
		return FALSE;
	}
	return TRUE;
}

int main(int argc, char **argv)
{
	gchar *socket_path = NULL, *log_path = NULL;
	gboolean foreground = FALSE, no_rings = FALSE;
	GOptionEntry entries[] = {
	    {"socket", 's', 0, G_OPTION_ARG_FILENAME, &socket_path,
	     "Unix socket for dom0's clients (default /run/xenstored/socket)", "PATH"},
	    {"foreground", 'F', 0, G_OPTION_ARG_NONE, &foreground, "Stay in the foreground", NULL},
	    {"log-file", 'l', 0, G_OPTION_ARG_FILENAME, &log_path, "Log to FILE instead of stderr",
	     "FILE"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log informational messages too",
	     NULL},
	    {"no-domains", 'N', 0, G_OPTION_ARG_NONE, &no_rings,
	     "Do not open /dev/xen (socket only, for host tests)", NULL},
	    {"quota-nodes", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)parse_quota,
	     "Nodes a domain may own (default 1000)", "N"},
	    {"quota-watches", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)parse_quota,
	     "Watches per domain (default 128)", "N"},
	    {"quota-transactions", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)parse_quota,
	     "Open transactions per domain (default 10)", "N"},
	    {"quota-msg-size", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)parse_quota,
	     "Largest request payload in bytes (default and limit 4096)", "N"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL}};
	GOptionContext *opts = g_option_context_new("- the xenstore daemon for Keel's dom0");
	struct xs_ring_hooks hooks = {0};
	GError *error = NULL;
	struct xs_core *core;
	GMainLoop *loop;

	xs_quota_defaults(&quota);
	g_option_context_add_main_entries(opts, entries, NULL);
	if (!g_option_context_parse(opts, &argc, &argv, &error)) {
		fprintf(stderr, "keel-xenstored: %s (try --help)\n", error->message);
		return 2;
	}
	g_option_context_free(opts);
	if (log_path && !(log_file = fopen(log_path, "a"))) {
		fprintf(stderr, "keel-xenstored: cannot open %s\n", log_path);
		return 1;
	}
	g_log_set_default_handler(log_line, NULL);
	if (!no_rings)
		xs_ring_transport_open(&hooks);
	core = xs_core_new(&quota, hooks.attach ? &hooks : NULL);
	if (hooks.attach)
		xs_ring_serve_kernel(core, &hooks);
	if (!xs_socket_listen(core, socket_path ? socket_path : "/run/xenstored/socket"))
		return 1;
	if (!foreground && daemon(0, log_file != NULL) < 0) {
		g_warning("cannot daemonise");
		return 1;
	}
	loop = g_main_loop_new(NULL, FALSE);
	g_main_loop_run(loop);
	return 0;
}
