/* Guest library: run one instruction at CPL 3 and report the exception it raised (or did not). */
#ifndef GUEST_RING3_H
#define GUEST_RING3_H

#include <stdint.h>

/* What ring3_run() saw: the first exception taken in ring 3. */
struct ring3_result {
	int vector;   /* the exception vector; X86_EXC_UD from the stub's ud2 if none */
	uint64_t rip; /* where it was raised */
	uint64_t cs;  /* the code segment it was raised in (CPL in bits 1:0) */
	uint64_t err; /* the error code (0 for vectors without one) */
	uint64_t rax; /* RAX at the exception */
};

/*
 * Prepare CPL 3 once: a GDT with user segments and a TSS (RSP0), and the first 2 MiB (where the
 * guest image is) user-accessible. Idempotent.
 */
void ring3_init(void);
/*
 * Run @stub at CPL 3 with RAX, RCX, RDX set and interrupts off, until it raises an exception
 * (every stub ends in ud2), then come back to CPL 0 with the guest's normal IDT.
 */
struct ring3_result ring3_run(const void *stub, uint64_t rax, uint64_t rcx, uint64_t rdx);

/* Stubs: the instruction, then ud2. ring3_*_insn is the address of the instruction itself. */
extern const char ring3_xsetbv[], ring3_xsetbv_insn[];
extern const char ring3_read_dr0[], ring3_read_dr0_insn[];
extern const char ring3_write_dr7[], ring3_write_dr7_insn[];
extern const char ring3_nop[], ring3_nop_insn[];

#endif
