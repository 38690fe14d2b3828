/* Guest library: IDT setup, exception dispatch, counting and expected-exception recovery. */
#include "trap.h"
#include "console.h"
#include "events.h"
#include "test.h"
#include "x86.h"

#include <stddef.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");
_Static_assert(offsetof(struct trap_try, resume) == 8, "TRY_INSN writes trap_try+8");
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "frame layout matches trap_entry.S");

#define IDT_CODE_SELECTOR  0x08
#define IDT_INTERRUPT_GATE 0x8E /* present, DPL 0, 64-bit interrupt gate */
#define TRAP_STUB_SIZE	   16

extern const char trap_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
struct trap_try trap_try = {.caught = -1};
volatile uint32_t trap_counts[256];
int (*volatile trap_hook)(struct trap_frame *f);

static const char *const exception_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
    "#NP", "#SS", "#GP", "#PF", "15",  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void trap_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t addr = (uint64_t)(uintptr_t)(trap_stubs + v * TRAP_STUB_SIZE);

		idt[v].offset_lo = (uint16_t)addr;
		idt[v].selector = IDT_CODE_SELECTOR;
		idt[v].ist = 0;
		idt[v].type_attr = IDT_INTERRUPT_GATE;
		idt[v].offset_mid = (uint16_t)(addr >> 16);
		idt[v].offset_hi = (uint32_t)(addr >> 32);
		idt[v].reserved = 0;
	}
	trap_load_idt();
}

void trap_load_idt(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} desc = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

	asm volatile("lidt %0" ::"m"(desc) : "memory");
}

void trap_try_arm(int vector)
{
	trap_try.expected = vector;
	trap_try.caught = -1;
	trap_try.error_code = 0;
	trap_try.fault_rip = 0;
	trap_try.cr2 = 0;
	trap_try.resume = 0;
	barrier();
	trap_try.armed = 1;
}

int trap_try_end(void)
{
	trap_try.armed = 0;
	barrier();
	return trap_try.caught;
}

int try_rdmsr(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	int v = TRY_INSN(X86_EXC_GP, "rdmsr", "=a"(lo), "=d"(hi) : "c"(msr));

	*val = v >= 0 ? 0 : ((uint64_t)hi << 32) | lo; /* v < 0: no fault */
	return v;
}

int try_wrmsr(uint32_t msr, uint64_t val)
{
	return TRY_INSN(X86_EXC_GP, "wrmsr",
			: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			: "memory");
}

static const char *vector_name(uint64_t v)
{
	if (v < 32 && exception_names[v])
		return exception_names[v];
	return "interrupt";
}

void trap_dispatch(struct trap_frame *f)
{
	uint64_t v = f->vector & 0xff;

	trap_counts[v]++;
	if (trap_hook && trap_hook(f))
		return;
	if (v == TRAP_UPCALL_VECTOR) {
		events_upcall();
		return;
	}
	if (trap_try.armed && (uint64_t)trap_try.expected == v && trap_try.resume) {
		trap_try.caught = (int)v;
		trap_try.error_code = f->error_code;
		trap_try.fault_rip = f->rip;
		if (v == X86_EXC_PF)
			trap_try.cr2 = read_cr2();
		trap_try.armed = 0;
		f->rip = trap_try.resume;
		return;
	}
	console_break_lock();
	con_printf("trap: unexpected %s (vector %lu) error %#lx at rip %#lx rsp %#lx cr2 %#lx\n",
		   vector_name(v), (unsigned long)v, (unsigned long)f->error_code,
		   (unsigned long)f->rip, (unsigned long)f->rsp, (unsigned long)read_cr2());
	test_fail("unexpected exception %s (vector %lu) at rip %#lx", vector_name(v),
		  (unsigned long)v, (unsigned long)f->rip);
}
