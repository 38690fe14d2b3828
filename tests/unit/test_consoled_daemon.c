/* test_consoled_daemon.c: keel-consoled's scan, domains, pty and log over fake Xen libraries. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/consoled/consoled.h"

/* ---- the fakes: Keel's domain list, xenstore, event channels, foreign memory ---- */
#define MAX_FAKE 16
struct fake_dom {
	unsigned int domid;
	bool listed; /* false once destroyed: its page stays mapped until the daemon unmaps it */
	uint32_t flags;
	uint64_t gfn;
	struct xencons_interface *page; /* what a map of gfn gives */
};
static struct fake_dom doms[MAX_FAKE];
static unsigned int nr_doms;
static GHashTable *store; /* xenstore path -> value */
static bool introduced = true;
static int maps, unmaps, binds, unbinds, notifies;
static int warnings;
static char last_warning[512];

static struct fake_dom *fake_find(unsigned int domid)
{
	for (unsigned int i = 0; i < nr_doms; i++)
		if (doms[i].listed && doms[i].domid == domid)
			return &doms[i];
	return NULL;
}

/* Like Keel's: the listed domains from @first on, in id order. */
int keel_domain_list(struct keel_handle *h, uint16_t first, struct keel_domain_info *out,
		     unsigned int max, unsigned int *n)
{
	*n = 0;
	for (unsigned int id = first; id < 0x7ff0 && *n < max; id++) {
		struct fake_dom *d = fake_find(id);

		if (!d)
			continue;
		memset(&out[*n], 0, sizeof(out[*n]));
		out[*n].domid = (uint16_t)id;
		out[*n].flags = d->flags;
		(*n)++;
	}
	return 0;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	const char *v = g_hash_table_lookup(store, path);

	if (!v) {
		errno = ENOENT;
		return NULL;
	}
	*len = (unsigned int)strlen(v);
	return strdup(v);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
	      unsigned int len)
{
	g_hash_table_replace(store, g_strdup(path), g_strndup(data, len));
	return true;
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
	return introduced;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	return false;
}

int xs_fileno(struct xs_handle *h)
{
	return -1;
}

char **xs_check_watch(struct xs_handle *h)
{
	errno = EAGAIN;
	return NULL;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port)
{
	if (!fake_find(domid) || remote_port != 10 + domid) {
		errno = EINVAL;
		return -1;
	}
	binds++;
	return (xenevtchn_port_or_error_t)(100 + domid);
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	unbinds++;
	return 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	notifies++;
	return 0;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	errno = EAGAIN;
	return -1;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return -1;
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
			   const xen_pfn_t arr[], int err[])
{
	struct fake_dom *d = fake_find(dom);

	if (!d || pages != 1 || arr[0] != d->gfn) {
		errno = EINVAL;
		return NULL;
	}
	maps++;
	return d->page;
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
	unmaps++;
	return 0;
}

/* ---- helpers ---- */
static struct consoled cd;
static char log_dir[] = "/tmp/keel-consoled-test.XXXXXX";

static void count_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL)) {
		warnings++;
		g_strlcpy(last_warning, msg, sizeof(last_warning));
	}
}

static void node(unsigned int domid, const char *name, const char *value)
{
	g_hash_table_replace(store, g_strdup_printf("/local/domain/%u/%s", domid, name),
			     g_strdup(value));
}

/* A domain with a console (ring at GFN 0x1000 + D, port 10 + D) named @name (NULL: none). */
static struct fake_dom *add_domain(unsigned int domid, const char *name)
{
	struct fake_dom *d = &doms[nr_doms++];
	char v[32];

	assert_true(nr_doms <= MAX_FAKE);
	d->domid = domid;
	d->listed = true;
	d->flags = KEEL_DOMINFO_RUNNING;
	d->gfn = 0x1000 + domid;
	d->page = calloc(1, 4096);
	assert_non_null(d->page);
	if (name)
		node(domid, "name", name);
	snprintf(v, sizeof(v), "%u", 0x1000 + domid);
	node(domid, "console/ring-ref", v);
	snprintf(v, sizeof(v), "%u", 10 + domid);
	node(domid, "console/port", v);
	node(domid, "console/type", "xenconsoled");
	return d;
}

/* Destroyed: no longer listed (nor mappable). */
static void remove_domain(unsigned int domid)
{
	fake_find(domid)->listed = false;
}

static void guest_write(struct xencons_interface *p, const char *s)
{
	for (size_t i = 0; s[i]; i++)
		p->out[(p->out_prod + i) % XENCONS_OUT_SIZE] = s[i];
	p->out_prod += (uint32_t)strlen(s);
}

static struct cons_dom *served(unsigned int domid)
{
	return g_hash_table_lookup(cd.served, GUINT_TO_POINTER(domid));
}

static gchar *read_log(const char *stem)
{
	gchar *path = g_strdup_printf("%s/%s.log", log_dir, stem), *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		text = NULL;
	g_free(path);
	return text;
}

/* Runs the main loop's ready sources (the pty watches) until nothing is left to do. */
static void run_loop(void)
{
	for (int i = 0; i < 100 && g_main_context_iteration(NULL, FALSE); i++)
		;
}

static int setup(void **state)
{
	strcpy(log_dir, "/tmp/keel-consoled-test.XXXXXX");
	assert_non_null(mkdtemp(log_dir));
	maps = unmaps = binds = unbinds = notifies = warnings = 0;
	introduced = true;
	store = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	memset(&cd, 0, sizeof(cd));
	cd.log_dir = log_dir;
	cd.served = g_hash_table_new(g_direct_hash, g_direct_equal);
	cd.by_port = g_hash_table_new(g_direct_hash, g_direct_equal);
	cd.warned = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	cd.refused = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_log_set_default_handler(count_log, NULL);
	nr_doms = 0;
	doms[nr_doms++] = (struct fake_dom){.domid = 0, .listed = true, .flags = 1};
	return 0;
}

static int teardown(void **state)
{
	GList *all = g_hash_table_get_values(cd.served);
	gchar *cmd = g_strdup_printf("rm -rf '%s'", log_dir);

	for (GList *l = all; l; l = l->next)
		cons_dom_close(l->data, false);
	g_list_free(all);
	for (unsigned int i = 0; i < nr_doms; i++)
		free(doms[i].page);
	nr_doms = 0;
	g_hash_table_unref(cd.served);
	g_hash_table_unref(cd.by_port);
	g_hash_table_unref(cd.warned);
	g_hash_table_unref(cd.refused);
	g_hash_table_unref(store);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	return 0;
}

/* ---- the tests ---- */
static void test_serve_output(void **state)
{
	struct fake_dom *f = add_domain(3, "web/1");
	struct cons_dom *d;
	char buf[64] = {0};
	gchar *log, *tty;
	int slave;

	guest_write(f->page, "early boot\n"); /* before the daemon connects */
	cons_scan(&cd);
	d = served(3);
	assert_non_null(d);
	assert_int_equal(warnings, 0);
	assert_int_equal(maps, 1);
	assert_int_equal(binds, 1);
	assert_string_equal(d->stem, "web_1");
	tty = g_hash_table_lookup(store, "/local/domain/3/console/tty");
	assert_non_null(tty);
	assert_string_equal(tty, d->tty);
	assert_int_equal(strncmp(tty, "/dev/pts/", 9), 0);
	log = read_log("web_1");
	assert_non_null(log);
	assert_string_equal(log, "early boot\n");
	g_free(log);
	assert_int_equal(f->page->out_cons, f->page->out_prod);
	/* Later output, at an event: in the log at once, and on the pty for whoever opens it. */
	guest_write(f->page, "login: ");
	cons_dom_event(d);
	log = read_log("web_1");
	assert_string_equal(log, "early boot\nlogin: ");
	g_free(log);
	slave = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK);
	assert_true(slave >= 0);
	run_loop();
	assert_int_equal(read(slave, buf, sizeof(buf) - 1), 18);
	assert_string_equal(buf, "early boot\nlogin: ");
	/* A second scan changes nothing. */
	cons_scan(&cd);
	assert_int_equal(maps, 1);
	assert_ptr_equal(served(3), d);
	close(slave);
}

static void test_input(void **state)
{
	struct fake_dom *f = add_domain(4, "in");
	static char typed[XENCONS_IN_SIZE + 200];
	struct cons_dom *d;
	int slave;

	cons_scan(&cd);
	d = served(4);
	assert_non_null(d);
	slave = open(d->tty, O_RDWR | O_NOCTTY | O_NONBLOCK);
	assert_true(slave >= 0);
	for (size_t i = 0; i < sizeof(typed); i++)
		typed[i] = (char)('a' + i % 26);
	assert_int_equal(write(slave, typed, sizeof(typed)), sizeof(typed));
	notifies = 0;
	run_loop();
	/* in[] full; the rest waits in the pty, the watch is off until the guest reads. */
	assert_int_equal(f->page->in_prod - f->page->in_cons, XENCONS_IN_SIZE);
	assert_true(notifies > 0);
	assert_int_equal(d->in_src, 0);
	for (int i = 0; i < XENCONS_IN_SIZE; i++)
		assert_int_equal(f->page->in[i], 'a' + i % 26);
	f->page->in_cons += XENCONS_IN_SIZE; /* the guest reads everything and notifies */
	cons_dom_event(d);
	assert_int_not_equal(d->in_src, 0);
	run_loop();
	assert_int_equal(f->page->in_prod - f->page->in_cons, 200);
	assert_int_equal(f->page->in[0], (char)('a' + XENCONS_IN_SIZE % 26));
	close(slave);
}

static void test_nobody_reads(void **state)
{
	/* 1 MiB of output and no reader: the log has all of it, the pty's queue stays bounded. */
	struct fake_dom *f = add_domain(5, NULL);
	static char line[1025];
	struct cons_dom *d;
	gchar *log;

	cons_scan(&cd);
	d = served(5);
	assert_non_null(d);
	assert_string_equal(d->stem, "domain-5");
	memset(line, 'x', 1023);
	line[1023] = '\n';
	for (int i = 0; i < 1024; i++) {
		guest_write(f->page, line);
		cons_dom_event(d);
		run_loop();
		assert_true(d->pending.len <= CONS_PTY_BUFFER);
	}
	assert_int_equal(d->pending.len, CONS_PTY_BUFFER);
	assert_int_not_equal(d->out_src, 0);
	log = read_log("domain-5");
	assert_non_null(log);
	assert_int_equal(strlen(log), 1024 * 1024);
	g_free(log);
}

static void test_hostile(void **state)
{
	struct fake_dom *f = add_domain(6, "bad");

	cons_scan(&cd);
	assert_non_null(served(6));
	f->page->out_prod = f->page->out_cons + 0x10000; /* far beyond a ring's worth */
	cons_dom_event(served(6));
	assert_null(served(6));
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(last_warning, "domain 6"));
	assert_int_equal(unmaps, maps);
	assert_int_equal(unbinds, binds);
	/* Not taken up again while it exists, even once its page looks sane. */
	f->page->out_prod = f->page->out_cons;
	cons_scan(&cd);
	assert_null(served(6));
	assert_int_equal(warnings, 1);
	/* A guest moving our consumer index is disconnected the same way. */
	add_domain(7, "cons");
	cons_scan(&cd);
	assert_non_null(served(7));
	fake_find(7)->page->out_cons += 1;
	cons_dom_event(served(7));
	assert_null(served(7));
	/* Already impossible at connect: never served. */
	f = add_domain(8, "early");
	f->page->in_cons = 5000;
	cons_scan(&cd);
	assert_null(served(8));
	assert_int_equal(warnings, 3);
	/* Gone, then a new domain with that id: served. */
	remove_domain(6);
	cons_scan(&cd);
	add_domain(6, "again");
	cons_scan(&cd);
	assert_non_null(served(6));
}

static void test_bad_nodes(void **state)
{
	add_domain(9, "n");
	node(9, "console/port", "12x");
	cons_scan(&cd);
	assert_null(served(9));
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(last_warning, "domain 9"));
	assert_non_null(strstr(last_warning, "console/port"));
	cons_scan(&cd); /* said once */
	assert_int_equal(warnings, 1);
	node(9, "console/port", "19");
	cons_scan(&cd);
	assert_non_null(served(9));
	/* Out of range, wrong type, and the same while not yet introduced (silent). */
	add_domain(10, "m");
	node(10, "console/ring-ref", "1099511627776");
	add_domain(11, "t");
	node(11, "console/type", "ioemu");
	add_domain(12, "u");
	node(12, "console/port", "0");
	introduced = false;
	cons_scan(&cd);
	assert_int_equal(warnings, 1);
	introduced = true;
	cons_scan(&cd);
	assert_int_equal(warnings, 4);
	assert_null(served(10));
	assert_null(served(11));
	assert_null(served(12));
	/* A port the domain did not allocate for us: the bind fails, said once, retried later. */
	add_domain(13, "p");
	node(13, "console/port", "99");
	cons_scan(&cd);
	cons_scan(&cd);
	assert_int_equal(warnings, 5);
	assert_non_null(strstr(last_warning, "bind"));
	assert_int_equal(maps - unmaps, 1); /* domain 9's only */
	node(13, "console/port", "23");
	cons_scan(&cd);
	assert_non_null(served(13));
	/* No ring-ref: Keel serves that console itself; domain 0 is never served. */
	doms[nr_doms++] = (struct fake_dom){.domid = 14, .listed = true, .flags = 1};
	node(0, "console/ring-ref", "1");
	cons_scan(&cd);
	assert_null(served(14));
	assert_null(served(0));
	assert_int_equal(warnings, 5);
	introduced = true;
}

static void test_gone_and_dying(void **state)
{
	struct fake_dom *f = add_domain(15, "same");
	gchar *log;
	int slave;

	add_domain(16, "same");
	cons_scan(&cd);
	assert_string_equal(served(15)->stem, "same");
	assert_string_equal(served(16)->stem, "same+16");
	/* Shut down but not destroyed: still served. */
	f->flags = KEEL_DOMINFO_SHUTDOWN;
	cons_scan(&cd);
	assert_non_null(served(15));
	/* Output left when it goes: drained into the log, then the console closes. Typed input
	 * pending on its pty then: no watch of it may outlive it. */
	slave = open(served(15)->tty, O_RDWR | O_NOCTTY | O_NONBLOCK);
	assert_true(slave >= 0);
	assert_int_equal(write(slave, "x", 1), 1);
	guest_write(f->page, "last words\n");
	remove_domain(15);
	cons_scan(&cd);
	assert_null(served(15));
	run_loop();
	close(slave);
	log = read_log("same");
	assert_string_equal(log, "last words\n");
	g_free(log);
	fake_find(16)->flags |= KEEL_DOMINFO_DYING;
	cons_scan(&cd);
	assert_null(served(16));
	assert_int_equal(unmaps, maps);
	assert_int_equal(unbinds, binds);
	assert_int_equal(warnings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_serve_output, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_input, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nobody_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_nodes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gone_and_dying, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
