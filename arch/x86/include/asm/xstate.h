/* Extended processor state (x87, SSE, AVX, AVX-512, PKRU): what Keel switches, what guests get. */
#ifndef ASM_XSTATE_H
#define ASM_XSTATE_H

#include <asm/cpu.h>
#include <keel/types.h>

/* XSAVE state components: bit n of XCR0 enables component n. */
#define XSTATE_X87	 (1ULL << 0)
#define XSTATE_SSE	 (1ULL << 1) /* XMM0-15, MXCSR */
#define XSTATE_AVX	 (1ULL << 2) /* upper halves of YMM0-15 */
#define XSTATE_OPMASK	 (1ULL << 5) /* k0-k7 */
#define XSTATE_ZMM_HI256 (1ULL << 6) /* upper halves of ZMM0-15 */
#define XSTATE_HI16_ZMM	 (1ULL << 7) /* ZMM16-31 */
#define XSTATE_PKRU	 (1ULL << 9)
#define XSTATE_AVX512	 (XSTATE_OPMASK | XSTATE_ZMM_HI256 | XSTATE_HI16_ZMM)
/*
 * Every component Keel switches between vCPUs. All are user components (XCR0, not IA32_XSS).
 * PKRU is one: XSAVE manages it whatever CR4.PKE says, so Keel switches it without ever setting
 * CR4.PKE itself (protection keys only guard user pages; Keel has none), and guests get PKU
 * only where it is switched. Not supported, so never enabled for a guest: MPX (hidden,
 * deprecated), AMX (its tiles need XFD and 8 KiB areas), CET and the other supervisor
 * components (IA32_XSS stays 0).
 */
#define XSTATE_KEEL (XSTATE_X87 | XSTATE_SSE | XSTATE_AVX | XSTATE_AVX512 | XSTATE_PKRU)

#define FXSAVE_SIZE	512 /* the legacy region: x87, MXCSR, XMM */
#define XSAVE_HDR_SIZE	64
#define XSAVE_AREA_BASE (FXSAVE_SIZE + XSAVE_HDR_SIZE) /* where component 2 may start */

/* The architectural reset values a vCPU starts from (also what XRSTOR's init state loads). */
#define XSTATE_RESET_FCW   0x037f
#define XSTATE_RESET_MXCSR 0x1f80
#define XSTATE_RESET_XCR0  XSTATE_X87

/* How Keel switches the state on this machine, best first. */
enum xstate_method {
	XSTATE_FXSAVE, /* no XSAVE: FXSAVE/FXRSTOR (x87, MXCSR, XMM with CR4.OSFXSR) */
	XSTATE_XSAVE,  /* XSAVE/XRSTOR, standard format */
	XSTATE_XSAVES, /* XSAVES/XRSTORS, compacted format */
};

struct vcpu;
struct domain;
struct cpuid_regs;

/* ---- What the CPU has and guests may use (arch/x86/hvm/xstate_policy.c; no hardware writes) */

/* The components of XSTATE_KEEL this CPU has (CPUID 0xD), made consistent; 0 without XSAVE. */
u64 xstate_probe_components(void);
/* The same, as found on the boot CPU: what Keel switches (the host's XCR0). */
u64 xstate_host_components(void);
/* The components @d's CPUID policy offers its guests: XCR0 may hold no others. 0: no XSAVE. */
u64 xstate_domain_components(const struct domain *d);
/* The CPU gets the compacted format wrong (checked at boot): guests are not offered XSAVEC. */
void xstate_hide_compacted(void);
/* Bytes of an XSAVE area holding @mask, standard or compacted format (CPUID 0xD sub-leaves). */
u32 xstate_area_size(u64 mask, bool compacted);
/* Would hardware accept XSETBV(0, @xcr0) for a guest offered @offered? 0 or -EINVAL. */
int xstate_check_xcr0(u64 offered, u64 xcr0);
/* CPUID leaf 0xD as @v sees it: its domain's components, sizes for its current XCR0. */
void xstate_cpuid_leaf(struct vcpu *v, u32 subleaf, struct cpuid_regs *r);

/* ---- This CPU and the vCPUs' state (arch/x86/hvm/xstate.c) */

/*
 * Set up the FPU on this CPU (the boot CPU first, then each AP before it runs a vCPU):
 * CR0.MP/NE set and EM/TS clear, CR4.OSFXSR/OSXMMEXCPT, and with XSAVE CR4.OSXSAVE,
 * XCR0 = the host components and IA32_XSS = 0.
 */
void xstate_cpu_init(void);
enum xstate_method xstate_switch_method(void);
u32 xstate_area_bytes(void); /* the size of every vCPU's area */

/* A vCPU's own area (allocated at vCPU init, freed at destroy), reset to the power-on state. */
int xstate_vcpu_init(struct vcpu *v);
void xstate_vcpu_destroy(struct vcpu *v);
/*
 * Reset @v's state to the architectural INIT values: x87 FCW 0x37F, FSW 0, every tag empty,
 * MXCSR 0x1F80, every ST/XMM/YMM/ZMM/k register and PKRU zero, XCR0 = 1 (x87 only).
 * @v must not be loaded on any CPU.
 */
void xstate_vcpu_reset(struct vcpu *v);
/*
 * Load @v's state into this CPU before it runs (interrupts off), and save it back after. In
 * between, the CPU holds the guest's XCR0: VM entry and exit do not switch XCR0, Keel's own
 * code never uses extended state, and the save puts the host XCR0 back first. Restore and
 * save always cover every host component whatever the guest's XCR0, so nothing of the vCPU
 * that ran before stays behind in a register.
 */
void xstate_load_guest(struct vcpu *v);
void xstate_save_guest(struct vcpu *v);
/*
 * The guest executed XSETBV (ECX = @index, EDX:EAX = @val) and it exited: check it as the CPU
 * would and load it. 0, or the exception to raise: X86_EXC_UD (CR4.OSXSAVE clear) or
 * X86_EXC_GP (CPL > 0, ECX != 0, a value hardware would refuse or the policy does not offer).
 * Only for the vCPU loaded on this CPU.
 */
int hvm_xsetbv(struct vcpu *v, u32 index, u64 val);

#endif
