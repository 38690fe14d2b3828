/* consoled.h: keel-consoled's shared state (its handles, a served domain) and entry points. */
#ifndef KEEL_CONSOLED_H
#define KEEL_CONSOLED_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>

#include "../libkeel/libkeel.h"
#include "names.h"
#include "ring.h"

#define CONS_PTY_BUFFER \
	((size_t)64 * 1024) /* output kept for a pty nobody reads; the oldest goes */

struct consoled {
	struct keel_handle *keel;
	struct xs_handle *xs;
	xenevtchn_handle *evtchn;
	xenforeignmemory_handle *fmem;
	const char *log_dir;
	GHashTable *served;  /* domid -> struct cons_dom */
	GHashTable *by_port; /* our local port -> struct cons_dom */
	GHashTable *warned;  /* domid -> the last warning about it (owned): each said once */
	GHashTable *refused; /* domids whose ring was impossible: not served again until gone */
};

struct cons_dom {
	struct consoled *cd;
	unsigned int domid;
	char stem[CONS_STEM_SIZE]; /* the log's file name, less ".log"; names the domain in logs */
	uint64_t gfn;
	uint32_t port;	     /* the domain's */
	evtchn_port_t local; /* ours, bound to it */
	bool bound;
	struct xencons_interface *page; /* mapped from the domain */
	struct cons_ring ring;
	int master, slave; /* the pty (-1: none); the slave is held so the master never hangs up */
	char tty[64];
	int log_fd; /* -1: none */
	char *log_path;
	bool log_failed;	  /* a write failed (said once) */
	struct cons_fifo pending; /* output the pty master has not taken yet */
	char *pending_buf;
	guint in_src;  /* pty readable: only while in[] has room */
	guint out_src; /* pty writable: only while output is pending */
};

/* domain.c: one domain's console. */
/* Maps @gfn, binds @port, opens the pty and the log and serves them. false with *@why (g_free)
 * if a step failed (nothing kept); true when served, or refused for impossible indices (said). */
bool cons_dom_connect(struct consoled *cd, unsigned int domid, uint64_t gfn, uint32_t port,
		      const char *stem, char **why);
/* Its port fired: output to the log and pty, input resumed if in[] has room. */
void cons_dom_event(struct cons_dom *d);
/* Forgets the domain (after copying out what is left in its ring, with @drain). */
void cons_dom_close(struct cons_dom *d, bool drain);

/* pty.c: the files a console is served through. */
/* A pty: *@master non-blocking, *@slave held open in raw mode, @path its name; 0 or -errno. */
int cons_pty_open(int *master, int *slave, char *path, size_t size);
/* DIR/STEM.log for appending, DIR made if missing: the descriptor, or -errno; *@path (g_free). */
int cons_log_open(const char *dir, const char *stem, char **path);
/* All of @buf to the log; false (errno set) if the file refused some. */
bool cons_log_write(int fd, const void *buf, size_t len);

/* scan.c: which domains are served. */
/* Watches @introduceDomain and @releaseDomain and the event channels; false (said) on failure. */
bool cons_watch_start(struct consoled *cd);
/* Serves the new domains with a console, forgets the gone and dying ones. */
void cons_scan(struct consoled *cd);

#endif
