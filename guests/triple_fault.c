/* Test guest triple_fault: exceptions with an empty IDT end in a triple fault (domain crash). */
#include "bootargs.h"
#include "console.h"
#include "hypercall.h"
#include "test.h"

const char guest_name[] = "triple_fault";

void guest_main(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} null_idt = {0, 0};

	if (!hv.found && !bootargs_has(boot_cmdline, "force"))
		test_skip("no hypervisor (boot with `force` to triple-fault the machine anyway)");
	con_printf("triple_fault: loading an empty IDT, then ud2: #UD -> #GP -> #DF -> shutdown\n");
	con_printf("EXPECT-CRASH triple_fault\n");
	asm volatile("lidt %0\n\tud2" ::"m"(null_idt) : "memory");
	test_fail("still running after a triple fault");
}
