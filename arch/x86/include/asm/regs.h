/* The register frame saved by the interrupt/exception entry stubs (arch/x86/cpu/entry.S). */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <keel/types.h>

struct cpu_regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	/* pushed by the CPU */
	u64 rip, cs, rflags, rsp, ss;
};

#endif
