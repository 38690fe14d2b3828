/* Guest library: control, debug and extended control registers, FXSAVE (for the register tests). */
#ifndef GUEST_CPUREGS_H
#define GUEST_CPUREGS_H

#include <stdint.h>

#include "x86.h" /* read_cr0/write_cr0, read_cr4/write_cr4 */

#define CR0_MP	       (1ull << 1)
#define CR0_EM	       (1ull << 2)
#define CR0_TS	       (1ull << 3)
#define CR0_NE	       (1ull << 5)
#define CR4_DE	       (1ull << 3)
#define CR4_PAE	       (1ull << 5)
#define CR4_PGE	       (1ull << 7)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE    (1ull << 18)

#define XCR0_X87    (1ull << 0)
#define XCR0_SSE    (1ull << 1)
#define XCR0_AVX    (1ull << 2)
#define XCR0_AVX512 (7ull << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */

#define CPUID1_ECX_XSAVE   (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX	   (1u << 28)
#define CPUID7_EBX_AVX512F (1u << 16)

#define MSR_DEBUGCTL 0x1d9

static inline uint64_t xcr_get(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

static inline void xcr_set(uint32_t index, uint64_t v)
{
	asm volatile("xsetbv" ::"c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

#define DR_GET(n)                                              \
	({                                                     \
		uint64_t v_;                                   \
		asm volatile("mov %%dr" #n ", %0" : "=r"(v_)); \
		v_;                                            \
	})
#define DR_SET(n, v) asm volatile("mov %0, %%dr" #n ::"r"((uint64_t)(v)) : "memory")

/* FXSAVE/FXRSTOR image (512 bytes, 16-byte aligned). */
static inline void fxsave_to(void *buf)
{
	asm volatile("fxsave64 (%0)" ::"r"(buf) : "memory");
}

#endif
