/* keel-testdomain: dom0's end-to-end check: build, run and destroy one domain from a PVH ELF. */
#include <errno.h>
#include <getopt.h>
#include <public/sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "build.h"
#include "introduce.h"
#include "read_file.h"
#include "xs_dev.h"

#define FREE_SLACK_PAGES 16 /* dom0's own EPT tables for the foreign-map window may stay */
#define GRANT_TEXT	 "dom0_child: this page is granted to dom0" /* guests/dom0_child.c */

static const char *prog = "keel-testdomain";

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t free_pages(struct keel_handle *h)
{
	struct keel_sysctl_physinfo pi;
	int rc = keel_physinfo(h, &pi);

	if (rc)
		die("physinfo: %s", strerror(-rc));
	return pi.free_pages;
}

/*
 * Once the domain has put a grant reference in data/gref: map it read-only through
 * /dev/xen/gntdev (libxengnttab), check what it says, unmap it, and answer in data/mapped.
 */
static void serve_grant(struct xs_handle *xs, uint16_t d, int *done)
{
	char path[64], answer[160];
	unsigned int len;
	xengnttab_handle *xgt;
	char *ref, *page;

	snprintf(path, sizeof(path), "/local/domain/%u/data/gref", d);
	ref = *done ? NULL : xs_read(xs, XBT_NULL, path, &len);
	if (!ref)
		return;
	*done = 1;
	xgt = xengnttab_open(NULL, 0);
	page = xgt ? xengnttab_map_grant_ref(xgt, d, (uint32_t)strtoul(ref, NULL, 10), PROT_READ)
		   : NULL;
	if (!page) {
		snprintf(answer, sizeof(answer), "map of grant %s failed: %s", ref,
			 strerror(errno));
	} else {
		int same = !memcmp(page, GRANT_TEXT, sizeof(GRANT_TEXT));

		printf("d%u grant %s mapped through gntdev: \"%.*s\"\n", d, ref, 60, page);
		xengnttab_unmap(xgt, page, 1);
		snprintf(answer, sizeof(answer), "%s",
			 same ? "ok" : "the page says something else");
	}
	if (xgt)
		xengnttab_close(xgt);
	snprintf(path, sizeof(path), "/local/domain/%u/data/mapped", d);
	if (!xs_write(xs, XBT_NULL, path, answer, strlen(answer)))
		die("xenstore write %s: %s", path, strerror(errno));
	free(ref);
}

struct grant_ctx {
	struct xs_handle *xs;
	uint16_t domid;
	int done;
};

static void serve_grant_round(void *p)
{
	struct grant_ctx *g = p;

	serve_grant(g->xs, g->domid, &g->done);
}

/* Keel has forgotten @d: getinfo says -ESRCH (a destroyed domain is dying, then reaped). */
static int gone(struct keel_handle *h, uint16_t d)
{
	struct keel_domain_info info;
	int rc = keel_domain_getinfo(h, d, &info);

	if (rc && rc != -ESRCH)
		die("getinfo d%u: %s", d, strerror(-rc));
	return rc == -ESRCH;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--name NAME] [--mem MIB] [--timeout SEC] [--cmdline TEXT] ELF\n"
		"Builds a domain from the PVH ELF kernel, runs it until it shuts down, prints its\n"
		"xenstore data/ nodes, destroys it and checks that its memory came back.\n",
		prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"name", 1, 0, 'n'},    {"mem", 1, 0, 'm'},
					     {"timeout", 1, 0, 't'}, {"cmdline", 1, 0, 'c'},
					     {"help", 0, 0, 'h'},    {0, 0, 0, 0}};
	struct keel_build b = {.name = "testdomain", .nr_vcpus = 1, .mem_pages = 1024};
	double timeout = 60, t0;
	struct keel_domain_info info;
	struct keel_handle *h;
	struct xs_handle *xs;
	uint64_t free0, free1;
	char path[64], err[160], **nodes;
	unsigned int n;
	int c, rc;

	while ((c = getopt_long(argc, argv, "n:m:t:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			b.name = optarg;
			break;
		case 'm':
			b.mem_pages = strtoull(optarg, NULL, 0) * 256;
			break;
		case 't':
			timeout = strtod(optarg, NULL);
			break;
		case 'c':
			b.cmdline = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* in order with stderr when both go to one file */
	b.image = keel_read_file(argv[optind], KEEL_MAX_IMAGE_FILE, &b.image_len);
	if (!b.image)
		die("%s: %s", argv[optind], strerror(errno));
	h = keel_open();
	if (!h)
		die("opening privcmd: %s", strerror(errno));
	xs = xs_open(0);
	if (!xs)
		die("connecting to xenstored: %s", strerror(errno));
	free0 = free_pages(h);
	t0 = keel_now_s();
	rc = keel_build_elf(h, &b);
	if (rc)
		die("build: %s", b.error);
	if (keel_xs_introduce(xs, &b, b.mem_pages * 4, b.mem_pages * 4, err, sizeof(err)))
		die("%s", err);
	printf("d%u (%s) built: %llu pages, entry %#x, console gfn %#llx port %u, xenstore gfn "
	       "%#llx port %u, in %.2f s\n",
	       b.domid, b.name, (unsigned long long)b.mem_pages, b.entry,
	       (unsigned long long)b.console_gfn, b.console_port, (unsigned long long)b.store_gfn,
	       b.store_port, keel_now_s() - t0);
	fflush(stdout);
	rc = keel_domain_unpause(h, b.domid);
	if (rc)
		die("unpause d%u: %s", b.domid, strerror(-rc));
	{
		struct grant_ctx g = {xs, b.domid, 0};

		rc = keel_wait_ended(h, xs, b.domid, timeout, serve_grant_round, &g, &info);
		if (rc == -ETIMEDOUT)
			die("d%u did not end within %.0f s (flags %#x)", b.domid, timeout,
			    info.flags);
		if (rc)
			die("waiting for d%u to end: %s", b.domid, strerror(-rc));
	}
	printf("d%u ended: %s, reason %u, %.1f ms of CPU\n", b.domid,
	       info.flags & KEEL_DOMINFO_CRASHED ? "crashed" : "shut down", info.shutdown_reason,
	       (double)info.cpu_time_ns / 1e6);
	snprintf(path, sizeof(path), "/local/domain/%u/data", b.domid);
	nodes = xs_directory(xs, XBT_NULL, path, &n);
	for (unsigned int i = 0; nodes && i < n; i++) {
		char node[160];
		unsigned int len;
		char *val;

		snprintf(node, sizeof(node), "%s/%s", path, nodes[i]);
		val = xs_read(xs, XBT_NULL, node, &len);
		printf("d%u xenstore %s = \"%s\"\n", b.domid, node, val ? val : "(unreadable)");
		free(val);
	}
	free(nodes);
	rc = keel_domain_destroy(h, b.domid);
	if (rc)
		die("destroy d%u: %s", b.domid, strerror(-rc));
	for (t0 = keel_now_s(); !gone(h, b.domid); nanosleep(&(struct timespec){0, 50000000}, NULL))
		if (keel_now_s() - t0 > 10)
			die("d%u still known 10 s after destroy", b.domid);
	/* keel-xenstored released it on the VIRQ_DOM_EXC of its death (so RELEASE may find it
	 * gone) and keel-consoled unmapped its console ring: its frames come back (bounded wait). */
	if (!xs_release_domain(xs, b.domid) && errno != ENOENT)
		fprintf(stderr, "%s: xenstore: releasing d%u: %s\n", prog, b.domid,
			strerror(errno));
	snprintf(path, sizeof(path), "/local/domain/%u", b.domid);
	xs_rm(xs, XBT_NULL, path);
	for (t0 = keel_now_s();
	     (free1 = free_pages(h)) + FREE_SLACK_PAGES < free0 && keel_now_s() - t0 < 10;)
		nanosleep(&(struct timespec){0, 100000000}, NULL);
	printf("d%u destroyed: %llu pages free before, %llu after (%+lld)\n", b.domid,
	       (unsigned long long)free0, (unsigned long long)free1,
	       (long long)free1 - (long long)free0);
	if (free1 + FREE_SLACK_PAGES < free0)
		die("d%u's memory did not come back: %llu pages missing", b.domid,
		    (unsigned long long)(free0 - free1));
	xs_close(xs);
	keel_close(h);
	return info.flags & KEEL_DOMINFO_CRASHED || info.shutdown_reason != SHUTDOWN_poweroff;
}
