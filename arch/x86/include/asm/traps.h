/* Trap and interrupt dispatch: exception reporting and per-vector interrupt handlers. */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <asm/regs.h>
#include <asm/x86_defs.h> /* the architectural exception vectors */

/* Vector assignments. */
#define VEC_FIRST_IRQ	0x20
#define VEC_LAPIC_TIMER 0xf0
#define VEC_IPI_PING	0xf1
#define VEC_IPI_CALL	0xf2
#define VEC_IPI_KICK	0xf3 /* just interrupt: leave guest mode, look at softirqs */
#define VEC_SPURIOUS	0xff

typedef void (*irq_handler_t)(struct cpu_regs *regs);

void trap_dispatch(struct cpu_regs *regs);
void irq_register(unsigned int vector, irq_handler_t handler);
/* Print the register frame (used by fatal exceptions and the panic path). */
void dump_regs(const struct cpu_regs *regs);
/* Print a backtrace starting from frame pointer @rbp. */
void backtrace_from(u64 rip, u64 rbp);

#endif
