/* Test guest bad_args: hostile hypercall arguments return errors and the guest survives. */
#include "console.h"
#include "hypercall.h"
#include "test.h"

#include <public/console_io.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/hvm.h>
#include <public/memory.h>
#include <public/physdev.h>
#include <public/platform.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>

const char guest_name[] = "bad_args";

/* Guest-virtual addresses that no hypercall may dereference successfully. */
#define VA_UNMAPPED	0x140000000ull	      /* above 4 GiB: not in our page tables */
#define VA_NONCANONICAL 0x8000000000000000ull /* non-canonical */
#define VA_TOP		0xFFFFFFFFFFFFF000ull /* last page of the address space */
#define VA_NO_RAM	0xC0000000ull	      /* mapped by us, but no guest RAM behind it */

static unsigned int checks;

static void expect_error(const char *what, long rc)
{
	checks++;
	con_printf("bad_args: %-52s = %ld\n", what, rc);
	if (rc >= 0)
		test_fail("%s returned %ld, expected an error", what, rc);
}

static void expect_value(const char *what, long rc, long want)
{
	checks++;
	con_printf("bad_args: %-52s = %ld\n", what, rc);
	if (rc != want)
		test_fail("%s returned %ld, expected %ld", what, rc, want);
}

static void console_cases(void)
{
	expect_error("console_io(write, 16, unmapped)",
		     hypercall(HYPERCALL_console_io, CONSOLEIO_write, 16, VA_UNMAPPED, 0, 0));
	expect_error("console_io(write, 16, non-canonical)",
		     hypercall(HYPERCALL_console_io, CONSOLEIO_write, 16, VA_NONCANONICAL, 0, 0));
	expect_error("console_io(write, 0xffffffff, top of address space)",
		     hypercall(HYPERCALL_console_io, CONSOLEIO_write, 0xffffffffull, VA_TOP, 0, 0));
	expect_error(
	    "console_io(write, 1<<40, unmapped)",
	    hypercall(HYPERCALL_console_io, CONSOLEIO_write, 1ull << 40, VA_UNMAPPED, 0, 0));
	expect_error("console_io(write, 4096, 3 GiB: no RAM)",
		     hypercall(HYPERCALL_console_io, CONSOLEIO_write, 4096, VA_NO_RAM, 0, 0));
	expect_error("console_io(999, 16, valid buffer)",
		     hypercall(HYPERCALL_console_io, 999, 16, HV_PTR("0123456789abcdef"), 0, 0));
}

static void memory_cases(void)
{
	struct add_to_physmap xatp = {.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info};
	struct memory_map map = {.nr_entries = 16, .buffer = VA_UNMAPPED};

	expect_error("memory_op(add_to_physmap, unmapped)",
		     hypercall(HYPERCALL_memory_op, XENMEM_add_to_physmap, VA_UNMAPPED, 0, 0, 0));
	expect_error(
	    "memory_op(add_to_physmap, non-canonical)",
	    hypercall(HYPERCALL_memory_op, XENMEM_add_to_physmap, VA_NONCANONICAL, 0, 0, 0));
	expect_error("memory_op(memory_map, arg at 3 GiB: no RAM)",
		     hypercall(HYPERCALL_memory_op, XENMEM_memory_map, VA_NO_RAM, 0, 0, 0));
	expect_error("memory_op(memory_map, buffer unmapped)",
		     hv_memory_op(XENMEM_memory_map, &map));
	xatp.space = 99;
	xatp.gpfn = 0x200;
	expect_error("memory_op(add_to_physmap, space 99)",
		     hv_memory_op(XENMEM_add_to_physmap, &xatp));
	xatp.space = XENMAPSPACE_shared_info;
	xatp.gpfn = 1ull << 52;
	expect_error("memory_op(add_to_physmap, gpfn 1<<52)",
		     hv_memory_op(XENMEM_add_to_physmap, &xatp));
	xatp.gpfn = 0x200;
	xatp.domid = 0x7000;
	expect_error("memory_op(add_to_physmap, foreign domid 0x7000)",
		     hv_memory_op(XENMEM_add_to_physmap, &xatp));
	expect_error("memory_op(999, NULL)", hv_memory_op(999, 0));
}

static void other_cases(void)
{
	struct evtchn_bind_virq bind = {.virq = 999, .vcpu = 0};
	struct evtchn_port_arg port = {.port = 4095};
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = 0, .flags = 0};
	struct hvm_param p = {.domid = DOMID_SELF, .index = 0xffff};

	expect_value("hypercall 99", hypercall(99, 0, 0, 0, 0, 0), -ENOSYS);
	expect_value("hypercall 1000", hypercall(1000, 0, 0, 0, 0, 0), -ENOSYS);
	expect_error("xen_version(999)", hv_xen_version(999, 0));
	expect_error("xen_version(extraversion, unmapped)",
		     hypercall(HYPERCALL_xen_version, XENVER_extraversion, VA_UNMAPPED, 0, 0, 0));
	expect_error(
	    "xen_version(get_features, non-canonical)",
	    hypercall(HYPERCALL_xen_version, XENVER_get_features, VA_NONCANONICAL, 0, 0, 0));
	expect_error("sched_op(999)", hv_sched_op(999, 0));
	/* A shutdown request the hypervisor cannot read must fail, not shut us down. */
	expect_error("sched_op(shutdown, unmapped)",
		     hypercall(HYPERCALL_sched_op, SCHEDOP_shutdown, VA_UNMAPPED, 0, 0, 0));
	expect_error("vcpu_op(999, 0)", hv_vcpu_op(999, 0, 0));
	expect_error("vcpu_op(set_singleshot_timer, vcpu 5000)",
		     hv_vcpu_op(VCPUOP_set_singleshot_timer, 5000, &t));
	expect_error(
	    "vcpu_op(set_singleshot_timer, unmapped)",
	    hypercall(HYPERCALL_vcpu_op, VCPUOP_set_singleshot_timer, 0, VA_UNMAPPED, 0, 0));
	expect_error("vcpu_op(register_vcpu_info, unmapped)",
		     hypercall(HYPERCALL_vcpu_op, VCPUOP_register_vcpu_info, 0, VA_UNMAPPED, 0, 0));
	expect_error("event_channel_op(999)", hv_event_channel_op(999, &port));
	expect_error("event_channel_op(bind_virq, virq 999)",
		     hv_event_channel_op(EVTCHNOP_bind_virq, &bind));
	expect_error("event_channel_op(send, unbound port 4095)",
		     hv_event_channel_op(EVTCHNOP_send, &port));
	port.port = 0x7fffffff;
	expect_error("event_channel_op(close, port 0x7fffffff)",
		     hv_event_channel_op(EVTCHNOP_close, &port));
	expect_error(
	    "event_channel_op(bind_virq, unmapped)",
	    hypercall(HYPERCALL_event_channel_op, EVTCHNOP_bind_virq, VA_UNMAPPED, 0, 0, 0));
	expect_error("hvm_op(999)", hv_hvm_op(999, &p));
	expect_error("hvm_op(get_param, index 0xffff)", hv_hvm_op(HVMOP_get_param, &p));
	expect_error("hvm_op(set_param, unmapped)",
		     hypercall(HYPERCALL_hvm_op, HVMOP_set_param, VA_UNMAPPED, 0, 0, 0));
}

/* dom0's machine calls, from an unprivileged domain: -EPERM before any argument is looked at. */
static void dom0_only_cases(void)
{
	static struct xen_platform_op op = {.cmd = XENPF_settime64,
					    .interface_version = XENPF_INTERFACE_VERSION};
	static struct physdev_pci_device_add add;

	expect_value("platform_op(settime64)",
		     hypercall(HYPERCALL_platform_op, HV_PTR(&op), 0, 0, 0, 0), -EPERM);
	op.cmd = XENPF_enter_acpi_sleep;
	op.u.enter_acpi_sleep.sleep_state = 5;
	expect_value("platform_op(enter_acpi_sleep S5)",
		     hypercall(HYPERCALL_platform_op, HV_PTR(&op), 0, 0, 0, 0), -EPERM);
	expect_value("platform_op(unmapped)",
		     hypercall(HYPERCALL_platform_op, VA_UNMAPPED, 0, 0, 0, 0), -EPERM);
	expect_value(
	    "physdev_op(pci_device_add)",
	    hypercall(HYPERCALL_physdev_op, PHYSDEVOP_pci_device_add, HV_PTR(&add), 0, 0, 0),
	    -EPERM);
	expect_value("physdev_op(999)", hypercall(HYPERCALL_physdev_op, 999, 0, 0, 0, 0), -EPERM);
}

void guest_main(void)
{
	test_require_hv();
	console_cases();
	memory_cases();
	other_cases();
	dom0_only_cases();
	/* Still alive and the console still works. */
	con_printf("bad_args: %u hostile calls returned errors; guest still running\n", checks);
	test_pass();
}
