/* Test guest mgmt_eperm: an unprivileged domain gets -EPERM from every management call. */
#include "console.h"
#include "hypercall.h"
#include "test.h"

#include <public/domctl.h>
#include <public/errno.h>
#include <public/memory.h>
#include <public/sysctl.h>

const char guest_name[] = "mgmt_eperm";

static struct keel_domctl dc;
static struct keel_sysctl sc;
static uint64_t list[4];
static int32_t errs[4];

/* Our domain id: CPUID leaf base+4 ECX. */
static uint16_t own_domid(void)
{
	uint32_t ebx, ecx, edx;

	(void)hv_cpuid(4, &ebx, &ecx, &edx);
	return (uint16_t)ecx;
}

void guest_main(void)
{
	struct add_to_physmap_batch b = {
	    DOMID_SELF, XENMAPSPACE_gmfn_foreign, 1, 0, HV_PTR(list), HV_PTR(list), HV_PTR(errs)};
	struct memory_reservation r = {HV_PTR(list), 1, 0, 0, 0, {0, 0, 0}};
	struct remove_from_physmap rm = {DOMID_SELF, {0, 0, 0}, 0xC0000};
	long rc;

	test_require_hv();
	list[0] = 0x100;
	for (uint32_t cmd = 0; cmd <= KEEL_DOMCTL_MAX; cmd++) {
		dc.cmd = cmd;
		dc.interface_version = KEEL_DOMCTL_VERSION;
		dc.domain = 0;
		rc = hypercall(HYPERCALL_domctl, HV_PTR(&dc), 0, 0, 0, 0);
		TEST_CHECK(rc == -EPERM, "domctl cmd %u returned %ld, expected -EPERM", cmd, rc);
	}
	rc = hypercall(HYPERCALL_domctl, 0xdead000000ULL, 0, 0, 0, 0);
	TEST_CHECK(rc == -EPERM, "domctl with an unmapped argument returned %ld", rc);
	for (uint32_t cmd = 0; cmd <= KEEL_SYSCTL_MAX; cmd++) {
		sc.cmd = cmd;
		sc.interface_version = KEEL_SYSCTL_VERSION;
		rc = hypercall(HYPERCALL_sysctl, HV_PTR(&sc), 0, 0, 0, 0);
		TEST_CHECK(rc == -EPERM, "sysctl cmd %u returned %ld, expected -EPERM", cmd, rc);
	}
	rc = hv_memory_op(XENMEM_add_to_physmap_batch, &b);
	TEST_CHECK(rc == -EPERM, "add_to_physmap_batch(gmfn_foreign) returned %ld", rc);
	rc = hv_memory_op(XENMEM_remove_from_physmap, &rm);
	TEST_CHECK(rc == -EPERM, "remove_from_physmap returned %ld", rc);
	for (uint16_t dom = 0; dom < 4; dom++) {
		r.domid = dom == 3 ? 999 : dom;
		if (r.domid == own_domid())
			continue;
		rc = hv_memory_op(XENMEM_populate_physmap, &r);
		TEST_CHECK(rc == -EPERM, "populate_physmap(d%u) returned %ld", r.domid, rc);
		rc = hv_memory_op(XENMEM_decrease_reservation, &r);
		TEST_CHECK(rc == -EPERM, "decrease_reservation(d%u) returned %ld", r.domid, rc);
	}
	con_printf("mgmt_eperm: every domctl, sysctl and foreign memory op got -EPERM\n");
	test_pass();
}
