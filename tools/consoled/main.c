/* main.c: keel-consoled's command line, logging, Xen's handles and the main loop. */
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consoled.h"

#define DEFAULT_LOG_DIR "/var/log/keel/console"

static FILE *log_file;
static gboolean verbose;

static void log_line(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	FILE *out = log_file ? log_file : stderr;
	GDateTime *now;
	gchar *stamp;

	if ((level & (G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) && !verbose)
		return;
	now = g_date_time_new_now_utc();
	stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
	fprintf(out, "%s keel-consoled: %s\n", stamp, msg);
	fflush(out);
	g_free(stamp);
	g_date_time_unref(now);
}

static gboolean quit(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

/* Xen's handles, each a clear message and false when it cannot be had. */
static bool open_handles(struct consoled *cd)
{
	const char *sock = getenv("XENSTORED_PATH");

	cd->keel = keel_open();
	if (!cd->keel) {
		fprintf(stderr,
			"keel-consoled: cannot open /dev/xen/privcmd: %s (dom0 on Keel, with "
			"xen-privcmd loaded?)\n",
			g_strerror(errno));
		return false;
	}
	cd->xs = xs_open(XS_OPEN_SOCKETONLY); /* never /dev/xen/xenbus: no xenstored, a hang */
	if (!cd->xs) {
		fprintf(stderr, "keel-consoled: cannot connect to xenstored (%s): %s\n",
			sock ? sock : "/run/xenstored/socket", g_strerror(errno));
		return false;
	}
	cd->evtchn = xenevtchn_open(NULL, 0);
	if (!cd->evtchn) {
		fprintf(stderr, "keel-consoled: cannot open /dev/xen/evtchn: %s\n",
			g_strerror(errno));
		return false;
	}
	cd->fmem = xenforeignmemory_open(NULL, 0);
	if (!cd->fmem) {
		fprintf(stderr, "keel-consoled: cannot open privcmd for foreign maps: %s\n",
			g_strerror(errno));
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	gchar *log_dir = NULL, *log_path = NULL;
	gboolean foreground = FALSE;
	GOptionEntry entries[] = {
	    {"foreground", 'F', 0, G_OPTION_ARG_NONE, &foreground, "Stay in the foreground", NULL},
	    {"log-dir", 0, 0, G_OPTION_ARG_FILENAME, &log_dir,
	     "Write the domains' console logs NAME.log in DIR (default " DEFAULT_LOG_DIR ")",
	     "DIR"},
	    {"log-file", 'l', 0, G_OPTION_ARG_FILENAME, &log_path,
	     "Log the daemon's own messages to FILE instead of stderr", "FILE"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log informational messages too",
	     NULL},
	    {NULL, 0, 0, 0, NULL, NULL, NULL}};
	GOptionContext *opts = g_option_context_new("- the console daemon for Keel's dom0");
	struct consoled cd = {0};
	GError *error = NULL;
	GMainLoop *loop;
	GList *all;

	g_option_context_add_main_entries(opts, entries, NULL);
	if (!g_option_context_parse(opts, &argc, &argv, &error)) {
		fprintf(stderr, "keel-consoled: %s (try --help)\n", error->message);
		return 2;
	}
	g_option_context_free(opts);
	if (argc > 1) {
		fprintf(stderr, "keel-consoled: unexpected argument '%s' (try --help)\n", argv[1]);
		return 2;
	}
	/* Absolute: daemon() moves to /. */
	cd.log_dir = g_canonicalize_filename(log_dir ? log_dir : DEFAULT_LOG_DIR, NULL);
	if (log_path && !(log_file = fopen(log_path, "a"))) {
		fprintf(stderr, "keel-consoled: cannot open %s: %s\n", log_path, g_strerror(errno));
		return 1;
	}
	g_log_set_default_handler(log_line, NULL);
	if (!open_handles(&cd))
		return 1;
	/* Without a log file the messages go on to stderr, so it stays open then. */
	if (!foreground && daemon(0, log_file == NULL) < 0) {
		fprintf(stderr, "keel-consoled: cannot daemonise: %s\n", g_strerror(errno));
		return 1;
	}
	if (!foreground) { /* the locked hypercall buffer's lock is not inherited: open it anew */
		keel_close(cd.keel);
		cd.keel = keel_open();
		if (!cd.keel) {
			g_critical("cannot reopen /dev/xen/privcmd: %s", g_strerror(errno));
			return 1;
		}
	}
	cd.served = g_hash_table_new(g_direct_hash, g_direct_equal);
	cd.by_port = g_hash_table_new(g_direct_hash, g_direct_equal);
	cd.warned = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	cd.refused = g_hash_table_new(g_direct_hash, g_direct_equal);
	/* After daemon(): libxenstore's watch thread would not survive the fork. */
	if (!cons_watch_start(&cd))
		return 1;
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, quit, loop);
	g_unix_signal_add(SIGINT, quit, loop);
	g_message("serving consoles, logs in %s", cd.log_dir);
	cons_scan(&cd);
	g_main_loop_run(loop);
	all = g_hash_table_get_values(cd.served);
	for (GList *l = all; l; l = l->next)
		cons_dom_close(l->data, true);
	g_list_free(all);
	g_message("stopped");
	return 0;
}
