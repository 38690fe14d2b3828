/* VT-x definitions: capability MSRs, VMCS field encodings, control bits, exit reasons, VMX insns. */
#ifndef ASM_VMX_H
#define ASM_VMX_H

#include <keel/types.h>

/* Capability MSRs. */
#define MSR_VMX_BASIC	       0x480
#define MSR_VMX_PINBASED       0x481
#define MSR_VMX_PROCBASED      0x482
#define MSR_VMX_EXIT	       0x483
#define MSR_VMX_ENTRY	       0x484
#define MSR_VMX_MISC	       0x485
#define MSR_VMX_CR0_FIXED0     0x486
#define MSR_VMX_CR0_FIXED1     0x487
#define MSR_VMX_CR4_FIXED0     0x488
#define MSR_VMX_CR4_FIXED1     0x489
#define MSR_VMX_PROCBASED2     0x48b
#define MSR_VMX_EPT_VPID_CAP   0x48c
#define MSR_VMX_TRUE_PINBASED  0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT      0x48f
#define MSR_VMX_TRUE_ENTRY     0x490
#define VMX_BASIC_TRUE_CTLS    (1ULL << 55)
#define VMX_BASIC_IO_INFO      (1ULL << 54)
#define FEATURE_CONTROL_LOCKED (1ULL << 0)
#define FEATURE_CONTROL_VMXON  (1ULL << 2)

/* 16-bit fields. */
#define VMCS_VPID	       0x0000
#define VMCS_GUEST_ES_SEL      0x0800
#define VMCS_GUEST_CS_SEL      0x0802
#define VMCS_GUEST_SS_SEL      0x0804
#define VMCS_GUEST_DS_SEL      0x0806
#define VMCS_GUEST_FS_SEL      0x0808
#define VMCS_GUEST_GS_SEL      0x080a
#define VMCS_GUEST_LDTR_SEL    0x080c
#define VMCS_GUEST_TR_SEL      0x080e
#define VMCS_GUEST_INTR_STATUS 0x0810 /* RVI (7:0), SVI (15:8) */
#define VMCS_HOST_ES_SEL       0x0c00
#define VMCS_HOST_CS_SEL       0x0c02
#define VMCS_HOST_SS_SEL       0x0c04
#define VMCS_HOST_DS_SEL       0x0c06
#define VMCS_HOST_FS_SEL       0x0c08
#define VMCS_HOST_GS_SEL       0x0c0a
#define VMCS_HOST_TR_SEL       0x0c0c
/* 64-bit fields. */
#define VMCS_IO_BITMAP_A       0x2000
#define VMCS_IO_BITMAP_B       0x2002
#define VMCS_MSR_BITMAP	       0x2004
#define VMCS_TSC_OFFSET	       0x2010
#define VMCS_VIRTUAL_APIC_ADDR 0x2012
#define VMCS_EPTP	       0x201a
#define VMCS_EOI_EXIT_BITMAP0  0x201c /* ..3 at 0x201e, 0x2020, 0x2022 */
#define VMCS_GUEST_PHYS_ADDR   0x2400
#define VMCS_LINK_POINTER      0x2800
#define VMCS_GUEST_DEBUGCTL    0x2802
#define VMCS_GUEST_PAT	       0x2804
#define VMCS_GUEST_EFER	       0x2806
#define VMCS_GUEST_PDPTE0      0x280a
#define VMCS_HOST_PAT	       0x2c00
#define VMCS_HOST_EFER	       0x2c02
/* 32-bit fields. */
#define VMCS_PIN_CTLS		    0x4000
#define VMCS_PROC_CTLS		    0x4002
#define VMCS_EXCEPTION_BITMAP	    0x4004
#define VMCS_PF_ERR_MASK	    0x4006
#define VMCS_PF_ERR_MATCH	    0x4008
#define VMCS_CR3_TARGET_COUNT	    0x400a
#define VMCS_EXIT_CTLS		    0x400c
#define VMCS_EXIT_MSR_STORE_CNT	    0x400e
#define VMCS_EXIT_MSR_LOAD_CNT	    0x4010
#define VMCS_ENTRY_CTLS		    0x4012
#define VMCS_ENTRY_MSR_LOAD_CNT	    0x4014
#define VMCS_ENTRY_INTR_INFO	    0x4016
#define VMCS_ENTRY_EXC_ERRCODE	    0x4018
#define VMCS_ENTRY_INSN_LEN	    0x401a
#define VMCS_TPR_THRESHOLD	    0x401c
#define VMCS_PROC_CTLS2		    0x401e
#define VMCS_INSN_ERROR		    0x4400
#define VMCS_EXIT_REASON	    0x4402
#define VMCS_EXIT_INTR_INFO	    0x4404
#define VMCS_EXIT_INTR_ERRCODE	    0x4406
#define VMCS_IDT_VECTORING_INFO	    0x4408
#define VMCS_IDT_VECTORING_ERR	    0x440a
#define VMCS_EXIT_INSN_LEN	    0x440c
#define VMCS_EXIT_INSN_INFO	    0x440e
#define VMCS_GUEST_ES_LIMIT	    0x4800
#define VMCS_GUEST_CS_LIMIT	    0x4802
#define VMCS_GUEST_SS_LIMIT	    0x4804
#define VMCS_GUEST_DS_LIMIT	    0x4806
#define VMCS_GUEST_FS_LIMIT	    0x4808
#define VMCS_GUEST_GS_LIMIT	    0x480a
#define VMCS_GUEST_LDTR_LIMIT	    0x480c
#define VMCS_GUEST_TR_LIMIT	    0x480e
#define VMCS_GUEST_GDTR_LIMIT	    0x4810
#define VMCS_GUEST_IDTR_LIMIT	    0x4812
#define VMCS_GUEST_ES_AR	    0x4814
#define VMCS_GUEST_CS_AR	    0x4816
#define VMCS_GUEST_SS_AR	    0x4818
#define VMCS_GUEST_DS_AR	    0x481a
#define VMCS_GUEST_FS_AR	    0x481c
#define VMCS_GUEST_GS_AR	    0x481e
#define VMCS_GUEST_LDTR_AR	    0x4820
#define VMCS_GUEST_TR_AR	    0x4822
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY	    0x4826
#define VMCS_GUEST_SYSENTER_CS	    0x482a
#define VMCS_PREEMPT_TIMER	    0x482e
#define VMCS_HOST_SYSENTER_CS	    0x4c00
/* Natural-width fields. */
#define VMCS_CR0_MASK		0x6000
#define VMCS_CR4_MASK		0x6002
#define VMCS_CR0_SHADOW		0x6004
#define VMCS_CR4_SHADOW		0x6006
#define VMCS_EXIT_QUALIFICATION 0x6400
#define VMCS_GUEST_LINEAR_ADDR	0x640a
#define VMCS_GUEST_CR0		0x6800
#define VMCS_GUEST_CR3		0x6802
#define VMCS_GUEST_CR4		0x6804
#define VMCS_GUEST_ES_BASE	0x6806
#define VMCS_GUEST_CS_BASE	0x6808
#define VMCS_GUEST_SS_BASE	0x680a
#define VMCS_GUEST_DS_BASE	0x680c
#define VMCS_GUEST_FS_BASE	0x680e
#define VMCS_GUEST_GS_BASE	0x6810
#define VMCS_GUEST_LDTR_BASE	0x6812
#define VMCS_GUEST_TR_BASE	0x6814
#define VMCS_GUEST_GDTR_BASE	0x6816
#define VMCS_GUEST_IDTR_BASE	0x6818
#define VMCS_GUEST_DR7		0x681a
#define VMCS_GUEST_RSP		0x681c
#define VMCS_GUEST_RIP		0x681e
#define VMCS_GUEST_RFLAGS	0x6820
#define VMCS_GUEST_PENDING_DBG	0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0		0x6c00
#define VMCS_HOST_CR3		0x6c02
#define VMCS_HOST_CR4		0x6c04
#define VMCS_HOST_FS_BASE	0x6c06
#define VMCS_HOST_GS_BASE	0x6c08
#define VMCS_HOST_TR_BASE	0x6c0a
#define VMCS_HOST_GDTR_BASE	0x6c0c
#define VMCS_HOST_IDTR_BASE	0x6c0e
#define VMCS_HOST_SYSENTER_ESP	0x6c10
#define VMCS_HOST_SYSENTER_EIP	0x6c12
#define VMCS_HOST_RSP		0x6c14
#define VMCS_HOST_RIP		0x6c16

/* Pin-based controls. */
#define PIN_EXT_INT_EXITING (1u << 0)
#define PIN_NMI_EXITING	    (1u << 3)
#define PIN_VIRTUAL_NMIS    (1u << 5)
#define PIN_PREEMPT_TIMER   (1u << 6)
#define PIN_POSTED_INTR	    (1u << 7)
/* Primary processor-based controls. */
#define PROC_INTR_WINDOW	(1u << 2)
#define PROC_TSC_OFFSETTING	(1u << 3)
#define PROC_HLT_EXITING	(1u << 7)
#define PROC_INVLPG_EXITING	(1u << 9)
#define PROC_MWAIT_EXITING	(1u << 10)
#define PROC_RDPMC_EXITING	(1u << 11)
#define PROC_CR3_LOAD_EXITING	(1u << 15)
#define PROC_CR3_STORE_EXITING	(1u << 16)
#define PROC_CR8_LOAD_EXITING	(1u << 19)
#define PROC_CR8_STORE_EXITING	(1u << 20)
#define PROC_TPR_SHADOW		(1u << 21)
#define PROC_NMI_WINDOW		(1u << 22)
#define PROC_MOV_DR_EXITING	(1u << 23)
#define PROC_UNCOND_IO_EXITING	(1u << 24)
#define PROC_USE_IO_BITMAPS	(1u << 25)
#define PROC_USE_MSR_BITMAPS	(1u << 28)
#define PROC_MONITOR_EXITING	(1u << 29)
#define PROC_ACTIVATE_SECONDARY (1u << 31)
/* Secondary processor-based controls. */
#define PROC2_VIRT_APIC_ACCESS (1u << 0)
#define PROC2_ENABLE_EPT       (1u << 1)
#define PROC2_ENABLE_RDTSCP    (1u << 3)
#define PROC2_ENABLE_VPID      (1u << 5)
#define PROC2_WBINVD_EXITING   (1u << 6)
#define PROC2_UNRESTRICTED     (1u << 7)
#define PROC2_VIRT_X2APIC      (1u << 4)
#define PROC2_APIC_REG_VIRT    (1u << 8)
#define PROC2_VIRT_INTR_DELIV  (1u << 9)
#define PROC2_ENABLE_INVPCID   (1u << 12)
#define PROC2_ENABLE_XSAVES    (1u << 20)
/* VM-exit controls. */
#define EXIT_SAVE_DEBUG	  (1u << 2)
#define EXIT_HOST_64BIT	  (1u << 9)
#define EXIT_ACK_INTR	  (1u << 15)
#define EXIT_SAVE_PAT	  (1u << 18)
#define EXIT_LOAD_PAT	  (1u << 19)
#define EXIT_SAVE_EFER	  (1u << 20)
#define EXIT_LOAD_EFER	  (1u << 21)
#define EXIT_SAVE_PREEMPT (1u << 22)
/* VM-entry controls. */
#define ENTRY_LOAD_DEBUG  (1u << 2)
#define ENTRY_GUEST_64BIT (1u << 9)
#define ENTRY_LOAD_PAT	  (1u << 14)
#define ENTRY_LOAD_EFER	  (1u << 15)

/* VM-entry interruption information. */
#define INTR_INFO_VALID	       (1u << 31)
#define INTR_INFO_ERRCODE      (1u << 11)
#define INTR_TYPE_EXT_INTR     (0u << 8)
#define INTR_TYPE_NMI	       (2u << 8)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)
#define INTR_TYPE_SW_INTR      (4u << 8)
#define INTR_TYPE_SW_EXCEPTION (6u << 8)
/* Guest interruptibility state. */
#define INTERRUPTIBILITY_STI   (1u << 0)
#define INTERRUPTIBILITY_MOVSS (1u << 1)
/* Guest activity states. */
#define ACTIVITY_ACTIVE	   0
#define ACTIVITY_HLT	   1
#define ACTIVITY_WAIT_SIPI 3

/* Basic exit reasons (bits 15:0 of the exit reason field). */
enum vmx_exit_reason {
	EXIT_EXCEPTION_NMI = 0,
	EXIT_EXTERNAL_INTERRUPT = 1,
	EXIT_TRIPLE_FAULT = 2,
	EXIT_INIT = 3,
	EXIT_SIPI = 4,
	EXIT_INTERRUPT_WINDOW = 7,
	EXIT_NMI_WINDOW = 8,
	EXIT_TASK_SWITCH = 9,
	EXIT_CPUID = 10,
	EXIT_GETSEC = 11,
	EXIT_HLT = 12,
	EXIT_INVD = 13,
	EXIT_INVLPG = 14,
	EXIT_RDPMC = 15,
	EXIT_RDTSC = 16,
	EXIT_VMCALL = 18,
	EXIT_VMCLEAR = 19,
	EXIT_VMLAUNCH = 20,
	EXIT_VMPTRLD = 21,
	EXIT_VMPTRST = 22,
	EXIT_VMREAD = 23,
	EXIT_VMRESUME = 24,
	EXIT_VMWRITE = 25,
	EXIT_VMXOFF = 26,
	EXIT_VMXON = 27,
	EXIT_CR_ACCESS = 28,
	EXIT_DR_ACCESS = 29,
	EXIT_IO = 30,
	EXIT_RDMSR = 31,
	EXIT_WRMSR = 32,
	EXIT_INVALID_GUEST_STATE = 33,
	EXIT_MSR_LOADING = 34,
	EXIT_MWAIT = 36,
	EXIT_MTF = 37,
	EXIT_MONITOR = 39,
	EXIT_PAUSE = 40,
	EXIT_MACHINE_CHECK = 41,
	EXIT_TPR_BELOW = 43,
	EXIT_APIC_ACCESS = 44,
	EXIT_EOI_INDUCED = 45,
	EXIT_GDTR_IDTR = 46,
	EXIT_LDTR_TR = 47,
	EXIT_EPT_VIOLATION = 48,
	EXIT_EPT_MISCONFIG = 49,
	EXIT_INVEPT = 50,
	EXIT_RDTSCP = 51,
	EXIT_PREEMPT_TIMER = 52,
	EXIT_INVVPID = 53,
	EXIT_WBINVD = 54,
	EXIT_XSETBV = 55,
	EXIT_RDRAND = 57,
	EXIT_INVPCID = 58,
	EXIT_VMFUNC = 59,
	EXIT_RDSEED = 61,
	EXIT_XSAVES = 63,
	EXIT_XRSTORS = 64,
	VMX_NR_EXIT_REASONS = 70,
};
#define EXIT_REASON_ENTRY_FAIL (1u << 31)

static inline int vmxon(paddr_t pa)
{
	u8 fail;

	__asm__ __volatile__("vmxon %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmclear(paddr_t pa)
{
	u8 fail;

	__asm__ __volatile__("vmclear %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmptrld(paddr_t pa)
{
	u8 fail;

	__asm__ __volatile__("vmptrld %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

/* The current VMCS of this CPU, or ~0 when there is none. */
static inline paddr_t vmptrst(void)
{
	paddr_t pa;

	__asm__ __volatile__("vmptrst %0" : "=m"(pa) : : "memory");
	return pa;
}

static inline u64 vmread(u64 field)
{
	u64 v;

	__asm__ __volatile__("vmread %1, %0" : "=rm"(v) : "r"(field) : "cc");
	return v;
}

/* VMWRITE of a field Keel knows to exist: failure is a Keel bug (vmx_vmwrite_failed panics). */
void vmx_vmwrite_failed(u64 field, u64 value);
static inline void vmwrite(u64 field, u64 value)
{
	u8 fail;

	__asm__ __volatile__("vmwrite %2, %1; setna %0"
			     : "=qm"(fail)
			     : "r"(field), "rm"(value)
			     : "cc");
	if (fail)
		vmx_vmwrite_failed(field, value);
}

/* INVEPT/INVVPID types: 1 = single context (one EPTP / one VPID), 2 = all contexts. */
#define INV_SINGLE 1ULL
#define INV_ALL	   2ULL

struct inv_desc {
	u64 lo; /* EPTP, or VPID */
	u64 hi; /* reserved, or linear address */
};

static inline void invept(u64 type, u64 eptp)
{
	struct inv_desc d = {eptp, 0};

	__asm__ __volatile__("invept %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

static inline void invvpid(u64 type, u16 vpid)
{
	struct inv_desc d = {vpid, 0};

	__asm__ __volatile__("invvpid %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

static inline void invept_single(u64 eptp)
{
	invept(INV_SINGLE, eptp);
}
static inline void invept_all(void)
{
	invept(INV_ALL, 0);
}
static inline void invvpid_single(u16 vpid)
{
	invvpid(INV_SINGLE, vpid);
}
static inline void invvpid_all(void)
{
	invvpid(INV_ALL, 0);
}

#endif
