/* Test guest ept_violation: a write outside guest RAM; the hypervisor must crash the domain. */
#include "bootargs.h"
#include "console.h"
#include "hypercall.h"
#include "test.h"

const char guest_name[] = "ept_violation";

#define TARGET_DEFAULT 0xC0000000ull /* 3 GiB */
#define LAPIC_BASE     0xFEE00000ull

/* 1 if [addr, addr + 8) touches any memmap entry (RAM, reserved, ACPI, ...). */
static int in_memmap(uint64_t addr)
{
	const struct pvh_memmap_entry *m;

	if (!boot_info || boot_info->version < 1 || !boot_info->memmap_paddr)
		return 0;
	m = (const struct pvh_memmap_entry *)(uintptr_t)boot_info->memmap_paddr;
	for (uint32_t i = 0; i < boot_info->memmap_entries && i < 128; i++)
		if (addr + 8 > m[i].addr && addr < m[i].addr + m[i].size)
			return 1;
	return 0;
}

void guest_main(void)
{
	uint64_t target = bootargs_get_u64(boot_cmdline, "target", TARGET_DEFAULT);
	volatile uint64_t *p;

	if (!hv.found && !bootargs_has(boot_cmdline, "force"))
		test_skip("no hypervisor to crash the domain (boot with `force` to try anyway)");
	/* Walk up in 256 MiB steps to a hole in the memory map below 4 GiB. */
	while (in_memmap(target) && target + (256ull << 20) < LAPIC_BASE)
		target += 256ull << 20;
	if (in_memmap(target) || target >= (1ull << 32) - 8)
		test_fail("no address outside the memory map below 4 GiB (tried up to %#lx)",
			  (unsigned long)target);
	con_printf("ept_violation: writing to %#lx, which is not guest memory\n",
		   (unsigned long)target);
	con_printf("EXPECT-CRASH ept_violation\n");
	p = (volatile uint64_t *)(uintptr_t)target;
	*p = 0x4b45454c2d455054ull;
	test_fail("still running after writing %#lx (read back %#lx): domain was not crashed",
		  (unsigned long)target, (unsigned long)*p);
}
