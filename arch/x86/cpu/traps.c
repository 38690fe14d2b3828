/* Exception and interrupt dispatch: fatal exceptions dump state and panic; IRQs go to handlers. */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <keel/arch.h>
#include <keel/panic.h>
#include <keel/printk.h>

static irq_handler_t irq_handlers[256];
extern volatile int panic_in_progress;

static const char *const exception_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
};

void irq_register(unsigned int vector, irq_handler_t handler)
{
	BUG_ON(vector < VEC_FIRST_IRQ || vector > 0xff);
	irq_handlers[vector] = handler;
}

void dump_regs(const struct cpu_regs *r)
{
	u64 off, size;
	const char *sym = arch_symbolize(r->rip, &off, &size);

	pr_emerg("RIP: %04llx:%016llx %s+0x%llx  RFLAGS: %016llx", r->cs, r->rip, sym ? sym : "?",
		 off, r->rflags);
	pr_emerg("RSP: %04llx:%016llx  ERR: %016llx  VEC: %llu", r->ss, r->rsp, r->error_code,
		 r->vector);
	pr_emerg("RAX: %016llx RBX: %016llx RCX: %016llx", r->rax, r->rbx, r->rcx);
	pr_emerg("RDX: %016llx RSI: %016llx RDI: %016llx", r->rdx, r->rsi, r->rdi);
	pr_emerg("RBP: %016llx R8:  %016llx R9:  %016llx", r->rbp, r->r8, r->r9);
	pr_emerg("R10: %016llx R11: %016llx R12: %016llx", r->r10, r->r11, r->r12);
	pr_emerg("R13: %016llx R14: %016llx R15: %016llx", r->r13, r->r14, r->r15);
	pr_emerg("CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx", read_cr0(), read_cr2(),
		 read_cr3(), read_cr4());
}

static void nmi_handler(struct cpu_regs *regs)
{
	if (READ_ONCE(panic_in_progress)) {
		/* Another CPU panicked and asked everyone to stop. */
		this_cpu()->online = false;
		arch_halt_cpu();
	}
	pr_warn("traps: unexpected NMI on CPU %u at %016llx", smp_processor_id(), regs->rip);
}

static __noreturn void fatal_exception(struct cpu_regs *regs)
{
	u64 off, size;
	const char *sym = arch_symbolize(regs->rip, &off, &size);
	const char *name =
	    exception_names[regs->vector] ? exception_names[regs->vector] : "reserved";

	/* A fault while already reporting one: do not recurse, just stop. */
	if (++this_cpu()->nesting > 2)
		arch_halt_cpu();
	pr_emerg("*** Keel fault: %s (vector %llu) on CPU %u", name, regs->vector, arch_cpu_id());
	dump_regs(regs);
	pr_emerg("Backtrace of the faulting code:");
	backtrace_from(regs->rip, regs->rbp);
	panic("fatal %s in %s+0x%llx", name, sym ? sym : "?", off);
}

void trap_dispatch(struct cpu_regs *regs)
{
	u64 vec = regs->vector;

	if (vec == 2) {
		nmi_handler(regs);
		return;
	}
	if (vec < VEC_FIRST_IRQ)
		fatal_exception(regs);
	if (vec == VEC_SPURIOUS)
		return;
	if (irq_handlers[vec])
		irq_handlers[vec](regs);
	else
		pr_warn("traps: unhandled interrupt vector 0x%llx on CPU %u", vec, arch_cpu_id());
	lapic_eoi();
}
