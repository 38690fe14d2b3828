/* x86 CPU primitives: CPUID, control registers, MSRs, interrupt flag, halting. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <asm/x86_defs.h>
#include <keel/types.h>

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline void cpuid_count(u32 leaf, u32 sub, struct cpuid_regs *r)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
			     : "a"(leaf), "c"(sub));
}

static inline void cpuid(u32 leaf, struct cpuid_regs *r)
{
	cpuid_count(leaf, 0, r);
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

/* XCR0 (the only extended control register): which XSAVE components are enabled. */
static inline void xsetbv(u32 index, u64 v)
{
	__asm__ __volatile__("xsetbv" : : "c"(index), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 xgetbv(u32 index)
{
	u32 lo, hi;
	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((u64)hi << 32) | lo;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                                 \
	static inline unsigned long read_cr##n(void)                           \
	{                                                                      \
		unsigned long v;                                               \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                      \
	}                                                                      \
	static inline void write_cr##n(unsigned long v)                        \
	{                                                                      \
		__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)

#define DEFINE_DR_ACCESSORS(n)                                                 \
	static inline unsigned long read_dr##n(void)                           \
	{                                                                      \
		unsigned long v;                                               \
		__asm__ __volatile__("mov %%dr" #n ", %0" : "=r"(v));          \
		return v;                                                      \
	}                                                                      \
	static inline void write_dr##n(unsigned long v)                        \
	{                                                                      \
		__asm__ __volatile__("mov %0, %%dr" #n : : "r"(v) : "memory"); \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
DEFINE_DR_ACCESSORS(6)

static inline unsigned long read_flags(void)
{
	unsigned long f;
	__asm__ __volatile__("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}
static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}
static inline unsigned long local_irq_save(void)
{
	unsigned long f = read_flags();
	local_irq_disable();
	return f;
}
static inline void local_irq_restore(unsigned long f)
{
	if (f & X86_EFLAGS_IF)
		local_irq_enable();
}
static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}
static inline void halt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}
/* Wait for an interrupt with interrupts enabled atomically (sti; hlt). */
static inline void safe_halt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}
static inline void invlpg(const void *va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}
static inline void mb(void)
{
	__asm__ __volatile__("mfence" ::: "memory");
}

static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt" ::: "memory");
}

/* Set this CPU's control registers as Keel runs (arch/x86/cpu/cpu_control.c): each CPU, once. */
void cpu_control_init(void);

#endif
