/* What CPUID says about the virtual local APIC: x2APIC, TSC deadline, topology, timer clock. */
#include <asm/cpu.h>
#include <asm/vlapic.h>
#include <keel/domain.h>
#include <keel/time.h>
#include <keel/vcpu.h>

#define LEAF1_ECX_X2APIC (1u << 21)
#define LEAF1_ECX_TSC_DL (1u << 24)
#define LEAF1_EDX_APIC	 (1u << 9)

/* Bits of the x2APIC ID below the package: 1 for the (empty) SMT level, 8 for cores. */
#define TOPO_SMT_SHIFT	1
#define TOPO_CORE_SHIFT 8

/* Extended topology (leaves 0xB and 0x1F): one thread per core, every vCPU a core of one package. */
static void topology(struct vcpu *v, u32 subleaf, struct cpuid_regs *r)
{
	r->edx = vlapic_id(v->arch.vlapic);
	r->ecx = subleaf & 0xff;
	if (subleaf == 0) {
		r->eax = TOPO_SMT_SHIFT;
		r->ebx = 1;
		r->ecx |= 1u << 8; /* SMT */
	} else if (subleaf == 1) {
		r->eax = TOPO_CORE_SHIFT;
		r->ebx = v->domain->nr_vcpus;
		r->ecx |= 2u << 8; /* core */
	} else {
		r->eax = r->ebx = 0; /* invalid level */
	}
}

void vlapic_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, struct cpuid_regs *r)
{
	if (!v->arch.vlapic)
		return;
	switch (leaf) {
	case 1:
		/* Both are emulated whatever the host has; the APIC ID is 2 x vCPU id. */
		r->ecx |= LEAF1_ECX_X2APIC | LEAF1_ECX_TSC_DL;
		r->edx |= LEAF1_EDX_APIC;
		r->ebx = (r->ebx & 0x00ffffffu) | (vlapic_id(v->arch.vlapic) << 24);
		break;
	case 0xb:
	case 0x1f:
		topology(v, subleaf, r);
		break;
	case 0x15:
		/* Crystal = the APIC timer's 1 GHz bus; TSC = crystal x EBX / EAX. */
		r->eax = 1000000;
		r->ebx = (u32)tsc_khz;
		r->ecx = (u32)VLAPIC_BUS_HZ;
		r->edx = 0;
		break;
	case 0x16:
		r->eax = r->ebx = (u32)(tsc_khz / 1000); /* base and maximum MHz */
		r->ecx = (u32)(VLAPIC_BUS_HZ / 1000000); /* bus MHz */
		r->edx = 0;
		break;
	default:
		break;
	}
}
