/* Unit tests for grant tables v1 (common/grant/) and ballooning (common/mm/domain_balloon.c). */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/mm.h>
#include <keel/vcpu.h>
#include <public/hypercall.h>
#include <public/memory.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/grant/grant_entry.h"
#include "../../common/grant/grant_internal.h"
#include "shim_grant.h"

#define WORD(flags, domid) ((u32)(flags) | ((u32)(domid) << 16))
#define A		   1 /* the granter */
#define B		   2 /* the mapper */
#define MAP_GPA		   0x40000000ULL

static struct domain doms[SHIM_GRANT_DOMAINS + 1];
static struct vcpu vcpu_b;
static u64 free_before;

static int setup(void **state)
{
	(void)state;
	free_before = shim_grant_domains_up(doms);
	vcpu_b.domain = &doms[B];
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (u16 id = 1; id <= SHIM_GRANT_DOMAINS; id++) {
		grant_release_maps(&doms[id]);
		assert_int_equal(doms[id].refs, 0);
	}
	shim_grant_domains_down(doms, free_before);
	return 0;
}

static u32 *entry(u16 dom, grant_ref_t ref)
{
	struct grant_entry_v1 *e = paddr_to_virt(doms[dom].gnt->frame_pa[ref / 512]);

	return (u32 *)&e[ref % 512];
}

static void offer(grant_ref_t ref, u16 to, u32 gfn, u16 flags)
{
	entry(A, ref)[1] = gfn;
	entry(A, ref)[0] = WORD(flags, to);
}

/* ------------------------------------------------------------------ the entry word */

static void test_claim_rules(void **state)
{
	u32 w = WORD(GTF_permit_access, B);

	(void)state;
	assert_int_equal(grant_entry_claim(&w, 3, true), GNTST_permission_denied);
	assert_int_equal(w, WORD(GTF_permit_access, B));
	assert_int_equal(grant_entry_claim(&w, B, true), GNTST_okay);
	assert_int_equal(w, WORD(GTF_permit_access | GTF_reading, B));
	assert_int_equal(grant_entry_claim(&w, B, false), GNTST_okay);
	assert_int_equal(w, WORD(GTF_permit_access | GTF_reading | GTF_writing, B));

	w = WORD(GTF_permit_access | GTF_readonly, B);
	assert_int_equal(grant_entry_claim(&w, B, false), GNTST_permission_denied);
	assert_int_equal(grant_entry_claim(&w, B, true), GNTST_okay);
	w = WORD(2 /* transitive: v2 only */, B);
	assert_int_equal(grant_entry_claim(&w, B, true), GNTST_permission_denied);
	w = WORD(GTF_invalid, B);
	assert_int_equal(grant_entry_claim(&w, B, true), GNTST_permission_denied);

	w = WORD(GTF_permit_access | GTF_reading | GTF_writing, B);
	grant_entry_clear(&w, GTF_writing);
	assert_int_equal(w, WORD(GTF_permit_access | GTF_reading, B));

	assert_int_equal(grant_entry_sole_bits(0, 0, true), GTF_reading);
	assert_int_equal(grant_entry_sole_bits(0, 0, false), GTF_reading | GTF_writing);
	assert_int_equal(grant_entry_sole_bits(1, 0, false), GTF_writing);
	assert_int_equal(grant_entry_sole_bits(0, 1, true), 0);
	assert_int_equal(grant_entry_sole_bits(0, 1, false), 0);
}

/* The granter revokes as Linux does: only while Keel has set neither flag. */
static volatile int racing;
static u32 race_word;

static void *revoker(void *arg)
{
	(void)arg;
	while (racing) {
		u32 on = WORD(GTF_permit_access, B), off = 0;

		__atomic_compare_exchange_n(&race_word, &on, 0, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		__atomic_compare_exchange_n(&race_word, &off, WORD(GTF_permit_access, B), false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void test_claim_races_revocation(void **state)
{
	unsigned int won = 0, lost = 0;
	pthread_t t;

	(void)state;
	for (unsigned int round = 0; round < 2000; round++) {
		int st;

		race_word = WORD(GTF_permit_access, B);
		racing = 1;
		assert_int_equal(pthread_create(&t, NULL, revoker, NULL), 0);
		st = grant_entry_claim(&race_word, B, true);
		/* Once claimed, the revoker can never take it away. */
		for (int spin = 0; spin < 1000 && st == GNTST_okay; spin++)
			assert_int_equal(__atomic_load_n(&race_word, __ATOMIC_SEQ_CST),
					 WORD(GTF_permit_access | GTF_reading, B));
		racing = 0;
		pthread_join(t, NULL);
		if (st == GNTST_okay) {
			won++;
			assert_int_equal(race_word, WORD(GTF_permit_access | GTF_reading, B));
		} else {
			lost++;
			assert_true(st == GNTST_permission_denied || st == GNTST_general_error);
			assert_int_equal(race_word & (GTF_reading | GTF_writing), 0);
		}
	}
	assert_int_equal(won + lost, 2000);
	assert_true(won > 0);
}

/* ------------------------------------------------------------------ pins */

static void test_pin_bounds_and_frames(void **state)
{
	paddr_t hpa, ram;

	(void)state;
	assert_int_equal(domain_ram_lookup(&doms[A], 0x5000, true, &ram), 0);
	offer(8, B, 5, GTF_permit_access);
	assert_int_equal(grant_pin(&doms[A], B, 4 * 512, true, &hpa), GNTST_bad_gntref);
	assert_int_equal(grant_pin(&doms[A], B, ~0u, true, &hpa), GNTST_bad_gntref);
	assert_int_equal(grant_pin(&doms[A], 3, 8, true, &hpa), GNTST_permission_denied);
	assert_int_equal(grant_pin(&doms[A], B, 8, false, &hpa), GNTST_okay);
	assert_int_equal(hpa, ram);
	assert_int_equal(grant_pin(&doms[A], B, 8, true, &hpa), GNTST_okay);
	assert_int_equal(entry(A, 8)[0], WORD(GTF_permit_access | GTF_reading | GTF_writing, B));
	assert_true(grant_frame_pinned(&doms[A], ram, PAGE_SIZE));
	grant_unpin(&doms[A], 8, false);
	assert_int_equal(entry(A, 8)[0], WORD(GTF_permit_access | GTF_reading, B));
	grant_unpin(&doms[A], 8, true);
	assert_int_equal(entry(A, 8)[0], WORD(GTF_permit_access, B));
	assert_false(grant_frame_pinned(&doms[A], ram, PAGE_SIZE));
	assert_int_equal(doms[A].gnt->nr_pinned, 0);

	/* A frame that is not the granter's RAM (a hole, its own grant table) is refused. */
	offer(9, B, 0x40000, GTF_permit_access);
	assert_int_equal(grant_pin(&doms[A], B, 9, true, &hpa), GNTST_bad_page);
	assert_int_equal(entry(A, 9)[0], WORD(GTF_permit_access, B));
	assert_int_equal(grant_map_table_frame(&doms[A], 0, 0x50000), 0);
	offer(10, B, 0x50000, GTF_permit_access);
	assert_int_equal(grant_pin(&doms[A], B, 10, true, &hpa), GNTST_bad_page);
	/* Growing the table makes more refs valid. */
	assert_int_equal(grant_map_table_frame(&doms[A], 7, 0x50007), 0);
	assert_int_equal(doms[A].gnt->nr_frames, 8);
	assert_int_equal(grant_map_table_frame(&doms[A], 64, 0x50100), -EINVAL);
	assert_int_equal(grant_map_table_frame(&doms[A], XENMAPIDX_grant_table_status, 0x50100),
			 -EINVAL);
	assert_int_equal(grant_map_table_frame(&doms[A], 1, 0xFEFF8), -EINVAL);
	assert_int_equal(grant_map_table_frame(&doms[A], 1, 5), -EBUSY); /* over RAM */
	assert_int_equal(grant_pin(&doms[A], B, 7 * 512 + 3, true, &hpa), GNTST_permission_denied);
}

/* ------------------------------------------------------------------ maps and handles */

static struct gnttab_map_grant_ref map_op(grant_ref_t ref, u64 gpa, u32 flags)
{
	struct gnttab_map_grant_ref op = {.host_addr = gpa, .flags = flags, .ref = ref, .dom = A};

	grant_map_one(&vcpu_b, &op);
	return op;
}

static s16 unmap_op(u64 gpa, grant_handle_t h)
{
	struct gnttab_unmap_grant_ref op = {.host_addr = gpa, .handle = h};

	grant_unmap_one(&vcpu_b, &op);
	return op.status;
}

static void test_map_unmap_handles(void **state)
{
	struct gnttab_map_grant_ref m, m2;
	paddr_t hpa;

	(void)state;
	offer(8, B, 5, GTF_permit_access);
	offer(9, B, 6, GTF_permit_access | GTF_readonly);
	m = map_op(8, MAP_GPA, GNTMAP_host_map);
	assert_int_equal(m.status, GNTST_okay);
	assert_int_equal(doms[A].refs, 1);
	assert_int_equal(arch_gpa_to_hpa(&doms[B], MAP_GPA, true, &hpa), 0);
	assert_int_equal(entry(A, 8)[0], WORD(GTF_permit_access | GTF_reading | GTF_writing, B));
	/* The same place twice, own RAM, the device window, unaligned, no host_map. */
	assert_int_equal(map_op(8, MAP_GPA, GNTMAP_host_map).status, GNTST_bad_virt_addr);
	assert_int_equal(map_op(8, 0x3000, GNTMAP_host_map).status, GNTST_bad_virt_addr);
	assert_int_equal(map_op(8, 0xFEFF8000, GNTMAP_host_map).status, GNTST_bad_virt_addr);
	assert_int_equal(map_op(8, MAP_GPA + 8, GNTMAP_host_map).status, GNTST_bad_virt_addr);
	assert_int_equal(map_op(8, MAP_GPA + 0x1000, 0).status, GNTST_general_error);
	assert_int_equal(map_op(9, MAP_GPA + 0x1000, GNTMAP_host_map).status,
			 GNTST_permission_denied);
	assert_int_equal(doms[A].refs, 1); /* failures keep no reference */
	m2 = map_op(9, MAP_GPA + 0x1000, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(m2.status, GNTST_okay);
	assert_int_not_equal(m2.handle, m.handle);
	assert_int_equal(arch_gpa_to_hpa(&doms[B], MAP_GPA + 0x1000, true, &hpa), -EFAULT);
	assert_int_equal(arch_gpa_to_hpa(&doms[B], MAP_GPA + 0x1000, false, &hpa), 0);

	/* A pinned frame cannot be ballooned out from under the map. */
	grant_pins_lock(&doms[A]);
	assert_int_equal(domain_ram_release(&doms[A], 0x5000, 0, grant_frame_pinned), -EBUSY);
	grant_pins_unlock(&doms[A]);

	assert_int_equal(unmap_op(MAP_GPA + 0x2000, m.handle), GNTST_bad_virt_addr);
	assert_int_equal(unmap_op(MAP_GPA, 12345), GNTST_bad_handle);
	assert_int_equal(unmap_op(MAP_GPA, m.handle), GNTST_okay);
	assert_int_equal(unmap_op(MAP_GPA, m.handle), GNTST_bad_handle); /* double unmap */
	assert_int_equal(arch_gpa_to_hpa(&doms[B], MAP_GPA, false, &hpa), -EFAULT);
	assert_int_equal(entry(A, 8)[0], WORD(GTF_permit_access, B));

	/* A flush no CPU confirmed: the handle is gone, the pin stays until the domain ends. */
	shim_grant_unmap_rc = -ETIMEDOUT;
	assert_int_equal(unmap_op(MAP_GPA + 0x1000, m2.handle), GNTST_okay);
	shim_grant_unmap_rc = 0;
	assert_int_equal(unmap_op(MAP_GPA + 0x1000, m2.handle), GNTST_bad_handle);
	assert_int_equal(entry(A, 9)[0], WORD(GTF_permit_access | GTF_readonly | GTF_reading, B));
	assert_int_equal(doms[A].refs, 1);
	grant_release_maps(&doms[B]);
	assert_int_equal(entry(A, 9)[0], WORD(GTF_permit_access | GTF_readonly, B));
	assert_int_equal(doms[A].refs, 0);
	assert_true(grant_maps_released(&doms[B]));
	assert_int_equal(map_op(8, MAP_GPA, GNTMAP_host_map).status, GNTST_general_error);
}

static void test_release_drops_live_maps(void **state)
{
	(void)state;
	offer(8, B, 5, GTF_permit_access);
	for (unsigned int i = 0; i < 300; i++) /* more than one maptrack chunk */
		assert_int_equal(map_op(8, MAP_GPA + i * 0x1000ULL, GNTMAP_host_map).status,
				 GNTST_okay);
	assert_int_equal(doms[A].refs, 300);
	assert_int_equal(doms[A].gnt->active[0][8].pins_rw, 300);
	grant_release_maps(&doms[B]);
	assert_int_equal(doms[A].refs, 0);
	assert_int_equal(entry(A, 8)[0], WORD(GTF_permit_access, B));
}

/* ------------------------------------------------------------------ copies */

static s16 copy_op(struct gnttab_copy op)
{
	grant_copy_one(&vcpu_b, &op);
	return op.status;
}

static void test_copy(void **state)
{
	struct gnttab_copy op = {.len = 16, .flags = GNTCOPY_source_gref};
	paddr_t a_hpa, b_hpa;

	(void)state;
	assert_int_equal(domain_ram_lookup(&doms[A], 0x5000, false, &a_hpa), 0);
	assert_int_equal(domain_ram_lookup(&doms[B], 0x7000, false, &b_hpa), 0);
	memset(paddr_to_virt(a_hpa), 0x5a, 64);
	offer(8, B, 5, GTF_permit_access);
	offer(9, B, 5, GTF_permit_access | GTF_readonly);
	op.source = (struct gnttab_copy_ptr){.u.ref = 8, .domid = A, .offset = 4};
	op.dest = (struct gnttab_copy_ptr){.u.gmfn = 7, .domid = DOMID_SELF, .offset = 100};
	assert_int_equal(copy_op(op), GNTST_okay);
	assert_int_equal(((u8 *)paddr_to_virt(b_hpa))[100], 0x5a);
	assert_int_equal(((u8 *)paddr_to_virt(b_hpa))[116], 0);
	assert_int_equal(entry(A, 8)[0], WORD(GTF_permit_access, B)); /* flags back */

	op.source.offset = 4090; /* offset + len past the page */
	assert_int_equal(copy_op(op), GNTST_bad_copy_arg);
	op.source.offset = 0;
	op.dest.offset = 4081;
	assert_int_equal(copy_op(op), GNTST_bad_copy_arg);
	op.dest.offset = 0;
	op.flags = 4;
	assert_int_equal(copy_op(op), GNTST_bad_copy_arg);

	/* Into a read-only grant: refused; into a writable one: done. */
	op.flags = GNTCOPY_dest_gref;
	op.source = (struct gnttab_copy_ptr){.u.gmfn = 7, .domid = DOMID_SELF};
	op.dest = (struct gnttab_copy_ptr){.u.ref = 9, .domid = A, .offset = 32};
	assert_int_equal(copy_op(op), GNTST_permission_denied);
	op.dest.u.ref = 8;
	memset(paddr_to_virt(b_hpa), 0x77, 16);
	assert_int_equal(copy_op(op), GNTST_okay);
	assert_int_equal(((u8 *)paddr_to_virt(a_hpa))[32], 0x77);
	/* Other domains' frames by number, unmapped frames, unknown domains. */
	op.source.domid = A;
	assert_int_equal(copy_op(op), GNTST_permission_denied);
	op.source = (struct gnttab_copy_ptr){.u.gmfn = 0x40000, .domid = DOMID_SELF};
	assert_int_equal(copy_op(op), GNTST_bad_page);
	op.source.u.gmfn = 7;
	op.dest.domid = 99;
	assert_int_equal(copy_op(op), GNTST_bad_domain);
	assert_int_equal(doms[A].refs, 0);
	assert_int_equal(doms[A].gnt->nr_pinned, 0);
}

/* ------------------------------------------------------------------ reservations */

static void test_balloon_accounting(void **state)
{
	struct domain *d = &doms[A];
	u64 free0 = shim_free_frames();
	paddr_t hpa;

	(void)state;
	assert_int_equal(d->mem.ram_pages, 256);
	assert_int_equal(d->mem.max_ram_pages, 256);
	assert_int_equal(domain_ram_lookup(d, 0x5000, true, &hpa), 0);
	memset(paddr_to_virt(hpa), 0xee, PAGE_SIZE);
	assert_int_equal(domain_ram_populate(d, 0x100000, 0), -EINVAL); /* past its RAM layout */
	assert_int_equal(domain_ram_populate(d, 0x5000, 0), -ENOMEM);	/* at its maximum */
	assert_int_equal(domain_ram_release(d, 0x5000, 0, grant_frame_pinned), 0);
	assert_int_equal(d->mem.ram_pages, 255);
	assert_int_equal(shim_free_frames(), free0 + 1);
	assert_int_equal(domain_ram_lookup(d, 0x5000, false, &hpa), -EFAULT);
	assert_int_equal(domain_ram_lookup(d, 0x4000, false, &hpa), 0); /* neighbours stay */
	assert_int_equal(domain_ram_lookup(d, 0x6000, false, &hpa), 0);
	assert_int_equal(domain_ram_release(d, 0x5000, 0, grant_frame_pinned), -EFAULT);
	assert_int_equal(domain_ram_release(d, 0x4000, 1, grant_frame_pinned), -EFAULT);
	assert_int_equal(domain_ram_release(d, 0x1000, 1, grant_frame_pinned), -EINVAL);
	assert_int_equal(domain_ram_release(d, 0, 10, grant_frame_pinned), -EINVAL);

	assert_int_equal(domain_ram_populate(d, 0x5000, 0), 0);
	assert_int_equal(d->mem.ram_pages, 256);
	assert_int_equal(domain_ram_lookup(d, 0x5000, true, &hpa), 0);
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(((u8 *)paddr_to_virt(hpa))[i], 0);   /* scrubbed */
	assert_int_equal(domain_ram_populate(d, 0x5000, 0), -ENOMEM); /* at the maximum again */
	assert_int_equal(domain_ram_release(d, 0x9000, 0, NULL), 0);
	assert_int_equal(domain_ram_populate(d, 0x5000, 0), -EBUSY); /* mapped already */
	assert_int_equal(domain_ram_populate(d, 0x9000, 0), 0);

	/* 64 KiB out and back in; an unflushed release stays quarantined. */
	assert_int_equal(domain_ram_release(d, 0x20000, 4, NULL), 0);
	assert_int_equal(d->mem.ram_pages, 240);
	shim_grant_unmap_rc = -ETIMEDOUT;
	assert_int_equal(domain_ram_release(d, 0x40000, 2, NULL), 0);
	shim_grant_unmap_rc = 0;
	assert_int_equal(d->mem.ram_pages, 236);
	assert_int_equal(domain_ram_lookup(d, 0x40000, false, &hpa), -EFAULT);
	assert_int_equal(domain_ram_populate(d, 0x20000, 4), 0);
	assert_int_equal(domain_ram_populate(d, 0x40000, 2), 0);
	assert_int_equal(d->mem.ram_pages, 256);
	assert_int_equal(shim_free_frames(), free0 - 4); /* the quarantined four until release */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claim_rules),
	    cmocka_unit_test(test_claim_races_revocation),
	    cmocka_unit_test_setup_teardown(test_pin_bounds_and_frames, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_unmap_handles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_drops_live_maps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_balloon_accounting, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
