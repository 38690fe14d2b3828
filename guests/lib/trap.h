/* Guest library: the guest's IDT, exception counting and the expected-exception `try` mechanism. */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include <stdint.h>

/* Register frame built by trap_entry.S (lowest address first). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* The event-channel upcall vector (HVM_PARAM_CALLBACK_IRQ type 2). */
#define TRAP_UPCALL_VECTOR 0xF3

/* State of the one armed expectation (BSP only). */
struct trap_try {
	volatile int armed;
	volatile int expected;	  /* vector */
	volatile uint64_t resume; /* RIP to continue at */
	volatile int caught;	  /* vector caught, -1 if none */
	volatile uint64_t error_code;
	volatile uint64_t fault_rip;
	volatile uint64_t cr2; /* #PF only */
};

extern struct trap_try trap_try;
extern volatile uint32_t trap_counts[256];
/*
 * If set, sees every exception and interrupt first (after counting); returns nonzero when it
 * handled it. It may edit the frame (e.g. to come back from user mode to a kernel continuation).
 */
extern int (*volatile trap_hook)(struct trap_frame *f);

void trap_init(void);
/* Load the (shared) IDT on the calling CPU. */
void trap_load_idt(void);
/* Arm: the next exception `vector` resumes at the label the TRY_INSN macro places. */
void trap_try_arm(int vector);
/* Disarm; returns the vector caught since arming or -1. */
int trap_try_end(void);
/* Called by trap_entry.S. */
void trap_dispatch(struct trap_frame *f);

/*
 * Execute `insn` (an asm string) expecting exception `vector`; evaluates to the vector caught or
 * -1. The remaining arguments are the asm operands without the first colon:
 * TRY_INSN(13, "rdmsr", "=a"(lo), "=d"(hi) : "c"(msr)). Outputs are garbage if it faulted.
 * Any other exception is reported as a test failure.
 */
#define TRY_INSN(vector, insn, ...)                                                                \
	({                                                                                         \
		trap_try_arm(vector);                                                              \
		asm volatile("" ::: "memory");                                                     \
		asm volatile("movq $1729f, trap_try+8(%%rip)\n\t" insn "\n1729:\n" : __VA_ARGS__); \
		asm volatile("" ::: "memory");                                                     \
		trap_try_end();                                                                    \
	})

/* rdmsr/wrmsr that report the vector raised (-1 = none). */
int try_rdmsr(uint32_t msr, uint64_t *val);
int try_wrmsr(uint32_t msr, uint64_t val);

#endif
