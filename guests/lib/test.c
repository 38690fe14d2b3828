/* Guest library: from PVH entry to guest_main, the single RESULT line and shutdown. */
#include "test.h"
#include "console.h"
#include "fmt.h"
#include "hypercall.h"
#include "trap.h"
#include "x86.h"

#include <public/hvm.h>
#include <public/sched.h>

#include <stdarg.h>

#define DEBUG_EXIT_PORT 0xf4
#define CMDLINE_MAX	1024

const struct pvh_start_info *boot_info;
const char *boot_cmdline = "";
void (*volatile guest_ap_main)(void);

static char cmdline_copy[CMDLINE_MAX];
static volatile int result_printed;

void guest_shutdown(unsigned int reason, uint32_t status)
{
	struct sched_shutdown s = {.reason = reason};

	if (hv.found)
		hv_sched_op(SCHEDOP_shutdown, &s);
	else
		outl(DEBUG_EXIT_PORT, status);
	halt_forever();
}

static __attribute__((noreturn)) void finish(const char *kind, uint32_t status, const char *why)
{
	if (__atomic_exchange_n(&result_printed, 1, __ATOMIC_SEQ_CST))
		guest_shutdown(SHUTDOWN_poweroff, status);
	if (why)
		con_printf("RESULT: %s %s: %s\n", kind, guest_name, why);
	else
		con_printf("RESULT: %s %s\n", kind, guest_name);
	guest_shutdown(SHUTDOWN_poweroff, status);
}

void test_pass(void)
{
	finish("PASS", GUEST_EXIT_PASS, 0);
}

void test_fail(const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	finish("FAIL", GUEST_EXIT_FAIL, why);
}

void test_skip(const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	finish("SKIP", GUEST_EXIT_SKIP, why);
}

void test_require_hv(void)
{
	if (!hv.found)
		test_skip("no Xen-compatible hypervisor (CPUID 0x40000000..0x4000FF00)");
}

/* Copy the command line (it lives below 4 GiB, identity mapped) into our own buffer. */
static void take_cmdline(uint64_t paddr)
{
	const char *src = (const char *)(uintptr_t)paddr;
	size_t i;

	if (!paddr || paddr >= (1ull << 32) - CMDLINE_MAX)
		return;
	for (i = 0; i < CMDLINE_MAX - 1 && src[i]; i++)
		cmdline_copy[i] = src[i];
	cmdline_copy[i] = '\0';
	boot_cmdline = cmdline_copy;
}

void guest_boot(uint32_t start_info_gpa)
{
	const struct pvh_start_info *si = (const struct pvh_start_info *)(uintptr_t)start_info_gpa;

	trap_init();
	hv_detect();
	if (!hv.found)
		console_use_port();
	con_printf("guest %s: hypervisor %s", guest_name, hv.found ? "found" : "not found");
	if (hv.found)
		con_printf(" at cpuid %#x, version %u.%u\n", hv.base, hv.version >> 16,
			   hv.version & 0xffff);
	else
		con_printf(", using port 0xe9\n");
	if (!start_info_gpa || start_info_gpa > 0xFFFFFFFFu - sizeof(*si) ||
	    si->magic != PVH_START_MAGIC)
		test_fail("bad start info at %#x (EBX): magic %#x, expected %#x", start_info_gpa,
			  start_info_gpa ? si->magic : 0, PVH_START_MAGIC);
	boot_info = si;
	take_cmdline(si->cmdline_paddr);
	con_printf("guest %s: start info v%u at %#x, %u memmap entries, cmdline \"%s\"\n",
		   guest_name, si->version, start_info_gpa,
		   si->version >= 1 ? si->memmap_entries : 0, boot_cmdline);
	guest_main();
	test_fail("guest_main returned without a result");
}

void guest_ap_boot(void)
{
	void (*fn)(void) = guest_ap_main;

	trap_load_idt();
	if (fn)
		fn();
	halt_forever();
}

uint64_t test_get_hvm_param(uint32_t index)
{
	struct hvm_param p = {.domid = DOMID_SELF, .index = index};
	long rc = hv_hvm_op(HVMOP_get_param, &p);

	if (rc)
		test_fail("HVMOP_get_param(%u) returned %ld", index, rc);
	return p.value;
}
