/* Test guest shm_pair: two domains exchange data through a shared region and its doorbell. */
#include "bootargs.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "physmap.h"
#include "pvclock.h"
#include "stats.h"
#include "test.h"
#include "x86.h"

#include <public/cpuid.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/memory.h>

const char guest_name[] = "shm_pair";

/*
 * Command line: role=a|b|reader|linux|intruder rounds=N pings=N, and what Keel appends for each
 * region (docs/boot-domains.md): keel.shm.NAME=GPA,SIZE,ACCESS,PORT.
 *   a, b    region `ring` (rw on both): `rounds` rounds both ways. A fills its half with a
 *           pattern of the round, publishes the round number, rings; B checks every byte,
 *           fills its half, publishes, rings back; A checks. Then A times copies into the
 *           region against copies inside its own RAM (BENCH shm_copy_*: bytes per 1000
 *           ticks), and `pings` bare round trips (BENCH shm_doorbell_rtt, median TSC ticks).
 *           A also shares region `peek` with the reader (its side rw, the reader's ro): it
 *           counts the reader's generations (a new peer on its doorbell) in it.
 *   reader  region `peek`, read-only: its first generation finds A's marker, checks the rest
 *           is zero, that Keel refuses to write its view for it, then writes it itself and
 *           must be crashed (EXPECT-CRASH; it is restarted per on_crash=restart); its second
 *           generation finds the count 2 that A wrote and passes.
 *   intruder names region `ring` too: Keel must refuse it at boot, so it never runs.
 *   linux   region `lx` with a Linux domain (tests/boot/bochs-linux-shm.test): writes a text
 *           and a word for Linux to read through /dev/mem, then polls (every 100 ms, for up
 *           to `wait_s` seconds) for the word Linux writes back.
 */
#define MAGIC	   0x4b45454c53484d31ull /* "KEELSHM1" */
#define ROUNDS_MAX 64
#define WAIT_NS	   (20000 * NS_PER_MS)

struct region {
	const char *name;
	volatile uint8_t *base;
	uint64_t gpa, size;
	int writable;
	evtchn_port_t port;
};

/* At the start of each region. */
struct header {
	uint64_t magic;
	uint64_t seq_a, seq_b;	 /* the round each side published */
	uint64_t ping_a, ping_b; /* the bare round trips */
	uint64_t generation;	 /* peek: the reader's lives A has seen */
	uint64_t reader;	 /* peek: the domain id of the last one (set after generation) */
};
#define DATA_OFFSET 4096

static volatile uint32_t events[2];
static uint64_t rtt[ROUNDS_MAX * 4];
static uint8_t ram_src[32768], ram_dst[32768];

static volatile struct header *hdr(const struct region *r)
{
	return (volatile struct header *)r->base;
}

/* Parse keel.shm.NAME=GPA,SIZE,ACCESS,PORT; FAIL if it is missing or malformed. */
static void find_region(const char *name, struct region *r)
{
	char key[32] = "keel.shm.", val[96], *f[4];
	uint64_t port;
	unsigned int n = 1, i;

	for (i = 0; name[i] && i < 20; i++)
		key[9 + i] = name[i];
	key[9 + i] = '\0';
	if (bootargs_get(boot_cmdline, key, val, sizeof(val)) < 0)
		test_fail("no %s= on the command line", key);
	f[0] = val;
	for (char *p = val; *p; p++)
		if (*p == ',' && n < 4) {
			*p = '\0';
			f[n++] = p + 1;
		}
	if (n != 4 || bootargs_parse_u64(f[0], &r->gpa) || bootargs_parse_u64(f[1], &r->size) ||
	    bootargs_parse_u64(f[3], &port) || (f[2][0] != 'r') ||
	    (f[2][1] != 'w' && f[2][1] != 'o'))
		test_fail("%s: cannot parse", key);
	r->name = name;
	r->writable = f[2][1] == 'w';
	r->port = (evtchn_port_t)port;
	r->base = (volatile uint8_t *)(uintptr_t)r->gpa;
	if (r->gpa + r->size > (1ull << 32) || r->size < 4096)
		test_fail("%s: region outside the 4 GiB this guest maps, or too small", key);
}

/* Keel marks the region reserved (type 2) in the start-info memory map. */
static void check_memmap(const struct region *r)
{
	const struct pvh_memmap_entry *map =
	    (const struct pvh_memmap_entry *)(uintptr_t)boot_info->memmap_paddr;

	for (uint32_t i = 0; boot_info->version >= 1 && i < boot_info->memmap_entries; i++)
		if (map[i].addr == r->gpa && map[i].size == r->size && map[i].type == 2) {
			con_printf("shm_pair: region %s at %#lx (%lu KiB, %s, port %u) reserved in "
				   "the memory map\n",
				   r->name, (unsigned long)r->gpa, (unsigned long)(r->size >> 10),
				   r->writable ? "rw" : "ro", r->port);
			return;
		}
	test_fail("region %s is not a reserved entry of the memory map", r->name);
}

static void on_event(evtchn_port_t port, void *ctx)
{
	(void)port;
	events[(uintptr_t)ctx]++;
}

static void on_timer(evtchn_port_t port, void *ctx)
{
	(void)port, (void)ctx;
}

/* When the singleshot timer wakes us next: armed seldom, so round trips do not include it. */
static uint64_t watchdog_at;

static void watchdog_arm(uint64_t now)
{
	if (watchdog_at < now + WAIT_NS / 2) {
		watchdog_at = now + WAIT_NS;
		timer_set_abs(watchdog_at);
	}
}

/* Halt until @cond(@arg) holds; FAIL after WAIT_NS (the timer wakes us to look). */
static void wait_until(int (*cond)(const void *), const void *arg, const char *what)
{
	uint64_t now = time_now_ns(), deadline = now + WAIT_NS;

	irq_disable();
	while (!cond(arg)) {
		now = time_now_ns();
		if (now >= deadline)
			test_fail("%s: not within %u s", what,
				  (unsigned int)(WAIT_NS / 1000000000u));
		watchdog_arm(now);
		safe_halt();
		irq_disable();
	}
	irq_enable();
}

struct seq_wait {
	volatile uint64_t *at;
	uint64_t want;
};

static int seq_reached(const void *arg)
{
	const struct seq_wait *w = arg;

	return READ_ONCE(*w->at) >= w->want;
}

static void wait_seq(volatile uint64_t *at, uint64_t want, const char *what)
{
	struct seq_wait w = {at, want};

	wait_until(seq_reached, &w, what);
}

static void ring(const struct region *r)
{
	struct evtchn_port_arg a = {.port = r->port};
	long rc = hv_event_channel_op(EVTCHNOP_send, &a);

	if (rc)
		test_fail("send on the doorbell of %s (port %u) returned %ld", r->name, r->port,
			  rc);
}

static uint8_t pattern(uint64_t round, uint64_t i, int side)
{
	return (uint8_t)(round * 131 + i * 7 + (i >> 8) + (uint64_t)side * 89);
}

static void fill(volatile uint8_t *p, uint64_t len, uint64_t round, int side)
{
	for (uint64_t i = 0; i < len; i++)
		p[i] = pattern(round, i, side);
}

static void check(const volatile uint8_t *p, uint64_t len, uint64_t round, int side)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != pattern(round, i, side))
			test_fail("round %lu: byte %lu is %#x, not %#x", (unsigned long)round,
				  (unsigned long)i, p[i], pattern(round, i, side));
}

static void copy_quads(void *dst, const void *src, uint64_t len)
{
	uint64_t n = len / 8;

	asm volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/* Bytes per 1000 TSC ticks copying @len bytes @times times from @src to @dst. */
static uint64_t copy_rate(void *dst, const void *src, uint64_t len, unsigned int times)
{
	uint64_t t0 = rdtsc_ordered(), t;

	for (unsigned int i = 0; i < times; i++)
		copy_quads(dst, src, len);
	t = rdtsc_ordered() - t0;
	return t ? len * times * 1000 / t : 0;
}

/* The best of 3 alternating runs each: into the region, and inside our own RAM. */
static void copy_rates(void *region, uint64_t len, uint64_t *to_region, uint64_t *in_ram)
{
	*to_region = *in_ram = 0;
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t a = copy_rate(region, ram_src, len, 16);
		uint64_t b = copy_rate(ram_dst, ram_src, len, 16);

		*to_region = a > *to_region ? a : *to_region;
		*in_ram = b > *in_ram ? b : *in_ram;
	}
}

static void setup_events(struct region *r, unsigned int slot)
{
	long rc = events_set_handler(r->port, on_event, (void *)(uintptr_t)slot);

	if (rc)
		test_fail("events_set_handler(%u) returned %ld", r->port, rc);
}

/* Keel refuses to balloon or remap the region's frames (and copies into it like RAM). */
static void check_refusals(const struct region *r)
{
	uint64_t gfn = r->gpa >> 12;
	struct memory_reservation res = {
	    .extent_start = HV_PTR(&gfn), .nr_extents = 1, .domid = DOMID_SELF};
	struct memory_map mm = {.nr_entries = 8, .buffer = HV_PTR(r->base + DATA_OFFSET)};
	long rc;

	rc = hv_memory_op(XENMEM_decrease_reservation, &res);
	TEST_CHECK(rc == 0, "decrease_reservation of a shared frame did %ld extents", rc);
	rc = hv_memory_op(XENMEM_populate_physmap, &res);
	TEST_CHECK(rc == 0, "populate_physmap over a shared frame did %ld extents", rc);
	rc = physmap_put_shared_info(gfn + 1);
	TEST_CHECK(rc == -EPERM, "shared_info onto the region returned %ld, not -EPERM", rc);
	rc = hv_memory_op(XENMEM_memory_map, &mm);
	TEST_CHECK(rc == 0 && mm.nr_entries >= 4, "memory_map into the region returned %ld", rc);
	con_printf("shm_pair: ballooning and shared_info refused on region %s; Keel wrote %u "
		   "memory-map entries into it\n",
		   r->name, mm.nr_entries);
}

static int port_connected(const void *arg)
{
	const struct region *r = arg;
	struct evtchn_status st = {.dom = DOMID_SELF, .port = r->port};

	return hv_event_channel_op(EVTCHNOP_status, &st) == 0 &&
	       st.status == EVTCHNSTAT_interdomain;
}

/* Peek: each time the reader's doorbell connects anew, count a generation and ring it. */
static void tend_peek(struct region *peek, uint16_t *peer, uint64_t *gen)
{
	struct evtchn_status st = {.dom = DOMID_SELF, .port = peek->port};

	if (hv_event_channel_op(EVTCHNOP_status, &st) || st.status != EVTCHNSTAT_interdomain ||
	    st.u.interdomain.dom == *peer)
		return;
	*peer = st.u.interdomain.dom;
	WRITE_ONCE(hdr(peek)->generation, ++*gen);
	barrier();
	WRITE_ONCE(hdr(peek)->reader, *peer);
	con_printf("shm_pair: a: reader generation %lu on d%u, the same port %u here\n",
		   (unsigned long)*gen, *peer, peek->port);
	ring(peek);
}

struct peek_wait {
	struct region *peek;
	uint16_t *peer;
	uint64_t *gen;
	uint64_t want;
};

static int peek_reached(const void *arg)
{
	const struct peek_wait *w = arg;

	tend_peek(w->peek, w->peer, w->gen);
	return *w->gen >= w->want;
}

static void role_a(uint64_t rounds, uint64_t pings)
{
	struct region ring_r, peek;
	uint64_t len, gen = 0, region_rate, ram_rate;
	uint16_t reader = 0;
	struct peek_wait pw = {&peek, &reader, &gen, 2};
	volatile uint8_t *to_b, *to_a;

	find_region("ring", &ring_r);
	find_region("peek", &peek);
	check_memmap(&ring_r);
	check_memmap(&peek);
	TEST_CHECK(ring_r.writable && peek.writable, "A's views must be rw");
	TEST_CHECK(ring_r.size >= 2 * DATA_OFFSET && peek.size >= 2 * DATA_OFFSET,
		   "regions ring and peek need 8 KiB at least");
	check_refusals(&ring_r);
	setup_events(&ring_r, 0);
	setup_events(&peek, 1);
	WRITE_ONCE(hdr(&peek)->magic, MAGIC);
	irq_enable();
	len = (ring_r.size - DATA_OFFSET) / 2;
	to_b = ring_r.base + DATA_OFFSET;
	to_a = to_b + len;
	wait_until(port_connected, &ring_r, "a: B's doorbell");
	con_printf("shm_pair: a: doorbell connected, %lu rounds of %lu bytes each way\n",
		   (unsigned long)rounds, (unsigned long)len);
	for (uint64_t i = 1; i <= rounds; i++) {
		fill(to_b, len, i, 0);
		WRITE_ONCE(hdr(&ring_r)->seq_a, i);
		ring(&ring_r);
		wait_seq(&hdr(&ring_r)->seq_b, i, "a: B's answer");
		check(to_a, len, i, 1);
		tend_peek(&peek, &reader, &gen);
	}
	/* B waits for the first ping meanwhile; the best of 3 runs leaves out preemptions. */
	copy_rates((void *)to_b, len < sizeof(ram_src) ? len & ~7ull : sizeof(ram_src),
		   &region_rate, &ram_rate);
	con_printf("BENCH shm_copy_region=%lu shm_copy_ram=%lu shm_copy_ratio=%lu.%02lu\n",
		   (unsigned long)region_rate, (unsigned long)ram_rate,
		   (unsigned long)(ram_rate ? region_rate / ram_rate : 0),
		   (unsigned long)(ram_rate ? region_rate * 100 / ram_rate % 100 : 0));
	for (uint64_t i = 1; i <= pings; i++) {
		uint64_t t0 = rdtsc_ordered();

		WRITE_ONCE(hdr(&ring_r)->ping_a, i);
		ring(&ring_r);
		wait_seq(&hdr(&ring_r)->ping_b, i, "a: B's pong");
		rtt[i - 1] = rdtsc_ordered() - t0;
	}
	con_printf("shm_pair: a: %lu rounds both ways, every byte checked\n",
		   (unsigned long)rounds);
	con_printf("BENCH shm_doorbell_rtt=%lu\n", (unsigned long)stats_median_u64(rtt, pings));
	wait_until(peek_reached, &pw, "a: the reader's second generation");
	test_pass();
}

static void role_b(uint64_t rounds, uint64_t pings)
{
	struct region ring_r;
	volatile uint8_t *to_b, *to_a;
	uint64_t len;

	find_region("ring", &ring_r);
	check_memmap(&ring_r);
	TEST_CHECK(ring_r.writable, "B's view must be rw");
	TEST_CHECK(ring_r.size >= 2 * DATA_OFFSET, "region ring needs 8 KiB at least");
	setup_events(&ring_r, 0);
	irq_enable();
	len = (ring_r.size - DATA_OFFSET) / 2;
	to_b = ring_r.base + DATA_OFFSET;
	to_a = to_b + len;
	for (uint64_t i = 1; i <= rounds; i++) {
		wait_seq(&hdr(&ring_r)->seq_a, i, "b: A's round");
		check(to_b, len, i, 0);
		fill(to_a, len, i, 1);
		WRITE_ONCE(hdr(&ring_r)->seq_b, i);
		ring(&ring_r);
	}
	for (uint64_t i = 1; i <= pings; i++) {
		wait_seq(&hdr(&ring_r)->ping_a, i, "b: A's ping");
		WRITE_ONCE(hdr(&ring_r)->ping_b, i);
		ring(&ring_r);
	}
	con_printf("shm_pair: b: %lu rounds both ways, every byte checked, %u doorbell events\n",
		   (unsigned long)rounds, events[0]);
	test_pass();
}

/* Our domain id from the hypervisor's CPUID leaf (0 if it does not say). */
static uint64_t domain_id(void)
{
	uint32_t domid;

	if (!(hv_cpuid(HV_CPUID_LEAF_HVM, 0, &domid, 0) & HV_CPUID_HVM_DOMID_PRESENT))
		return 0;
	return domid;
}

struct reader_wait {
	const struct region *r;
	uint64_t self;
};

/* A has counted this very domain (a generation of the reader earlier left its count behind). */
static int counted_me(const void *arg)
{
	const struct reader_wait *w = arg;

	return READ_ONCE(hdr(w->r)->magic) == MAGIC && READ_ONCE(hdr(w->r)->reader) == w->self;
}

static void role_reader(void)
{
	struct region peek;
	struct reader_wait me = {&peek, domain_id()};
	struct memory_map mm = {.nr_entries = 8};
	uint64_t gen;
	long rc;

	find_region("peek", &peek);
	check_memmap(&peek);
	TEST_CHECK(!peek.writable, "the reader's view must be ro");
	TEST_CHECK(peek.size >= 2 * DATA_OFFSET, "region peek needs 8 KiB at least");
	TEST_CHECK(me.self, "no domain id in the hypervisor's CPUID leaf");
	setup_events(&peek, 0);
	irq_enable();
	wait_until(counted_me, &me, "reader: A's count of this generation");
	barrier();
	gen = READ_ONCE(hdr(&peek)->generation);
	if (gen >= 2) {
		con_printf("shm_pair: reader: generation %lu, the region kept A's marker\n",
			   (unsigned long)gen);
		test_pass();
	}
	for (uint64_t i = DATA_OFFSET; i < peek.size; i++)
		TEST_CHECK(peek.base[i] == 0, "byte %lu of a fresh region is not zero",
			   (unsigned long)i);
	mm.buffer = HV_PTR(peek.base + DATA_OFFSET);
	rc = hv_memory_op(XENMEM_memory_map, &mm);
	TEST_CHECK(rc == -EFAULT, "Keel wrote into a read-only view (memory_map: %ld)", rc);
	con_printf("shm_pair: reader: generation 1 reads A's marker and zeroes; Keel refused to "
		   "write the read-only view\n");
	con_printf("EXPECT-CRASH shm_pair\n");
	peek.base[DATA_OFFSET] = 1;
	test_fail("reader: wrote its read-only view of region peek and survived");
}

#define LINUX_TEXT	  "hello from the shm_pair guest"
#define LINUX_WORD_OFFSET 0x100
#define LINUX_WORD	  0x4b45454cu /* "KEEL" */
#define LINUX_REPLY	  0x200	      /* where Linux writes its answer */
#define LINUX_ANSWER	  0x4c4e5558u /* "LNUX" */

static void role_linux(uint64_t wait_s)
{
	struct region lx;
	uint64_t deadline;
	volatile uint32_t *reply;

	find_region("lx", &lx);
	check_memmap(&lx);
	TEST_CHECK(lx.writable, "the view of region lx must be rw");
	for (unsigned int i = 0; i < sizeof(LINUX_TEXT); i++)
		lx.base[i] = (uint8_t)LINUX_TEXT[i];
	WRITE_ONCE(*(volatile uint32_t *)(lx.base + LINUX_WORD_OFFSET), LINUX_WORD);
	reply = (volatile uint32_t *)(lx.base + LINUX_REPLY);
	con_printf("shm_pair: linux: wrote \"%s\" and %#x for Linux; waiting up to %lu s\n",
		   LINUX_TEXT, LINUX_WORD, (unsigned long)wait_s);
	deadline = time_now_ns() + wait_s * 1000 * NS_PER_MS;
	irq_enable();
	while (READ_ONCE(*reply) != LINUX_ANSWER) {
		if (time_now_ns() >= deadline)
			test_fail("linux: no answer from Linux in %lu s (the word there is %#x)",
				  (unsigned long)wait_s, READ_ONCE(*reply));
		irq_disable();
		timer_set_abs(time_now_ns() + 100 * NS_PER_MS);
		safe_halt();
	}
	con_printf("shm_pair: linux: the Linux domain answered %#x\n", READ_ONCE(*reply));
	test_pass();
}

void guest_main(void)
{
	char role[16];
	uint64_t rounds = bootargs_get_u64(boot_cmdline, "rounds", 10);
	uint64_t pings = bootargs_get_u64(boot_cmdline, "pings", 50);
	evtchn_port_t timer_port;
	long rc;

	test_require_hv();
	if (bootargs_get(boot_cmdline, "role", role, sizeof(role)) < 0 || rounds == 0 ||
	    rounds > ROUNDS_MAX || pings == 0 || pings > ROUNDS_MAX * 4)
		test_fail("usage: role=a|b|reader|linux|intruder rounds=1..%d pings=1..%d",
			  ROUNDS_MAX, ROUNDS_MAX * 4);
	if (role[0] == 'i')
		test_fail("intruder: started, but Keel must refuse a third domain on region ring");
	rc = shared_info_map();
	if (rc)
		test_fail("XENMEM_add_to_physmap(shared_info) returned %ld", rc);
	rc = events_init();
	if (rc)
		test_fail("HVMOP_set_param(CALLBACK_IRQ) returned %ld", rc);
	rc = events_bind_virq(VIRQ_TIMER, 0, &timer_port, on_timer, 0);
	if (rc)
		test_fail("bind VIRQ_TIMER returned %ld", rc);
	if (role[0] == 'a')
		role_a(rounds, pings);
	if (role[0] == 'b')
		role_b(rounds, pings);
	if (role[0] == 'l')
		role_linux(bootargs_get_u64(boot_cmdline, "wait_s", 1200));
	role_reader();
}
