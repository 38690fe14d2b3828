/* Starting application processors (INIT-SIPI-SIPI) and the IPIs CPUs use to talk to each other. */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/smp.h>
#include <asm/traps.h>
#include <asm/xstate.h>
#include <keel/arch.h>
#include <keel/cmdline.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/runloop.h>
#include <keel/string.h>
#include <keel/time.h>
#include <keel/timer.h>

#define AP_START_TIMEOUT_US 200000

extern char ap_trampoline[], ap_trampoline_end[];
extern char tramp_gdt_desc[], tramp_far32[], tramp_far64[], tramp_cr3[];
extern const u64 tramp_gdt_off, tramp_32_off, tramp_64_off;
extern u64 boot_pml4[];

/* Handed to the starting AP by ap_entry64 (one AP starts at a time). */
void *ap_boot_stack;
struct percpu *ap_boot_percpu;

static u64 opt_maxcpus = MAX_CPUS;
KEEL_PARAM_UINT(maxcpus, opt_maxcpus, "start at most this many CPUs (default: all, up to 64)");

/*
 * A cross-CPU call goes through the target's slot. A caller owns the slot (claimed) from posting
 * to its return; the call moves IDLE -> POSTED -> RUNNING (the target took it) -> DONE, or back
 * from POSTED to IDLE (the caller withdrew it in time). Both moves out of POSTED are one
 * compare-and-swap, so a withdrawn call can never start later: its arguments may live on the
 * caller's stack.
 */
enum call_state { CALL_IDLE, CALL_POSTED, CALL_RUNNING, CALL_DONE };

struct call_slot {
	bool claimed; /* a caller owns the slot */
	void (*fn)(void *);
	void *arg;
	enum call_state state;
};
static struct call_slot call_slots[MAX_CPUS];

void ap_main(struct percpu *p);

static void timer_interrupt(struct cpu_regs *regs)
{
	this_cpu()->timer_ticks++;
	timer_interrupt_run();
}

static void kick_handler(struct cpu_regs *regs)
{ /* leaving guest mode was the point */
}

void arch_timer_program(u64 deadline_ns)
{
	u64 now = now_ns();

	if (!deadline_ns)
		lapic_timer_stop();
	else
		lapic_timer_oneshot_ns(deadline_ns > now + 1000 ? deadline_ns - now : 1000);
}
static void ping_handler(struct cpu_regs *regs)
{
	this_cpu()->ipi_pings++;
}

/* Run the call posted in this CPU's slot, unless its caller withdrew it first. */
static void call_handler(struct cpu_regs *regs)
{
	struct call_slot *s = &call_slots[smp_processor_id()];
	enum call_state posted = CALL_POSTED;

	if (__atomic_compare_exchange_n(&s->state, &posted, CALL_RUNNING, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		s->fn(s->arg);
		__atomic_store_n(&s->state, CALL_DONE, __ATOMIC_RELEASE);
	}
}

void smp_init_ipis(void)
{
	irq_register(VEC_LAPIC_TIMER, timer_interrupt);
	irq_register(VEC_IPI_KICK, kick_handler);
	irq_register(VEC_IPI_PING, ping_handler);
	irq_register(VEC_IPI_CALL, call_handler);
}

static void cpu_go_online(struct percpu *p)
{
	lapic_init_cpu();
	BUG_ON(lapic_id() != p->apic_id);
	timer_cpu_init(p->cpu);
	if (hvm_available && hvm_cpu_enable())
		pr_err("smp: CPU %u cannot run guests (virtualization would not enable)", p->cpu);
	__atomic_add_fetch(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&p->online, true, __ATOMIC_RELEASE);
}

void ap_main(struct percpu *p)
{
	percpu_load(p);
	cpu_control_init(); /* as the boot CPU did: caches, SMEP, FPU bits, XCR0 */
	cpu_go_online(p);
	while (!READ_ONCE(runloop_started))
		safe_halt();
	cpu_run_loop();
}

void runloop_start(void)
{
	WRITE_ONCE(runloop_started, true);
	for (unsigned int c = 1; c < MAX_CPUS; c++)
		if (cpu_table[c] && cpu_table[c]->online)
			lapic_send_ipi(cpu_table[c]->apic_id, APIC_DM_FIXED, VEC_IPI_KICK);
}

static void trampoline_install(paddr_t pa)
{
	u8 *t = paddr_to_virt(pa);
	size_t len = (size_t)(ap_trampoline_end - ap_trampoline);

	BUG_ON(len > PAGE_SIZE || pa >= MiB(1) || !IS_ALIGNED(pa, PAGE_SIZE));
	memcpy(t, ap_trampoline, len);
	*(u32 *)(t + (tramp_gdt_desc - ap_trampoline) + 2) = (u32)(pa + tramp_gdt_off);
	*(u32 *)(t + (tramp_far32 - ap_trampoline)) = (u32)(pa + tramp_32_off);
	*(u32 *)(t + (tramp_far64 - ap_trampoline)) = (u32)(pa + tramp_64_off);
	/* The boot page tables map the trampoline 1:1 and the image; the AP then loads keel_cr3. */
	*(u64 *)(t + (tramp_cr3 - ap_trampoline)) =
	    (u64)boot_pml4; /* linked at its physical address */
}

static bool wait_online(struct percpu *p, u64 us)
{
	for (u64 t = 0; t < us; t += 100) {
		if (__atomic_load_n(&p->online, __ATOMIC_ACQUIRE))
			return true;
		udelay(100);
	}
	return __atomic_load_n(&p->online, __ATOMIC_ACQUIRE);
}

static bool start_ap(unsigned int cpu, u32 apic_id, paddr_t tramp_pa)
{
	struct percpu *p = percpu_alloc(cpu, apic_id);

	ap_boot_percpu = p;
	ap_boot_stack = p->stack_top;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send_ipi(apic_id, APIC_DM_INIT, 0);
	udelay(10000);
	lapic_send_ipi(apic_id, APIC_DM_SIPI, (u8)(tramp_pa >> 12));
	udelay(200);
	if (!p->online)
		lapic_send_ipi(apic_id, APIC_DM_SIPI, (u8)(tramp_pa >> 12));
	if (wait_online(p, AP_START_TIMEOUT_US))
		return true;
	pr_err("smp: CPU %u (APIC id %u) did not come online", cpu, apic_id);
	return false;
}

void smp_boot_aps(const struct acpi_madt_info *madt, paddr_t tramp_pa)
{
	u32 bsp_apic = lapic_id();
	unsigned int next = 1;

	cpu_go_online(cpu_table[0]);
	trampoline_install(tramp_pa);
	for (unsigned int i = 0; madt && i < madt->nr_cpus; i++) {
		const struct acpi_cpu *c = &madt->cpus[i];

		if (!(c->flags & ACPI_CPU_ENABLED) || c->apic_id == bsp_apic)
			continue;
		if (next >= opt_maxcpus || next >= MAX_CPUS) {
			pr_info("smp: not starting APIC id %u (maxcpus=%llu)", c->apic_id,
				opt_maxcpus);
			continue;
		}
		if (start_ap(next, c->apic_id, tramp_pa))
			next++;
		else
			cpu_table[next] =
			    NULL; /* its block is leaked deliberately: the CPU may wake later */
	}
	nr_cpus_possible = next;
}

/* Whether @deadline (now_ns() time) has passed; spins meanwhile serve calls sent to this CPU. */
static bool call_wait_step(u64 deadline)
{
	call_handler(NULL); /* two CPUs may be calling each other with interrupts off */
	cpu_relax();
	return (s64)(now_ns() - deadline) >= 0;
}

int smp_call_on(unsigned int cpu, void (*fn)(void *), void *arg, u64 timeout_ns)
{
	u64 deadline = now_ns() + timeout_ns;
	enum call_state posted = CALL_POSTED;
	struct call_slot *s;
	bool unclaimed = false;

	if (cpu >= MAX_CPUS || !cpu_table[cpu] || !cpu_table[cpu]->online)
		return -ENODEV;
	if (cpu == smp_processor_id()) {
		fn(arg);
		return 0;
	}
	s = &call_slots[cpu];
	/* Another caller may own the target's slot: wait for it, within the same time bound. */
	while (!__atomic_compare_exchange_n(&s->claimed, &unclaimed, true, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		unclaimed = false;
		if (call_wait_step(deadline))
			return -ETIMEDOUT; /* nothing was posted: nothing can run */
	}
	s->fn = fn;
	s->arg = arg;
	__atomic_store_n(&s->state, CALL_POSTED, __ATOMIC_RELEASE);
	lapic_send_ipi(cpu_table[cpu]->apic_id, APIC_DM_FIXED, VEC_IPI_CALL);
	while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != CALL_DONE) {
		if (!call_wait_step(deadline))
			continue;
		/* Out of time: withdraw the call unless the target has already started it. */
		if (__atomic_compare_exchange_n(&s->state, &posted, CALL_IDLE, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&s->claimed, false, __ATOMIC_RELEASE);
			return -ETIMEDOUT;
		}
		posted = CALL_POSTED;
		/* It is running: a started call is waited for to its end. */
		while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != CALL_DONE)
			call_wait_step(deadline);
	}
	__atomic_store_n(&s->state, CALL_IDLE, __ATOMIC_RELAXED);
	__atomic_store_n(&s->claimed, false, __ATOMIC_RELEASE);
	return 0;
}

void smp_ping(unsigned int cpu)
{
	if (cpu < MAX_CPUS && cpu_table[cpu])
		lapic_send_ipi(cpu_table[cpu]->apic_id, APIC_DM_FIXED, VEC_IPI_PING);
}

void arch_stop_other_cpus(void)
{
	if (nr_cpus_online <= 1 || !lapic_timer_khz)
		return;
	lapic_send_nmi_allbutself();
	for (int i = 0; i < 1000; i++) {
		unsigned int alive = 0;

		for (unsigned int c = 0; c < MAX_CPUS; c++)
			if (cpu_table[c] && cpu_table[c]->online && c != arch_cpu_id())
				alive++;
		if (!alive)
			return;
		udelay(100);
	}
}
