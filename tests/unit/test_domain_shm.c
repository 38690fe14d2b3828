/* Unit tests for common/domain_shm.c: regions' frames, mapping, command line, doorbells, restart. */
#include <keel/arch_vcpu.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/domain_config.h>
#include <keel/domain_shm.h>
#include <keel/errno.h>
#include <keel/event_channel.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/shared_info.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

/* ---- frames on the host heap; a budget makes them run out ---- */
static unsigned int frames_left = 1u << 20;
static unsigned int blocks_out;

paddr_t frame_alloc(unsigned int order)
{
	void *p;

	if (frames_left < (1u << order))
		return INVALID_PADDR;
	p = aligned_alloc(PAGE_SIZE << order, PAGE_SIZE << order);
	assert_non_null(p);
	memset(p, 0xAA, PAGE_SIZE << order); /* dirty: the region must be zeroed */
	frames_left -= 1u << order;
	blocks_out++;
	return (paddr_t)(uintptr_t)p;
}

void frame_free(paddr_t pa, unsigned int order)
{
	frames_left += 1u << order;
	blocks_out--;
	free((void *)(uintptr_t)pa);
}

void *paddr_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}

static u64 shared_noted;
static unsigned int reports;

void mm_note_shared(u64 frames)
{
	shared_noted += frames;
}

void mm_report(void)
{
	reports++;
}

/* ---- each domain's physical map and memory map, as the region code set them ---- */
#define MAX_MAPS 64
struct mapping {
	u64 gpa, size;
	paddr_t hpa;
	bool writable;
};
static struct mapping maps[8][MAX_MAPS];
static unsigned int nr_maps[8];
static u64 reserved_gpa[8], reserved_size[8];
static int fail_map_for = -1;

int arch_map_gpa(struct domain *d, u64 gpa, paddr_t hpa, u64 size, bool writable)
{
	if (d->id == fail_map_for)
		return -ENOSPC;
	assert_true(nr_maps[d->id] < MAX_MAPS);
	maps[d->id][nr_maps[d->id]++] = (struct mapping){gpa, size, hpa, writable};
	return 0;
}

int domain_memmap_reserve(struct domain *d, u64 gpa, u64 size)
{
	reserved_gpa[d->id] = gpa;
	reserved_size[d->id] = size;
	return 0;
}

/* The host address backing @gpa in @d, or 0. (Helpers below: the main boot only.) */
static __unused u8 *host_at(u16 id, u64 gpa)
{
	for (unsigned int i = 0; i < nr_maps[id]; i++) {
		const struct mapping *m = &maps[id][i];

		if (gpa >= m->gpa && gpa < m->gpa + m->size)
			return (u8 *)(uintptr_t)(m->hpa + (gpa - m->gpa));
	}
	return NULL;
}

/* ---- a registry of domains for domain_get() ---- */
#define NR_DOMS 8
static struct domain *dom[NR_DOMS];
static unsigned int refs[NR_DOMS];
static bool listed[NR_DOMS];

struct domain *domain_get(u16 id)
{
	if (id >= NR_DOMS || !listed[id])
		return NULL;
	refs[id]++;
	return dom[id];
}

struct domain *domain_get_next(int after)
{
	for (int i = after + 1; i < NR_DOMS; i++)
		if (i >= 0 && listed[i])
			return domain_get((u16)i);
	return NULL;
}

void domain_put(struct domain *d)
{
	assert_true(refs[d->id] > 0);
	refs[d->id]--;
}

static struct domain_config cfgs[4];
static unsigned int nr_cfgs;

static __unused struct domain *build(u16 id, unsigned int cfg)
{
	struct domain *d = calloc(1, sizeof(*d));
	struct shared_info *si = aligned_alloc(4096, 4096);
	struct vcpu *v = calloc(1, sizeof(*v));

	assert_non_null(d);
	assert_non_null(si);
	assert_non_null(v);
	memset(si, 0, 4096);
	d->id = id;
	d->abi.shared_info = si;
	d->nr_vcpus = 1;
	v->domain = d;
	v->vcpu_info = &si->vcpu_info[0];
	d->vcpus[0] = v;
	d->life.build_cfg = &cfgs[cfg];
	strlcpy(d->name, cfgs[cfg].name, sizeof(d->name));
	assert_int_equal(evtchn_domain_init(d), 0);
	listed[id] = true;
	dom[id] = d;
	nr_maps[id] = 0;
	return d;
}

/* As domain_destroy: off the list, the regions detached, then the port table. */
static __unused void destroy(u16 id)
{
	struct domain *d = dom[id];

	listed[id] = false;
	domain_shm_detach(d);
	evtchn_domain_destroy(d);
	free(d->abi.shared_info);
	free(d->vcpus[0]);
	free(d);
	dom[id] = NULL;
}

static void add(const char *line)
{
	char err[DOMCFG_ERR_MAX];

	if (domcfg_parse(line, &cfgs[nr_cfgs], err, sizeof(err)))
		fail_msg("'%s' refused: %s", line, err);
	nr_cfgs++;
}

static __unused struct evtchn *P(struct domain *d, u32 port)
{
	return &d->evtchn.bucket[port / EVTCHN_BUCKET_PORTS][port % EVTCHN_BUCKET_PORTS];
}

#ifndef SHM_TEST_OOM
/*
 * One boot: a and b share ring (64 KiB) and ctl (4 KiB, ro for a); the intruder names ring too.
 * The regions live for the whole program, as at boot: this suite sets them up once.
 */
static int setup_boot(void **state)
{
	(void)state;
	shim_core_reset_log();
	shim_core_evtchn_reset();
	add("name=a mem=16M shm=ring:64K@0xe0000000:rw,ctl:4K@0xe0100000:ro -- console=hvc0");
	add("name=b mem=16M shm=ctl:4K@0xd0000000:rw,ring:64K@0xd0010000:rw -- quiet -- init args");
	add("name=intruder shm=ring:64K@0xe0000000:rw"); /* the third in module order */
	assert_int_equal(domain_shm_setup(cfgs, nr_cfgs), 2);
	nr_cfgs = 2;
	return 0;
}

static void test_setup_logs_and_counts_once(void **state)
{
	(void)state;
	assert_true(shim_core_log_contains("'intruder' may not map it"));
	assert_string_equal(cfgs[1].name, "b");
	assert_true(shim_core_log_contains(
	    "shm: region ring: 64 KiB shared by a (rw at 0xe0000000) and b (rw at 0xd0010000)"));
	assert_true(shim_core_log_contains(
	    "shm: region ctl: 4 KiB shared by a (ro at 0xe0100000) and b (rw at 0xd0000000)"));
	assert_int_equal(shared_noted, (64 + 4) / 4);
	assert_int_equal(reports, 1);
}

static void test_attach_maps_zeroed_frames_and_waits(void **state)
{
	struct domain *a = build(1, 0);
	char line[DOMAIN_SHM_CMDLINE_MAX];
	u64 mapped = 0;

	(void)state;
	assert_int_equal(domain_shm_attach(a, &cfgs[0]), 0);
	for (unsigned int i = 0; i < nr_maps[1]; i++) {
		const struct mapping *m = &maps[1][i];

		mapped += m->size;
		assert_int_equal(m->writable, m->gpa < 0xe0100000ULL);
		for (u64 off = 0; off < m->size; off += 512)
			assert_int_equal(((u8 *)(uintptr_t)m->hpa)[off], 0);
	}
	assert_int_equal(mapped, (64 + 4) << 10);
	assert_int_equal(a->mem.shared_pages, 17);
	assert_true(reserved_gpa[1] == 0xe0100000ULL && reserved_size[1] == 4096);
	/* Both doorbells wait for b: unbound ports no guest can bind. */
	assert_int_equal(P(a, 1)->state, EVTCHN_UNBOUND);
	assert_int_equal(P(a, 1)->remote_dom, DOMID_INVALID);
	assert_int_equal(P(a, 2)->remote_dom, DOMID_INVALID);
	assert_true(shim_core_log_contains("shm: region ring: doorbell d1 port 1 waits for 'b'"));
	assert_int_equal(domain_shm_cmdline(a, cfgs[0].cmdline, line, sizeof(line)), 0);
	assert_string_equal(line, "console=hvc0 keel.shm.ring=0xe0000000,0x10000,rw,1 "
				  "keel.shm.ctl=0xe0100000,0x1000,ro,2");
}

static void test_second_side_connects_and_shares_frames(void **state)
{
	struct domain *a = dom[1], *b = build(2, 1);
	char line[DOMAIN_SHM_CMDLINE_MAX];

	(void)state;
	assert_int_equal(domain_shm_attach(b, &cfgs[1]), 0);
	/* Ports follow the pairing's order of regions (a's line first): ring 1, ctl 2. */
	assert_int_equal(P(a, 1)->state, EVTCHN_INTERDOMAIN);
	assert_int_equal(P(a, 1)->remote_dom, 2);
	assert_int_equal(P(b, P(a, 1)->remote_port)->remote_port, 1);
	assert_true(shim_core_log_contains("shm: region ring: doorbell d2 port 1 <-> d1 port 1"));
	/* The same host bytes at both GPAs. */
	host_at(1, 0xe0000000ULL + 0x1234)[0] = 0x5a;
	assert_int_equal(host_at(2, 0xd0010000ULL + 0x1234)[0], 0x5a);
	host_at(2, 0xd0000000ULL + 7)[0] = 0x77;
	assert_int_equal(host_at(1, 0xe0100000ULL + 7)[0], 0x77);
	/* Keel's parameters go before the kernel's own `--`. */
	assert_int_equal(domain_shm_cmdline(b, cfgs[1].cmdline, line, sizeof(line)), 0);
	assert_string_equal(line, "quiet keel.shm.ring=0xd0010000,0x10000,rw,1 "
				  "keel.shm.ctl=0xd0000000,0x1000,rw,2 -- init args");
	assert_int_equal(domain_shm_cmdline(b, cfgs[1].cmdline, line, 20), -ENOSPC);
	/* What the balloon and the EPT-violation path ask. */
	assert_true(domain_shm_covers(b, 0xd0000000ULL, 4096));
	assert_true(domain_shm_covers(b, 0xd001f000ULL, 4096));
	assert_false(domain_shm_covers(b, 0xd0020000ULL, 4096));
	assert_false(domain_shm_covers(b, 0xe0000000ULL, 4096));
	assert_true(domain_shm_covers(a, 0xdfffffffULL, 0x2000));
	assert_true(domain_shm_covers(a, 0xe0000000ULL, ~0ULL)); /* no overflow */
	assert_null(domain_shm_readonly_at(b, 0xd0000000ULL));
	assert_string_equal(domain_shm_readonly_at(a, 0xe0100fffULL), "ctl");
	assert_null(domain_shm_readonly_at(a, 0xe0101000ULL));
	assert_null(domain_shm_readonly_at(a, 0xe0000000ULL));
	for (u16 i = 0; i < NR_DOMS; i++)
		assert_int_equal(refs[i], 0);
}

static void test_rebuilt_side_meets_the_same_port(void **state)
{
	struct domain *a = dom[1], *b;
	u32 a_ring = 1;

	(void)state;
	destroy(2);
	assert_int_equal(P(a, a_ring)->state, EVTCHN_UNBOUND);
	assert_int_equal(P(a, a_ring)->remote_dom, DOMID_INVALID);
	b = build(3, 1); /* restarted: a new id, the same configuration */
	assert_int_equal(domain_shm_attach(b, &cfgs[1]), 0);
	assert_int_equal(P(a, a_ring)->state, EVTCHN_INTERDOMAIN);
	assert_int_equal(P(a, a_ring)->remote_dom, 3);
	assert_true(shim_core_log_contains("shm: region ring: doorbell d3 port 1 <-> d1 port 1"));
	/* The contents stayed: the same frames. */
	assert_int_equal(host_at(3, 0xd0010000ULL + 0x1234)[0], 0x5a);
}

static void test_first_side_rebuilt_while_the_other_runs(void **state)
{
	struct domain *a;
	char line[DOMAIN_SHM_CMDLINE_MAX];

	(void)state;
	destroy(1);
	assert_int_equal(P(dom[3], 1)->state, EVTCHN_UNBOUND);
	assert_int_equal(P(dom[3], 1)->remote_dom, DOMID_INVALID);
	a = build(4, 0);
	assert_int_equal(domain_shm_attach(a, &cfgs[0]), 0);
	assert_int_equal(P(dom[3], 1)->remote_dom, 4);
	assert_int_equal(domain_shm_cmdline(a, "", line, sizeof(line)), 0);
	assert_true(strncmp(line, "keel.shm.ring=0xe0000000,0x10000,rw,", 36) == 0);
	assert_int_equal(domain_shm_cmdline(a, "-- x --y", line, sizeof(line)), 0);
	assert_true(strncmp(line, "keel.shm.ring=", 14) == 0);
	assert_non_null(strstr(line, ",ro,2 -- x --y"));
	assert_int_equal(domain_shm_cmdline(a, "a--b c-- --d", line, sizeof(line)), 0);
	assert_true(strncmp(line, "a--b c-- --d keel.shm.ring=", 27) == 0);
}

static void test_a_closed_doorbell_is_not_mended(void **state)
{
	struct domain *a;

	(void)state;
	/* b's guest closes its ctl doorbell; then a goes and comes back. */
	assert_int_equal(evtchn_close(dom[3], 2), 0);
	destroy(4);
	a = build(5, 0);
	assert_int_equal(domain_shm_attach(a, &cfgs[0]), 0);
	assert_true(
	    shim_core_log_contains("shm: region 'ctl': the doorbell of 'b' (port 2) was closed "
				   "by its guest: the one of 'a' stays unconnected"));
	assert_int_equal(P(a, 2)->remote_dom, DOMID_INVALID);
	assert_int_equal(P(a, 1)->remote_dom, 3); /* ring was mended */
}

static void test_no_regions_no_change(void **state)
{
	struct domain *x;
	char line[DOMAIN_SHM_CMDLINE_MAX];

	(void)state;
	x = build(7, 2); /* the intruder's config: it was dropped, it has none */
	x->life.build_cfg = NULL;
	assert_int_equal(domain_shm_attach(x, &cfgs[2]), 0);
	assert_int_equal(nr_maps[7], 0);
	assert_int_equal(domain_shm_cmdline(x, "-- init  args ", line, sizeof(line)), 0);
	assert_string_equal(line, "-- init  args ");
	assert_int_equal(domain_shm_cmdline(x, "0123456789", line, 10), -ENOSPC);
	assert_false(domain_shm_covers(x, 0, ~0ULL));
	assert_null(domain_shm_readonly_at(x, 0xe0100000ULL));
	destroy(7);
}

static void test_map_failure_fails_the_build(void **state)
{
	struct domain *x;

	(void)state;
	destroy(5);
	fail_map_for = 6;
	x = build(6, 0);
	assert_int_equal(domain_shm_attach(x, &cfgs[0]), -ENOSPC);
	assert_true(shim_core_log_contains("shm: region 'ring': cannot give it to d6 'a' (-28)"));
	fail_map_for = -1;
	destroy(6); /* nothing was connected: nothing to undo */
	destroy(3);
}

#else
/* The other boot (domain_shm_oom): no room for a region skips both its domains. */
static void test_no_memory_skips_both(void **state)
{
	(void)state;
	shim_core_reset_log();
	add("name=p shm=big:256M@0xc0000000:rw");
	add("name=q shm=big:256M@0xc0000000:rw");
	add("name=r shm=small:4K@0xc0000000:rw");
	add("name=s shm=small:4K@0xd0000000:rw");
	frames_left = 1000;
	assert_int_equal(domain_shm_setup(cfgs, nr_cfgs), 2);
	assert_true(
	    shim_core_log_contains("shm: region 'big': no memory for its 262144 KiB; 'p' and "
				   "'q' skipped"));
	assert_string_equal(cfgs[0].name, "r");
	assert_string_equal(cfgs[1].name, "s");
	assert_true(shim_core_log_contains("shm: region small: 4 KiB shared by r"));
	assert_int_equal(blocks_out, 1); /* small; what big had is back */
	assert_int_equal(frames_left, 999);
}
#endif

/* Each binary is one boot: the regions live as long as the program, as they do in Keel. */
int main(void)
{
#ifdef SHM_TEST_OOM
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_no_memory_skips_both)};

	return cmocka_run_group_tests(tests, NULL, NULL);
#else
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_setup_logs_and_counts_once),
	    cmocka_unit_test(test_attach_maps_zeroed_frames_and_waits),
	    cmocka_unit_test(test_second_side_connects_and_shares_frames),
	    cmocka_unit_test(test_rebuilt_side_meets_the_same_port),
	    cmocka_unit_test(test_first_side_rebuilt_while_the_other_runs),
	    cmocka_unit_test(test_a_closed_doorbell_is_not_mended),
	    cmocka_unit_test(test_no_regions_no_change),
	    cmocka_unit_test(test_map_failure_fails_the_build),
	};

	return cmocka_run_group_tests(tests, setup_boot, NULL);
#endif
}
