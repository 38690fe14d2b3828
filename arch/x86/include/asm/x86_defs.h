/* Architectural x86 constants, one home each: CR0/CR4/EFER/RFLAGS bits, exception vectors, MSRs. */
#ifndef ASM_X86_DEFS_H
#define ASM_X86_DEFS_H

/* CR0 */
#define CR0_PE (1UL << 0)
#define CR0_MP (1UL << 1)
#define CR0_EM (1UL << 2)
#define CR0_TS (1UL << 3)
#define CR0_ET (1UL << 4)
#define CR0_NE (1UL << 5)
#define CR0_WP (1UL << 16)
#define CR0_AM (1UL << 18)
#define CR0_NW (1UL << 29)
#define CR0_CD (1UL << 30)
#define CR0_PG (1UL << 31)

/* CR4 */
#define CR4_VME	       (1UL << 0)
#define CR4_PVI	       (1UL << 1)
#define CR4_TSD	       (1UL << 2)
#define CR4_DE	       (1UL << 3)
#define CR4_PSE	       (1UL << 4)
#define CR4_PAE	       (1UL << 5)
#define CR4_MCE	       (1UL << 6)
#define CR4_PGE	       (1UL << 7)
#define CR4_PCE	       (1UL << 8)
#define CR4_OSFXSR     (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_UMIP       (1UL << 11)
#define CR4_LA57       (1UL << 12)
#define CR4_VMXE       (1UL << 13)
#define CR4_FSGSBASE   (1UL << 16)
#define CR4_PCIDE      (1UL << 17)
#define CR4_OSXSAVE    (1UL << 18)
#define CR4_SMEP       (1UL << 20)
#define CR4_SMAP       (1UL << 21)
#define CR4_PKE	       (1UL << 22)

/* EFER */
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

/* RFLAGS */
#define X86_EFLAGS_TF (1UL << 8)
#define X86_EFLAGS_IF (1UL << 9)
#define X86_EFLAGS_DF (1UL << 10)
#define X86_EFLAGS_AC (1UL << 18)

/* Exception vectors */
#define X86_EXC_DE  0
#define X86_EXC_DB  1
#define X86_EXC_NMI 2
#define X86_EXC_BP  3
#define X86_EXC_UD  6
#define X86_EXC_NM  7
#define X86_EXC_DF  8
#define X86_EXC_SS  12
#define X86_EXC_GP  13
#define X86_EXC_PF  14
#define X86_EXC_MC  18

/* MSRs */
#define MSR_IA32_TSC	       0x00000010
#define MSR_APIC_BASE	       0x0000001b
#define MSR_FEATURE_CONTROL    0x0000003a
#define MSR_PLATFORM_INFO      0x000000ce
#define MSR_IA32_MTRRCAP       0x000000fe
#define MSR_SYSENTER_CS	       0x00000174
#define MSR_SYSENTER_ESP       0x00000175
#define MSR_SYSENTER_EIP       0x00000176
#define MSR_IA32_MISC_ENABLE   0x000001a0
#define MSR_IA32_DEBUGCTL      0x000001d9
#define MSR_PAT		       0x00000277
#define MSR_IA32_MTRR_DEF_TYPE 0x000002ff
#define MSR_IA32_XSS	       0x00000da0
#define MSR_EFER	       0xc0000080
#define MSR_STAR	       0xc0000081
#define MSR_LSTAR	       0xc0000082
#define MSR_CSTAR	       0xc0000083
#define MSR_SFMASK	       0xc0000084
#define MSR_FS_BASE	       0xc0000100
#define MSR_GS_BASE	       0xc0000101
#define MSR_KERNEL_GS_BASE     0xc0000102
#define MSR_TSC_AUX	       0xc0000103

#endif
