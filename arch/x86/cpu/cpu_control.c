/* Each CPU's control registers as Keel runs: caches on, WP, global pages, SMEP, the FPU bits. */
#include <asm/cpu.h>
#include <asm/cpuid_bits.h>
#include <asm/xstate.h>

void cpu_control_init(void)
{
	struct cpuid_regs r;

	/*
	 * An AP leaves INIT with CR0.CD and NW set (caches off), and the trampoline only adds
	 * PE, WP and PG: turn caching on here, on every CPU alike.
	 */
	write_cr0((read_cr0() & ~(CR0_CD | CR0_NW)) | CR0_WP);
	cpuid(1, &r);
	if (r.edx & LEAF1_EDX_PGE)
		write_cr4(read_cr4() | CR4_PGE); /* the boot CPU's head.S sets it; APs do it here */
	/* A machine check is an exception (Keel's #MC handler), not a shutdown. */
	if (r.edx & LEAF1_EDX_MCE)
		write_cr4(read_cr4() | CR4_MCE);
	cpuid(7, &r);
	if (r.ebx & LEAF7_EBX_SMEP)
		write_cr4(read_cr4() | CR4_SMEP);
	xstate_cpu_init(); /* FPU control bits and XCR0, before this CPU runs any vCPU */
}
