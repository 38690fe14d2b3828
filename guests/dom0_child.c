/* Test guest dom0_child: built by dom0's toolstack; talks over its console and xenstore rings. */
#include "bootargs.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "x86.h"

#include <public/console.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/hvm.h>
#include <public/memory.h>
#include <public/sched.h>

const char guest_name[] = "dom0_child";

#define WAIT_NS (10000 * NS_PER_MS)

/* The xenstore ring page and message header (Xen's io/xs_wire.h layout; facts of the ABI). */
#define XS_RING_SIZE 1024u
#define XS_READ	     2u
#define XS_WRITE     11u
#define XS_ERROR     16u
struct xs_ring {
	char req[XS_RING_SIZE];
	char rsp[XS_RING_SIZE];
	uint32_t req_cons, req_prod, rsp_cons, rsp_prod;
};
struct xs_msg {
	uint32_t type, req_id, tx_id, len;
};

/* guests/lib/string.c */
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* The grant dom0 maps through /dev/xen/gntdev: table frame 0 at TABLE_GFN (no RAM there). */
#define TABLE_GFN  0x50000ull
#define GRANT_REF  8
#define GRANT_TEXT "dom0_child: this page is granted to dom0"

static volatile struct xencons_interface *cons;
static uint8_t grant_page[4096] __attribute__((aligned(4096)));
static volatile struct xs_ring *store;
static evtchn_port_t cons_port, store_port;
static char reply[XS_RING_SIZE];

static size_t length(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void notify(evtchn_port_t port)
{
	struct evtchn_port_arg a = {.port = port};
	long rc = hv_event_channel_op(EVTCHNOP_send, &a);

	if (rc)
		test_fail("EVTCHNOP_send(%u) returned %ld", port, rc);
}

/* Wait (bounded) until @cond_fn says so, with events on so the rings' notifications land. */
static void wait_for(int (*cond_fn)(void), const char *what)
{
	uint64_t t0 = time_now_ns();

	while (!cond_fn()) {
		if (time_now_ns() - t0 > WAIT_NS)
			test_fail("%s: nothing after 10 s", what);
		cpu_relax();
	}
}

static int cons_drained(void)
{
	return cons->out_cons == cons->out_prod;
}

/* One line through the console ring (as hvc_xen writes it), then wait until dom0 took it. */
static void cons_write(const char *s)
{
	uint32_t prod = cons->out_prod;
	size_t n = length(s);

	if (n > XENCONS_OUT_SIZE - (prod - cons->out_cons))
		test_fail("console ring full");
	for (size_t i = 0; i < n; i++)
		cons->out[(prod + i) & (XENCONS_OUT_SIZE - 1)] = s[i];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cons->out_prod = prod + (uint32_t)n;
	notify(cons_port);
	wait_for(cons_drained, "console ring: dom0's console daemon draining it");
}

static void ring_put(const void *p, size_t n)
{
	uint32_t prod = store->req_prod;

	if (n > XS_RING_SIZE - (prod - store->req_cons))
		test_fail("xenstore request of %u bytes does not fit", (unsigned int)n);
	for (size_t i = 0; i < n; i++)
		store->req[(prod + i) & (XS_RING_SIZE - 1)] = ((const char *)p)[i];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	store->req_prod = prod + (uint32_t)n;
}

static uint32_t rsp_have(void)
{
	return store->rsp_prod - store->rsp_cons;
}

static int have_header(void)
{
	return rsp_have() >= sizeof(struct xs_msg);
}

static uint32_t want_len;
static int have_body(void)
{
	return rsp_have() >= sizeof(struct xs_msg) + want_len;
}

static void ring_get(void *p, size_t n)
{
	uint32_t cons_idx = store->rsp_cons;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (size_t i = 0; i < n; i++)
		((char *)p)[i] = store->rsp[(cons_idx + i) & (XS_RING_SIZE - 1)];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	store->rsp_cons = cons_idx + (uint32_t)n;
}

/* One request (@a then @b as its payload); the reply's payload into reply[], its type out. */
static uint32_t xs_request(uint32_t type, const char *a, size_t alen, const char *b, size_t blen)
{
	static uint32_t req_id = 1;
	struct xs_msg m = {type, req_id++, 0, (uint32_t)(alen + blen)};

	ring_put(&m, sizeof(m));
	ring_put(a, alen);
	if (blen)
		ring_put(b, blen);
	notify(store_port);
	wait_for(have_header, "xenstore: a reply header");
	{
		struct xs_msg r;
		uint32_t c = store->rsp_cons;

		for (size_t i = 0; i < sizeof(r); i++)
			((char *)&r)[i] = store->rsp[(c + i) & (XS_RING_SIZE - 1)];
		if (r.len >= sizeof(reply) || r.req_id != m.req_id)
			test_fail("xenstore: reply id %u (sent %u), %u bytes", r.req_id, m.req_id,
				  r.len);
		want_len = r.len;
		wait_for(have_body, "xenstore: a reply body");
		ring_get(&r, sizeof(r));
		ring_get(reply, r.len);
		reply[r.len] = 0;
		notify(store_port);
		return r.type;
	}
}

static void xs_write(const char *path, const char *value)
{
	uint32_t t = xs_request(XS_WRITE, path, length(path) + 1, value, length(value));

	if (t != XS_WRITE)
		test_fail("xenstore write %s: %s", path, t == XS_ERROR ? reply : "bad reply type");
}

/* The node's value, or NULL when it does not exist (yet). */
static const char *xs_try_read(const char *path)
{
	uint32_t t = xs_request(XS_READ, path, length(path) + 1, "", 0);

	if (t == XS_ERROR && !memcmp(reply, "ENOENT", 7))
		return 0;
	if (t != XS_READ)
		test_fail("xenstore read %s: %s", path, t == XS_ERROR ? reply : "bad reply type");
	return reply;
}

static const char *xs_read(const char *path)
{
	const char *v = xs_try_read(path);

	if (!v)
		test_fail("xenstore read %s: ENOENT", path);
	return v;
}

/* Grant a page to dom0, tell it the ref, wait (bounded) until it mapped, read and unmapped it. */
static void grant_to_dom0(void)
{
	struct add_to_physmap xatp = {
	    .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = 0, .gpfn = TABLE_GFN};
	volatile struct grant_entry_v1 *table = (volatile void *)(uintptr_t)(TABLE_GFN << 12);
	uint64_t t0 = time_now_ns();
	const char *v;
	long rc = hv_memory_op(XENMEM_add_to_physmap, &xatp);

	if (rc)
		test_fail("add_to_physmap(grant table frame 0) returned %ld", rc);
	memcpy(grant_page, GRANT_TEXT, sizeof(GRANT_TEXT));
	table[GRANT_REF].domid = 0;
	table[GRANT_REF].frame = (uint32_t)((uintptr_t)grant_page >> 12);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	table[GRANT_REF].flags = GTF_permit_access | GTF_readonly;
	xs_write("data/gref", "8");
	while (!(v = xs_try_read("data/mapped"))) {
		if (time_now_ns() - t0 > WAIT_NS)
			test_fail("dom0 did not map grant %u within 10 s", GRANT_REF);
		for (int i = 0; i < 100000; i++)
			cpu_relax();
	}
	if (memcmp(v, "ok", 3))
		test_fail("dom0 says of the grant: %s", v);
	if (table[GRANT_REF].flags & (GTF_reading | GTF_writing))
		test_fail("grant %u still in use after dom0 said it unmapped it", GRANT_REF);
	table[GRANT_REF].flags = 0;
	con_printf("dom0_child: dom0 mapped grant %u through gntdev and read it\n", GRANT_REF);
}

void guest_main(void)
{
	uint64_t cpfn, spfn;
	const char *v;
	long rc;

	test_require_hv();
	rc = shared_info_map();
	if (!rc)
		rc = events_init();
	if (rc)
		test_fail("event setup returned %ld", rc);
	cpfn = test_get_hvm_param(HVM_PARAM_CONSOLE_PFN);
	cons_port = (evtchn_port_t)test_get_hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
	spfn = test_get_hvm_param(HVM_PARAM_STORE_PFN);
	store_port = (evtchn_port_t)test_get_hvm_param(HVM_PARAM_STORE_EVTCHN);
	if (!cpfn || !cons_port || !spfn || !store_port)
		test_fail("no console or xenstore ring: console pfn %#lx port %u, store pfn %#lx "
			  "port %u",
			  (unsigned long)cpfn, cons_port, (unsigned long)spfn, store_port);
	con_printf("dom0_child: console ring pfn %#lx port %u, xenstore ring pfn %#lx port %u\n",
		   (unsigned long)cpfn, cons_port, (unsigned long)spfn, store_port);
	cons = (volatile struct xencons_interface *)(uintptr_t)(cpfn << 12);
	store = (volatile struct xs_ring *)(uintptr_t)(spfn << 12);
	irq_enable();

	xs_write("data/greeting", "hello from the dom0 child");
	v = xs_read("data/greeting");
	if (memcmp(v, "hello from the dom0 child", 26))
		test_fail("xenstore read back \"%s\"", v);
	if (bootargs_has(boot_cmdline,
			 "grant")) /* keel-testdomain serves it; keel create does not */
		grant_to_dom0();
	v = xs_read("name");
	con_printf("dom0_child: xenstore: data/greeting written and read back; my name is %s\n", v);
	cons_write("dom0_child: hello through the console ring\n");
	if (bootargs_has(boot_cmdline, "reboot")) {
		/* For on_reboot: the domain ends with reason reboot; its monitor restarts it. */
		cons_write("dom0_child: xenstore works; rebooting\n");
		guest_shutdown(SHUTDOWN_reboot, GUEST_EXIT_PASS);
	}
	if (bootargs_has(boot_cmdline, "hang")) {
		/* A hung guest for keel shutdown -F: deaf to control/shutdown, it idles forever. */
		cons_write("dom0_child: xenstore works; hanging (deaf to control/shutdown)\n");
		for (;;)
			safe_halt();
	}
	cons_write("dom0_child: xenstore works; powering off\n");
	test_pass();
}
