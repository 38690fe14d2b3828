/* Test guest physmap_limit: splitting its RAM's large pages to grow EPT tables ends in an error. */
#include "console.h"
#include "hypercall.h"
#include "physmap.h"
#include "test.h"

#include <public/errno.h>
#include <public/memory.h>
#include <public/shared_info.h>

const char guest_name[] = "physmap_limit";

#define REGION	  (2ull << 20)
#define FIRST	  2 /* regions 0 and 1 hold this kernel */
#define PAGE_OFF  5 /* a frame inside each 2 MiB region: a 4 KiB hole that splits its leaf */
#define MARKER	  0x11aa22bb33cc44ddull
#define MARK_SLOT 31

struct e820 {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

static uint64_t ram_bytes(void)
{
	struct e820 e[4];
	struct memory_map m = {.nr_entries = 4, .buffer = (uint64_t)(uintptr_t)e};
	long rc = hv_memory_op(XENMEM_memory_map, &m);

	if (rc || m.nr_entries < 1)
		test_fail("XENMEM_memory_map returned %ld", rc);
	return e[0].addr + e[0].size;
}

static volatile uint64_t *marker_at(uint64_t gfn)
{
	volatile struct shared_info *si = (volatile struct shared_info *)(uintptr_t)(gfn << 12);

	return (volatile uint64_t *)&si->vcpu_info[MARK_SLOT];
}

void guest_main(void)
{
	uint64_t regions, last = 0, k;
	long rc = 0;

	test_require_hv();
	regions = ram_bytes() / REGION;
	if (regions < FIRST + 8)
		test_skip("needs at least %llu MiB of RAM", (unsigned long long)(FIRST + 8) * 2);
	/*
	 * Each move leaves a 4 KiB hole where shared_info was and puts it inside the next 2 MiB
	 * large page: one more EPT table each time. Keel caps them: the guest must get an error.
	 */
	for (k = FIRST; k < regions; k++) {
		uint64_t gfn = k * REGION / 4096 + PAGE_OFF;

		rc = physmap_put_shared_info(gfn);
		if (rc)
			break;
		if (k == FIRST)
			*marker_at(gfn) = MARKER;
		last = gfn;
	}
	con_printf("physmap_limit: %llu moves into new 2 MiB regions, then %ld (of %llu regions)\n",
		   (unsigned long long)(k - FIRST), rc, (unsigned long long)regions);
	if (!rc)
		test_fail("all %llu moves succeeded: EPT tables grow without a limit",
			  (unsigned long long)(k - FIRST));
	if (rc != -ENOMEM)
		test_fail("the move past the limit returned %ld, expected -ENOMEM", rc);
	if (!last)
		test_fail("not even the first move succeeded");
	/* The refused move changed nothing: shared_info is still where it was. */
	if (physmap_probe(last) != 1 || *marker_at(last) != MARKER)
		test_fail("shared_info is no longer at gfn %#llx after the refused move",
			  (unsigned long long)last);
	/* A move that needs no new table still works. */
	rc = physmap_put_shared_info(last + 1);
	if (rc)
		test_fail("moving within an already split region returned %ld", rc);
	if (physmap_probe(last) != 0 || physmap_probe(last + 1) != 1 ||
	    *marker_at(last + 1) != MARKER)
		test_fail("after the last move the map is not what it should be");
	test_pass();
}
