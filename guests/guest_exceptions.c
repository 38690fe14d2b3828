/* Test guest guest_exceptions: #UD, #DE, #BP, #GP and #PF are delivered to the guest's own IDT. */
#include "console.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

const char guest_name[] = "guest_exceptions";

static void expect(const char *what, int want, int got)
{
	if (got != want)
		test_fail("%s: expected vector %d, caught %d", what, want, got);
	con_printf("guest_exceptions: %s -> vector %d caught, rip %#lx, error %#lx\n", what, got,
		   (unsigned long)trap_try.fault_rip, (unsigned long)trap_try.error_code);
}

void guest_main(void)
{
	volatile uint64_t divisor = 0;
	uint64_t q = 0;
	int v;

	v = TRY_INSN(X86_EXC_UD, "ud2", );
	expect("ud2", X86_EXC_UD, v);

	v = TRY_INSN(X86_EXC_DE, "xor %%edx, %%edx\n\tmov $1, %%eax\n\tdivq %1", "=&a"(q)
		     : "m"(divisor)
		     : "rdx", "cc");
	expect("div by zero", X86_EXC_DE, v);

	v = TRY_INSN(X86_EXC_BP, "int3", );
	expect("int3", X86_EXC_BP, v);

	/* A load from a non-canonical address raises #GP(0). */
	v = TRY_INSN(X86_EXC_GP, "movabs $0x8000000000000000, %%rax\n\tmov (%%rax), %%rax", "=&a"(q)
		     :
		     : "memory");
	expect("non-canonical load", X86_EXC_GP, v);
	if (trap_try.error_code != 0)
		test_fail("#GP error code %#lx, expected 0", (unsigned long)trap_try.error_code);

	/* Above 4 GiB nothing is mapped in our page tables: #PF with CR2 = the address. */
	v = TRY_INSN(X86_EXC_PF, "mov (%1), %0", "=r"(q) : "r"(0x140000000ull) : "memory");
	expect("load at 5 GiB (unmapped)", X86_EXC_PF, v);
	if (trap_try.cr2 != 0x140000000ull)
		test_fail("#PF cr2 %#lx, expected 0x140000000", (unsigned long)trap_try.cr2);

	/* The same exception twice: counting works and the guest keeps running. */
	v = TRY_INSN(X86_EXC_UD, "ud2", );
	expect("ud2 again", X86_EXC_UD, v);
	if (trap_counts[X86_EXC_UD] != 2 || trap_counts[X86_EXC_DE] != 1 ||
	    trap_counts[X86_EXC_BP] != 1 || trap_counts[X86_EXC_GP] != 1 ||
	    trap_counts[X86_EXC_PF] != 1)
		test_fail("exception counts UD %u DE %u BP %u GP %u PF %u, expected 2 1 1 1 1",
			  trap_counts[X86_EXC_UD], trap_counts[X86_EXC_DE], trap_counts[X86_EXC_BP],
			  trap_counts[X86_EXC_GP], trap_counts[X86_EXC_PF]);
	(void)q;
	test_pass();
}
