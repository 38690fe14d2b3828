/* Host-test shim: no local APIC MSRs (vlapic_msr.c has tests of its own): every MSR is another's. */
#include <asm/vlapic.h>
#include <keel/errno.h>

u64 tsc_khz = 2500000; /* what the vLAPIC's CPUID leaves 0x15/0x16 derive from */

int vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	(void)v;
	(void)msr;
	(void)val;
	return -ENOENT;
}

int vlapic_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	(void)v;
	(void)msr;
	(void)val;
	return -ENOENT;
}
