/* Symbolized backtraces: frame-pointer walk over Keel's stacks, names from the linked symbol table. */
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <keel/arch.h>
#include <keel/printk.h>

#define BACKTRACE_MAX_FRAMES 32

struct keel_sym {
	u64 addr;
	u32 name_off;
	u32 pad;
};
/* Generated at link time by scripts/gen-symtab.sh, sorted by address. */
extern const struct keel_sym keel_symtab[];
extern const u64 keel_symtab_count;
extern const char keel_symstr[];
extern const char __text_start[], __text_end[];
extern char boot_stack[], boot_stack_top[];

const char *arch_symbolize(u64 addr, u64 *offset, u64 *size)
{
	u64 lo = 0, hi = keel_symtab_count;

	*offset = 0;
	*size = 0;
	if (addr < (u64)__text_start || addr >= (u64)__text_end || hi == 0)
		return NULL;
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (keel_symtab[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (keel_symtab[lo].addr > addr)
		return NULL;
	*offset = addr - keel_symtab[lo].addr;
	*size = (lo + 1 < keel_symtab_count ? keel_symtab[lo + 1].addr : (u64)__text_end) -
		keel_symtab[lo].addr;
	return &keel_symstr[keel_symtab[lo].name_off];
}

static bool in_range(u64 p, u64 lo, u64 hi)
{
	return p >= lo && p + 16 <= hi;
}

/* Is [p, p+16) inside one of this CPU's stacks? Guards the walk against wild frame pointers. */
static bool on_known_stack(u64 p)
{
	struct percpu *c = this_cpu();

	if (in_range(p, (u64)boot_stack, (u64)boot_stack_top))
		return true;
	if (!c)
		return false;
	if (c->stack_top && in_range(p, (u64)c->stack_top - CPU_STACK_SIZE, (u64)c->stack_top))
		return true;
	for (int i = 0; i < IST_COUNT; i++)
		if (c->ist_top[i] &&
		    in_range(p, (u64)c->ist_top[i] - IST_STACK_SIZE, (u64)c->ist_top[i]))
			return true;
	return false;
}

/* @lookup is the address used for the name: a return address minus one lies inside the call. */
static void print_frame(u64 rip, u64 lookup)
{
	u64 off, size;
	const char *name = arch_symbolize(lookup, &off, &size);

	if (name)
		pr_emerg("  [<%016llx>] %s+0x%llx/0x%llx", rip, name, off + (rip - lookup), size);
	else
		pr_emerg("  [<%016llx>] ?", rip);
}

void backtrace_from(u64 rip, u64 rbp)
{
	print_frame(rip, rip);
	for (int depth = 0; depth < BACKTRACE_MAX_FRAMES; depth++) {
		const u64 *frame = (const u64 *)rbp;

		if (!rbp || (rbp & 7) || !on_known_stack(rbp))
			return;
		rip = frame[1];
		if (!rip)
			return;
		print_frame(rip, rip - 1);
		rbp = frame[0];
	}
	pr_emerg("  ... (truncated)");
}

void arch_backtrace_here(void)
{
	u64 rbp = (u64)__builtin_frame_address(0);

	backtrace_from((u64)__builtin_return_address(0), ((const u64 *)rbp)[0]);
}
