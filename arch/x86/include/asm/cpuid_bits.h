/* CPUID feature bits that more than one file of Keel tests: one home each (leaf, register, bit). */
#ifndef ASM_CPUID_BITS_H
#define ASM_CPUID_BITS_H

/* CPUID.1 */
#define LEAF1_EDX_VME	  (1u << 1)
#define LEAF1_EDX_DE	  (1u << 2)
#define LEAF1_EDX_PSE	  (1u << 3)
#define LEAF1_EDX_TSC	  (1u << 4)
#define LEAF1_EDX_PAE	  (1u << 6)
#define LEAF1_EDX_MCE	  (1u << 7)
#define LEAF1_EDX_PGE	  (1u << 13)
#define LEAF1_EDX_FXSR	  (1u << 24)
#define LEAF1_EDX_SSE	  (1u << 25)
#define LEAF1_ECX_PCID	  (1u << 17)
#define LEAF1_ECX_XSAVE	  (1u << 26)
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define LEAF1_ECX_AVX	  (1u << 28)

/* CPUID.7.0 */
#define LEAF7_EBX_FSGSBASE (1u << 0)
#define LEAF7_EBX_SMEP	   (1u << 7)
#define LEAF7_EBX_AVX512F  (1u << 16)
#define LEAF7_EBX_SMAP	   (1u << 20)
#define LEAF7_ECX_UMIP	   (1u << 2)
#define LEAF7_ECX_PKU	   (1u << 3)
#define LEAF7_ECX_OSPKE	   (1u << 4)
#define LEAF7_ECX_LA57	   (1u << 16)

/* CPUID.0xD.1:EAX */
#define LEAFD1_XSAVEOPT (1u << 0)
#define LEAFD1_XSAVEC	(1u << 1)
#define LEAFD1_XGETBV1	(1u << 2) /* XGETBV with ECX = 1 (XINUSE) */
#define LEAFD1_XSAVES	(1u << 3)

/* CPUID.80000001H:EDX */
#define LEAF_EXT1_EDX_PAGE1GB (1u << 26)

#endif
