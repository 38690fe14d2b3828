/* Test guest hypercall_page: install the hypercall page via the CPUID-advertised MSR and use it. */
#include "console.h"
#include "hypercall.h"
#include "test.h"
#include "x86.h"

#include <public/errno.h>
#include <public/version.h>

const char guest_name[] = "hypercall_page";

/* Slot n must start with `mov $n, %eax` (B8 imm32), then vmcall or vmmcall, then ret. */
static void check_slot(unsigned int n)
{
	const uint8_t *s = hypercall_page + n * HYPERCALL_PAGE_SLOT_SIZE;
	uint32_t imm =
	    (uint32_t)s[1] | (uint32_t)s[2] << 8 | (uint32_t)s[3] << 16 | (uint32_t)s[4] << 24;

	con_printf("hypercall_page: slot %2u: %02x %02x %02x %02x %02x %02x %02x %02x %02x\n", n,
		   s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]);
	if (s[0] != 0xB8 || imm != n)
		test_fail("slot %u does not load EAX with %u", n, n);
	if (s[5] != 0x0F || s[6] != 0x01 || (s[7] != 0xC1 && s[7] != 0xD9))
		test_fail("slot %u has no vmcall/vmmcall after mov", n);
	if (s[8] != 0xC3)
		test_fail("slot %u does not return after the hypercall", n);
}

void guest_main(void)
{
	struct version_features f = {.submap_idx = 0, .submap = 0};
	char extra[XENVER_EXTRAVERSION_LEN + 1];
	unsigned int n;
	long ver, rc;

	test_require_hv();
	con_printf("hypercall_page: %u page(s), MSR %#x, page at %p\n", hv.hypercall_pages,
		   hv.hypercall_msr, (void *)hypercall_page);
	if (hv.hypercall_pages < 1)
		test_fail("CPUID reports %u hypercall pages", hv.hypercall_pages);
	for (n = 0; n < sizeof(hypercall_page); n++)
		hypercall_page[n] = 0xCC;
	hv_install_hypercall_page();
	check_slot(HYPERCALL_xen_version);
	check_slot(HYPERCALL_console_io);
	check_slot(HYPERCALL_sched_op);
	check_slot(HYPERCALL_memory_op);

	ver = hypercall_via_page(HYPERCALL_xen_version, XENVER_version, 0, 0, 0, 0);
	con_printf("hypercall_page: xen_version via page = %#lx (cpuid %#x)\n", ver, hv.version);
	if (ver < 0 || (uint32_t)ver != hv.version)
		test_fail("xen_version through the page returned %#lx, CPUID says %#x", ver,
			  hv.version);

	/* From here on every library hypercall (console, shutdown) goes through the page. */
	hv.mode = HV_CALL_PAGE;

	for (n = 0; n < sizeof(extra); n++)
		extra[n] = 0x7f;
	rc = hv_xen_version(XENVER_extraversion, extra);
	if (rc < 0)
		test_fail("XENVER_extraversion returned %ld", rc);
	for (n = 0; n < XENVER_EXTRAVERSION_LEN && extra[n]; n++)
		;
	if (n == XENVER_EXTRAVERSION_LEN)
		test_fail("extraversion is not NUL-terminated within 16 bytes");
	if (extra[XENVER_EXTRAVERSION_LEN] != 0x7f)
		test_fail("extraversion wrote past 16 bytes");
	con_printf("hypercall_page: extraversion \"%s\"\n", extra);

	rc = hv_xen_version(XENVER_get_features, &f);
	con_printf("hypercall_page: get_features(0) = %ld, submap %#x\n", rc, f.submap);
	if (rc < 0)
		test_fail("XENVER_get_features returned %ld", rc);
	if (!(f.submap & (1u << XENFEAT_auto_translated_physmap)) ||
	    !(f.submap & (1u << XENFEAT_hvm_callback_vector)) ||
	    !(f.submap & (1u << XENFEAT_hvm_safe_pvclock)))
		test_fail("features %#x lack auto_translated_physmap/hvm_callback_vector/"
			  "hvm_safe_pvclock",
			  f.submap);
	if (f.submap & (1u << XENFEAT_hvm_pirqs))
		test_fail("features %#x advertise hvm_pirqs", f.submap);

	rc = hypercall(99, 0, 0, 0, 0, 0);
	if (rc != -ENOSYS)
		test_fail("hypercall 99 through the page returned %ld, expected -ENOSYS", rc);
	con_printf("hypercall_page: this line and the result went through the page\n");
	test_pass();
}
