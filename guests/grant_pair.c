/* Test guest grant_pair: one domain grants pages (role=granter), another maps and copies them. */
#include "bootargs.h"
#include "console.h"
#include "hypercall.h"
#include "test.h"
#include "x86.h"

#include <public/errno.h>
#include <public/grant_table.h>
#include <public/memory.h>

const char guest_name[] = "grant_pair";

/*
 * The fixed convention (no xenstore): the granter is domain 1, the mapper domain 2. The granter
 * puts table frame 0 at TABLE_GFN and grants: ref 8 its mailbox page writable, ref 9 a page
 * read-only, ref 10 a page to domain 3 (not the mapper), ref 11 a page for copies. The mailbox
 * carries the mapper's progress (state) so the granter checks its entry flags at each step.
 */
#define GRANTER_DOMID 1
#define MAPPER_DOMID  2
#define TABLE_GFN     0x50000ull
#define MAP_GFN	      0x40000ull /* where the mapper maps: above its RAM, below 3 GiB */
#define REF_MAILBOX   8
#define REF_RO	      9
#define REF_OTHER     10
#define REF_COPY      11
#define PATTERN	      0x6772616e74ed0000ull
#define WAIT_TSC      (60ull * 1000 * 1000 * 1000)

struct mailbox {
	volatile uint32_t state; /* set by the mapper */
	volatile uint32_t ack;	 /* set by the granter: it checked that state */
	volatile uint64_t from_mapper;
	volatile uint64_t pattern[32];
};

static uint8_t pages[4][4096] __attribute__((aligned(4096)));
static uint8_t own[2][4096] __attribute__((aligned(4096)));

static long gnttab_op(unsigned int cmd, void *arg, unsigned int count)
{
	return hypercall(HYPERCALL_grant_table_op, cmd, HV_PTR(arg), count, 0, 0);
}

static uint64_t gfn_of(const void *p)
{
	return (uint64_t)(uintptr_t)p >> 12;
}

static void wait_for(volatile uint32_t *p, uint32_t want, const char *what)
{
	uint64_t t0 = rdtsc_ordered();

	while (*p != want) {
		if (rdtsc_ordered() - t0 > WAIT_TSC)
			test_fail("timed out waiting for %s", what);
		cpu_relax();
	}
}

/* ----------------------------------------------------------------------------- granter */

static volatile struct grant_entry_v1 *table;

static void grant(unsigned int ref, uint16_t domid, const void *page, uint16_t flags)
{
	table[ref].domid = domid;
	table[ref].frame = (uint32_t)gfn_of(page);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	table[ref].flags = flags;
}

/* The granter's revoke, as Linux does it: only when Keel has neither flag set. */
static int try_revoke(unsigned int ref)
{
	uint16_t old = table[ref].flags;

	if (old & (GTF_reading | GTF_writing))
		return 0;
	return __atomic_compare_exchange_n(&table[ref].flags, &old, 0, 0, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static void granter_setup_checks(void)
{
	struct gnttab_query_size q = {.dom = DOMID_SELF};
	struct gnttab_set_version sv = {.version = 2};
	struct add_to_physmap xatp = {.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table};
	long rc;

	TEST_CHECK(gnttab_op(GNTTABOP_query_size, &q, 1) == 0 && q.status == GNTST_okay,
		   "query_size failed (status %d)", q.status);
	TEST_CHECK(q.nr_frames == 4 && q.max_nr_frames == 64, "query_size %u/%u, want 4/64",
		   q.nr_frames, q.max_nr_frames);
	rc = gnttab_op(GNTTABOP_set_version, &sv, 1);
	TEST_CHECK(rc == -ENOSYS && sv.version == 1, "set_version(2) = %ld (version %u)", rc,
		   sv.version);
	sv.version = 1;
	TEST_CHECK(gnttab_op(GNTTABOP_set_version, &sv, 1) == 0, "set_version(1) refused");
	/* Hostile placements: status frames, past the maximum, over special pages, over RAM. */
	xatp.idx = XENMAPIDX_grant_table_status;
	xatp.gpfn = TABLE_GFN;
	TEST_CHECK(hv_memory_op(XENMEM_add_to_physmap, &xatp) == -EINVAL, "status frame mapped");
	xatp.idx = 64;
	TEST_CHECK(hv_memory_op(XENMEM_add_to_physmap, &xatp) == -EINVAL, "frame 64 mapped");
	xatp.idx = 0;
	xatp.gpfn = 0xFEFF8;
	TEST_CHECK(hv_memory_op(XENMEM_add_to_physmap, &xatp) == -EINVAL,
		   "frame mapped over the special pages");
	xatp.gpfn = gfn_of(own[0]);
	TEST_CHECK(hv_memory_op(XENMEM_add_to_physmap, &xatp) == -EBUSY, "frame mapped over RAM");
	/* Frame 5 grows the table; then frame 0 where the convention wants it. */
	xatp.idx = 5;
	xatp.gpfn = TABLE_GFN + 5;
	TEST_CHECK(hv_memory_op(XENMEM_add_to_physmap, &xatp) == 0, "frame 5 not mapped");
	q.status = 1;
	TEST_CHECK(gnttab_op(GNTTABOP_query_size, &q, 1) == 0 && q.nr_frames == 6,
		   "table did not grow to 6 frames (%u)", q.nr_frames);
	xatp.idx = 0;
	xatp.gpfn = TABLE_GFN;
	rc = hv_memory_op(XENMEM_add_to_physmap, &xatp);
	TEST_CHECK(rc == 0, "add_to_physmap(grant_table 0) = %ld", rc);
	table = (volatile struct grant_entry_v1 *)(uintptr_t)(TABLE_GFN << 12);
}

static void granter_main(void)
{
	struct mailbox *mb = (struct mailbox *)pages[0];

	granter_setup_checks();
	for (unsigned int i = 0; i < 32; i++) {
		mb->pattern[i] = PATTERN + i;
		((volatile uint64_t *)pages[1])[i] = PATTERN ^ i;
		((volatile uint64_t *)pages[3])[i] = PATTERN + 0x100 + i;
	}
	grant(REF_MAILBOX, MAPPER_DOMID, pages[0], GTF_permit_access);
	grant(REF_RO, MAPPER_DOMID, pages[1], GTF_permit_access | GTF_readonly);
	grant(REF_OTHER, 3, pages[2], GTF_permit_access);
	grant(REF_COPY, MAPPER_DOMID, pages[3], GTF_permit_access);
	con_printf("grant_pair: granter: refs 8-11 offered\n");

	wait_for(&mb->state, 1, "the mailbox to be mapped");
	TEST_CHECK((table[REF_MAILBOX].flags & (GTF_reading | GTF_writing)) ==
		       (GTF_reading | GTF_writing),
		   "mapped writable, but entry 8 flags are %#x", table[REF_MAILBOX].flags);
	TEST_CHECK(!try_revoke(REF_MAILBOX), "revoked entry 8 while it is mapped");
	mb->ack = 1;

	wait_for(&mb->state, 2, "the read-only map");
	TEST_CHECK((table[REF_RO].flags & (GTF_reading | GTF_writing)) == GTF_reading,
		   "mapped read-only, but entry 9 flags are %#x", table[REF_RO].flags);
	mb->ack = 2;

	wait_for(&mb->state, 3, "the read-only unmap");
	TEST_CHECK(!(table[REF_RO].flags & (GTF_reading | GTF_writing)),
		   "unmapped, but entry 9 flags are still %#x", table[REF_RO].flags);
	mb->ack = 3;

	wait_for(&mb->state, 4, "the copies");
	TEST_CHECK(((volatile uint64_t *)(pages[3] + 128))[0] == ~PATTERN,
		   "the mapper's copy into ref 11 is not there");
	TEST_CHECK(!(table[REF_COPY].flags & (GTF_reading | GTF_writing)),
		   "after the copies entry 11 flags are %#x", table[REF_COPY].flags);
	TEST_CHECK(mb->from_mapper == ~PATTERN, "the mapper's write through its map is not seen");
	con_printf("grant_pair: granter: flags and data as expected while mapped and copied\n");
	mb->ack = 4;

	/* The mapper unmaps the mailbox (then ends, maybe crashing on the read-only map). */
	{
		uint64_t t0 = rdtsc_ordered();

		while (table[REF_MAILBOX].flags & (GTF_reading | GTF_writing) ||
		       table[REF_RO].flags & (GTF_reading | GTF_writing)) {
			if (rdtsc_ordered() - t0 > WAIT_TSC)
				test_fail("entries 8/9 stay in use: flags %#x %#x",
					  table[REF_MAILBOX].flags, table[REF_RO].flags);
			cpu_relax();
		}
	}
	TEST_CHECK(try_revoke(REF_MAILBOX) && try_revoke(REF_RO), "could not revoke after unmap");
	con_printf("grant_pair: granter: entries released and revoked\n");
	test_pass();
}

/* ----------------------------------------------------------------------------- mapper */

static int16_t map(unsigned int ref, uint16_t dom, uint64_t gfn, uint32_t flags, uint32_t *handle)
{
	struct gnttab_map_grant_ref op = {
	    .host_addr = gfn << 12, .flags = flags, .ref = ref, .dom = dom, .status = 1};
	long rc = gnttab_op(GNTTABOP_map_grant_ref, &op, 1);

	if (rc)
		test_fail("map_grant_ref returned %ld", rc);
	if (handle)
		*handle = op.handle;
	return op.status;
}

static int16_t unmap(uint64_t gfn, uint32_t handle)
{
	struct gnttab_unmap_grant_ref op = {.host_addr = gfn << 12, .handle = handle, .status = 1};
	long rc = gnttab_op(GNTTABOP_unmap_grant_ref, &op, 1);

	if (rc)
		test_fail("unmap_grant_ref returned %ld", rc);
	return op.status;
}

static int16_t copy(uint64_t src, uint16_t soff, uint64_t dst, uint16_t doff, uint16_t len,
		    uint16_t flags)
{
	struct gnttab_copy op = {.len = len, .flags = flags, .status = 1};

	op.source.domid = (flags & GNTCOPY_source_gref) ? GRANTER_DOMID : DOMID_SELF;
	op.dest.domid = (flags & GNTCOPY_dest_gref) ? GRANTER_DOMID : DOMID_SELF;
	if (flags & GNTCOPY_source_gref)
		op.source.u.ref = (uint32_t)src;
	else
		op.source.u.gmfn = src;
	if (flags & GNTCOPY_dest_gref)
		op.dest.u.ref = (uint32_t)dst;
	else
		op.dest.u.gmfn = dst;
	op.source.offset = soff;
	op.dest.offset = doff;
	if (gnttab_op(GNTTABOP_copy, &op, 1))
		test_fail("copy returned an error");
	return op.status;
}

/* Keel writes there on our behalf: XENMEM_memory_map's buffer. -EFAULT if it is not writable. */
static long keel_write_probe(uint64_t gpa)
{
	static struct memory_map m;

	m.nr_entries = 1;
	m.buffer = gpa;
	return hv_memory_op(XENMEM_memory_map, &m);
}

static void mapper_hostile(void)
{
	int16_t st;

	TEST_CHECK((st = map(100000, GRANTER_DOMID, MAP_GFN + 8, GNTMAP_host_map, 0)) ==
		       GNTST_bad_gntref,
		   "ref 100000: status %d", st);
	TEST_CHECK((st = map(REF_OTHER, GRANTER_DOMID, MAP_GFN + 8, GNTMAP_host_map, 0)) ==
		       GNTST_permission_denied,
		   "ref 10 (offered to d3): status %d", st);
	TEST_CHECK((st = map(12, GRANTER_DOMID, MAP_GFN + 8, GNTMAP_host_map, 0)) ==
		       GNTST_permission_denied,
		   "ref 12 (not offered): status %d", st);
	TEST_CHECK((st = map(REF_RO, GRANTER_DOMID, MAP_GFN + 8, GNTMAP_host_map, 0)) ==
		       GNTST_permission_denied,
		   "read-only ref 9 mapped writable: status %d", st);
	TEST_CHECK((st = map(REF_COPY, 77, MAP_GFN + 8, GNTMAP_host_map, 0)) == GNTST_bad_domain,
		   "domain 77: status %d", st);
	TEST_CHECK((st = map(REF_COPY, GRANTER_DOMID, 0xFEFF8 + 4, GNTMAP_host_map, 0)) ==
		       GNTST_bad_virt_addr,
		   "mapped over a special page: status %d", st);
	TEST_CHECK((st = map(REF_COPY, GRANTER_DOMID, gfn_of(own[0]), GNTMAP_host_map, 0)) ==
		       GNTST_bad_virt_addr,
		   "mapped over own RAM: status %d", st);
	TEST_CHECK((st = map(REF_COPY, GRANTER_DOMID, MAP_GFN, GNTMAP_host_map, 0)) ==
		       GNTST_bad_virt_addr,
		   "mapped over the mailbox map: status %d", st);
	TEST_CHECK((st = unmap(MAP_GFN + 8, 9999)) == GNTST_bad_handle, "bad handle: status %d",
		   st);
}

static void mapper_copies(void)
{
	int16_t st;

	/* Granter -> us, us -> granter at an offset, then the hostile ones. */
	st = copy(REF_COPY, 0, gfn_of(own[1]), 0, 256, GNTCOPY_source_gref);
	TEST_CHECK(st == GNTST_okay, "copy from ref 11: status %d", st);
	TEST_CHECK(((volatile uint64_t *)own[1])[3] == PATTERN + 0x100 + 3,
		   "copy from ref 11 brought the wrong data");
	((volatile uint64_t *)own[0])[0] = ~PATTERN;
	st = copy(gfn_of(own[0]), 0, REF_COPY, 128, 8, GNTCOPY_dest_gref);
	TEST_CHECK(st == GNTST_okay, "copy to ref 11: status %d", st);
	st = copy(REF_COPY, 4000, gfn_of(own[1]), 0, 200, GNTCOPY_source_gref);
	TEST_CHECK(st == GNTST_bad_copy_arg, "offset 4000 + 200: status %d", st);
	st = copy(gfn_of(own[0]), 0, REF_RO, 0, 8, GNTCOPY_dest_gref);
	TEST_CHECK(st == GNTST_permission_denied, "copy into read-only ref 9: status %d", st);
	st = copy(REF_OTHER, 0, gfn_of(own[1]), 0, 8, GNTCOPY_source_gref);
	TEST_CHECK(st == GNTST_permission_denied, "copy from ref 10 (d3's): status %d", st);
	st = copy(REF_COPY, 0, MAP_GFN + 1, 0, 8, GNTCOPY_source_gref);
	TEST_CHECK(st == GNTST_bad_page, "copy into an unmapped frame: status %d", st);
}

static long reservation(int cmd, uint64_t gfn)
{
	static uint64_t list[1];
	struct memory_reservation r = {
	    .extent_start = HV_PTR(list), .nr_extents = 1, .domid = DOMID_SELF};

	list[0] = gfn;
	return hv_memory_op(cmd, &r);
}

/* A page of our RAM goes back to Keel and comes again, scrubbed; the accounting follows. */
static void mapper_balloon(void)
{
	uint16_t self = DOMID_SELF;
	long cur = hv_memory_op(XENMEM_current_reservation, &self);
	long max = hv_memory_op(XENMEM_maximum_reservation, &self);
	volatile uint64_t *p = (volatile uint64_t *)own[1];

	TEST_CHECK(cur == max && max == 1024, "reservation %ld of %ld, want 1024 of 1024", cur,
		   max);
	p[7] = PATTERN;
	TEST_CHECK(reservation(XENMEM_decrease_reservation, gfn_of(own[1])) == 1,
		   "decrease_reservation refused");
	TEST_CHECK(reservation(XENMEM_decrease_reservation, gfn_of(own[1])) == 0,
		   "released the same page twice");
	TEST_CHECK(reservation(XENMEM_decrease_reservation, MAP_GFN) == 0,
		   "released a grant map as RAM");
	TEST_CHECK(hv_memory_op(XENMEM_current_reservation, &self) == cur - 1,
		   "current reservation did not drop");
	TEST_CHECK(keel_write_probe(HV_PTR(own[1])) == -EFAULT, "a released page is still mapped");
	TEST_CHECK(reservation(XENMEM_populate_physmap, MAP_GFN + 100) == 0,
		   "populated outside the RAM layout");
	TEST_CHECK(reservation(XENMEM_populate_physmap, gfn_of(own[1])) == 1,
		   "populate_physmap refused");
	TEST_CHECK(reservation(XENMEM_populate_physmap, gfn_of(own[0])) == 0,
		   "populated over RAM (or past the maximum)");
	TEST_CHECK(hv_memory_op(XENMEM_current_reservation, &self) == cur,
		   "current reservation not back");
	TEST_CHECK(p[7] == 0, "the page came back with old data: not scrubbed");
	con_printf("grant_pair: mapper: a page ballooned out and back in, scrubbed\n");
}

static void mapper_main(void)
{
	volatile struct mailbox *mb = (volatile struct mailbox *)(uintptr_t)(MAP_GFN << 12);
	volatile uint64_t *ro = (volatile uint64_t *)(uintptr_t)((MAP_GFN + 2) << 12);
	uint64_t t0 = rdtsc_ordered();
	uint32_t h_mb, h_ro;
	int16_t st;

	/* Retry until the granter has offered the mailbox. */
	while ((st = map(REF_MAILBOX, GRANTER_DOMID, MAP_GFN, GNTMAP_host_map, &h_mb)) !=
	       GNTST_okay) {
		if (st != GNTST_permission_denied && st != GNTST_bad_domain)
			test_fail("mapping the mailbox: status %d", st);
		if (rdtsc_ordered() - t0 > WAIT_TSC)
			test_fail("the granter never offered its mailbox");
		cpu_relax();
	}
	for (unsigned int i = 0; i < 32; i++)
		TEST_CHECK(mb->pattern[i] == PATTERN + i, "mailbox pattern wrong at %u", i);
	mb->from_mapper = ~PATTERN;
	mb->state = 1;
	wait_for(&mb->ack, 1, "the granter's check of the writable map");

	st = map(REF_RO, GRANTER_DOMID, MAP_GFN + 2, GNTMAP_host_map | GNTMAP_readonly, &h_ro);
	TEST_CHECK(st == GNTST_okay, "read-only map of ref 9: status %d", st);
	TEST_CHECK(ro[5] == (PATTERN ^ 5), "read-only map shows the wrong data");
	TEST_CHECK(keel_write_probe((MAP_GFN + 2) << 12) == -EFAULT,
		   "the read-only map is writable");
	mb->state = 2;
	wait_for(&mb->ack, 2, "the granter's check of the read-only map");

	TEST_CHECK((st = unmap(MAP_GFN + 2, h_ro)) == GNTST_okay, "unmap: status %d", st);
	TEST_CHECK((st = unmap(MAP_GFN + 2, h_ro)) == GNTST_bad_handle, "double unmap: status %d",
		   st);
	TEST_CHECK(keel_write_probe((MAP_GFN + 2) << 12) == -EFAULT, "unmapped frame still there");
	mb->state = 3;
	wait_for(&mb->ack, 3, "the granter's check of the unmap");

	mapper_hostile();
	mapper_copies();
	mb->state = 4;
	wait_for(&mb->ack, 4, "the granter's check of the copies");
	mapper_balloon();

	if (bootargs_has(boot_cmdline, "crash_ro")) {
		st = map(REF_RO, GRANTER_DOMID, MAP_GFN + 2, GNTMAP_host_map | GNTMAP_readonly,
			 &h_ro);
		TEST_CHECK(st == GNTST_okay, "second read-only map: status %d", st);
		TEST_CHECK((st = unmap(MAP_GFN, h_mb)) == GNTST_okay, "unmap mailbox: status %d",
			   st);
		con_printf("grant_pair: mapper: checks passed; writing to a read-only map\n");
		con_printf("EXPECT-CRASH grant_pair\n");
		ro[0] = 1;
		test_fail("a write to a read-only grant map went through");
	}
	TEST_CHECK((st = unmap(MAP_GFN, h_mb)) == GNTST_okay, "unmap mailbox: status %d", st);
	test_pass();
}

void guest_main(void)
{
	char role[16];

	test_require_hv();
	bootargs_get(boot_cmdline, "role", role, sizeof(role));
	if (role[0] == 'g')
		granter_main();
	else if (role[0] == 'm')
		mapper_main();
	test_fail("role=granter or role=mapper");
}
