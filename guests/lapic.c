/* Test guest lapic: the virtual LAPIC on one vCPU: registers, timers, self IPIs, x2APIC, upcalls. */
#include "lapic.h"
#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "pvclock.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

#include <public/hvm.h>

const char guest_name[] = "lapic";

#define VEC_TIMER 0x40
#define VEC_SELF  0x50
#define MS	  (1000ull * 1000)

static void check_cpuid(void)
{
	struct cpuid_regs r = cpuid(1), t = cpuid(0xb);

	TEST_CHECK(r.ecx & (1u << 21), "CPUID.1:ECX.x2APIC clear");
	TEST_CHECK(r.ecx & (1u << 24), "CPUID.1:ECX.TSC-deadline clear");
	TEST_CHECK((r.ebx >> 24) == 0, "CPUID.1 APIC ID %u, expected 0", r.ebx >> 24);
	if (cpuid(0).eax >= 0xb)
		TEST_CHECK(t.edx == 0, "CPUID.0xB x2APIC ID %u, expected 0", t.edx);
	/* Offered only where EOIs do not exit (APIC virtualization); the hypercall works anyway. */
	con_printf("lapic: Xen leaf 4 upcall-vector flag %s\n",
		   (cpuid(0x40000004).eax & (1u << 6)) ? "offered" : "not offered");
}

static void check_registers(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	con_printf("lapic: APIC_BASE %#lx ID %#x version %#x\n", (unsigned long)base,
		   lapic_mmio_read(LAPIC_ID), lapic_mmio_read(LAPIC_VERSION));
	TEST_CHECK(base == (LAPIC_BASE | APIC_BASE_EN | APIC_BASE_BSP), "APIC_BASE %#lx",
		   (unsigned long)base);
	TEST_CHECK(lapic_mmio_read(LAPIC_ID) == 0, "xAPIC ID %#x", lapic_mmio_read(LAPIC_ID));
	TEST_CHECK((lapic_mmio_read(LAPIC_VERSION) & 0xff) == 0x14, "version %#x",
		   lapic_mmio_read(LAPIC_VERSION));
	TEST_CHECK(((lapic_mmio_read(LAPIC_VERSION) >> 16) & 0xff) == 6, "max LVT");
	TEST_CHECK(lapic_mmio_read(LAPIC_LVT_TIMER) & LAPIC_LVT_MASKED,
		   "LVT timer unmasked at reset");
	TEST_CHECK(lapic_mmio_read(LAPIC_SVR) == 0xff, "SVR %#x at reset",
		   lapic_mmio_read(LAPIC_SVR));
	/* Software-disabled: an LVT write keeps the mask. */
	lapic_mmio_write(LAPIC_LVT_TIMER, VEC_TIMER);
	TEST_CHECK(lapic_mmio_read(LAPIC_LVT_TIMER) & LAPIC_LVT_MASKED,
		   "LVT unmasked while disabled");
	lapic_enable();
	lapic_mmio_write(LAPIC_TPR, 0x20);
	TEST_CHECK(lapic_mmio_read(LAPIC_TPR) == 0x20, "TPR");
	TEST_CHECK(lapic_mmio_read(LAPIC_PPR) == 0x20, "PPR %#x", lapic_mmio_read(LAPIC_PPR));
	lapic_mmio_write(LAPIC_TPR, 0);
	/* Odd sizes and offsets: dropped or partial, never fatal. */
	*(volatile uint8_t *)(uintptr_t)(LAPIC_BASE + LAPIC_TPR + 1) = 0xff;
	*(volatile uint16_t *)(uintptr_t)(LAPIC_BASE + LAPIC_TPR) = 0xff;
	*(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + LAPIC_TPR + 4) = 0xff;
	*(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + 0x404) = 0xff;
	*(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + 0xffc) = 0xff;
	TEST_CHECK(lapic_mmio_read(LAPIC_TPR) == 0, "odd-sized writes changed TPR to %#x",
		   lapic_mmio_read(LAPIC_TPR));
	TEST_CHECK(*(volatile uint8_t *)(uintptr_t)(LAPIC_BASE + LAPIC_VERSION) == 0x14,
		   "byte read of the version");
	TEST_CHECK(*(volatile uint16_t *)(uintptr_t)(LAPIC_BASE + LAPIC_VERSION + 2) == 6,
		   "word read of the max LVT");
	TEST_CHECK(*(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + LAPIC_VERSION + 4) == 0,
		   "bytes 4-7 of a register slot");
	(void)*(volatile uint64_t *)(uintptr_t)(LAPIC_BASE + LAPIC_ID);
	(void)*(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + 0xffc);
	/* ESR: write then read; a fixed IPI with an illegal vector is a send error. */
	lapic_mmio_write(LAPIC_ESR, 0);
	lapic_send(0, ICR_SELF | 5);
	lapic_mmio_write(LAPIC_ESR, 0);
	TEST_CHECK(lapic_mmio_read(LAPIC_ESR) & (1u << 5), "ESR %#x after an illegal vector",
		   lapic_mmio_read(LAPIC_ESR));
	lapic_mmio_write(LAPIC_ESR, 0);
	TEST_CHECK(lapic_mmio_read(LAPIC_ESR) == 0, "ESR not cleared");
}

static void check_self_ipi_priority(void)
{
	uint32_t old = lapic_irqs[0][VEC_SELF];

	lapic_mmio_write(LAPIC_TPR, 0x60); /* class 6 blocks vector 0x50 */
	lapic_send(0, ICR_SELF | VEC_SELF);
	TEST_CHECK(lapic_mmio_read(LAPIC_IRR + 0x20) & (1u << (VEC_SELF % 32)), "IRR bit not set");
	TEST_CHECK(!lapic_wait_irqs(0, VEC_SELF, old + 1, 5 * MS), "delivered under TPR 0x60");
	lapic_mmio_write(LAPIC_TPR, 0);
	TEST_CHECK(lapic_wait_irqs(0, VEC_SELF, old + 1, 100 * MS), "self IPI lost");
	TEST_CHECK(!(lapic_mmio_read(LAPIC_ISR + 0x20) & (1u << (VEC_SELF % 32))), "ISR after EOI");
	/* Physical destination = own ID, and broadcast: both reach us. */
	lapic_send(0, VEC_SELF);
	lapic_send(0xff, VEC_SELF);
	TEST_CHECK(lapic_wait_irqs(0, VEC_SELF, old + 2, 100 * MS), "physical self IPI lost");
	con_printf("lapic: self IPIs: %u, held off by TPR then delivered\n",
		   lapic_irqs[0][VEC_SELF] - old);
}

static void check_timer_oneshot(void)
{
	uint32_t c1, c2, old = lapic_irqs[0][VEC_TIMER];
	uint64_t t0;

	lapic_write(LAPIC_TDCR, 0xb); /* divide by 1 */
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	t0 = time_now_ns();
	lapic_write(LAPIC_TMICT, 10 * MS); /* 10 ms at the advertised 1 GHz */
	c1 = lapic_read(LAPIC_TMCCT);
	c2 = lapic_read(LAPIC_TMCCT);
	TEST_CHECK(c1 <= 10 * MS && c2 < c1, "current count not decreasing: %u then %u", c1, c2);
	TEST_CHECK(lapic_wait_irqs(0, VEC_TIMER, old + 1, 2000 * MS), "one-shot timer lost");
	con_printf("lapic: one-shot 10 ms fired after %lu us\n",
		   (unsigned long)((time_now_ns() - t0) / 1000));
	TEST_CHECK(time_now_ns() - t0 >= 10 * MS, "one-shot fired early");
	TEST_CHECK(lapic_read(LAPIC_TMCCT) == 0, "count %u after expiry", lapic_read(LAPIC_TMCCT));
	TEST_CHECK(!lapic_wait_irqs(0, VEC_TIMER, old + 2, 30 * MS), "one-shot fired twice");
	/* Masked: counts down, never interrupts. */
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TMICT, 1 * MS);
	TEST_CHECK(!lapic_wait_irqs(0, VEC_TIMER, old + 2, 20 * MS), "masked timer fired");
	TEST_CHECK(lapic_read(LAPIC_TMCCT) == 0, "masked count did not run down");
	/* Divide by 2: twice as slow. */
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
	lapic_write(LAPIC_TDCR, 0);
	lapic_write(LAPIC_TMICT, 100 * MS);
	c1 = lapic_read(LAPIC_TMCCT);
	TEST_CHECK(c1 > 90 * MS, "count %u at divide 2", c1);
	lapic_write(LAPIC_TMICT, 0);
	lapic_write(LAPIC_TDCR, 0xb);
}

static void check_timer_periodic(void)
{
	uint32_t old = lapic_irqs[0][VEC_TIMER], n;
	uint64_t t0 = time_now_ns();

	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIOD | VEC_TIMER);
	lapic_write(LAPIC_TMICT, 2 * MS);
	TEST_CHECK(lapic_wait_irqs(0, VEC_TIMER, old + 5, 2000 * MS), "periodic: fewer than 5");
	n = lapic_irqs[0][VEC_TIMER] - old;
	con_printf("lapic: periodic 2 ms: %u interrupts in %lu us\n", n,
		   (unsigned long)((time_now_ns() - t0) / 1000));
	TEST_CHECK(time_now_ns() - t0 >= 8 * MS, "5 periods in under 8 ms");
	lapic_write(LAPIC_TMICT, 0); /* stops it */
	/* One may have been raised before the stop (IRR): let it in, then expect silence. */
	lapic_wait_irqs(0, VEC_TIMER, ~0u, 3 * MS);
	old = lapic_irqs[0][VEC_TIMER];
	TEST_CHECK(!lapic_wait_irqs(0, VEC_TIMER, old + 1, 20 * MS), "stopped periodic fired");
}

static void check_x2apic(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE), v;
	uint32_t old;

	TEST_CHECK(try_rdmsr(0x802, &v) == X86_EXC_GP, "x2APIC MSR readable in xAPIC mode");
	TEST_CHECK(try_wrmsr(MSR_APIC_BASE, (base & ~APIC_BASE_EN) | APIC_BASE_EXTD) == X86_EXC_GP,
		   "EXTD without EN accepted");
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	TEST_CHECK(lapic_is_x2apic(), "x2APIC mode not entered");
	TEST_CHECK(rdmsr(0x802) == 0, "x2APIC ID %lu", (unsigned long)rdmsr(0x802));
	TEST_CHECK(rdmsr(0x80d) == 1, "x2APIC LDR %#lx", (unsigned long)rdmsr(0x80d));
	TEST_CHECK(lapic_mmio_read(LAPIC_VERSION) == 0xffffffffu, "MMIO answers in x2APIC mode");
	TEST_CHECK(try_wrmsr(MSR_APIC_BASE, base) == X86_EXC_GP, "x2APIC -> xAPIC accepted");
	/* Reserved and read-only registers, bad values: #GP. */
	TEST_CHECK(try_rdmsr(0x831, &v) == X86_EXC_GP, "ICR high readable");
	TEST_CHECK(try_rdmsr(0x80b, &v) == X86_EXC_GP, "EOI readable");
	TEST_CHECK(try_wrmsr(0x802, 5) == X86_EXC_GP, "ID writable");
	TEST_CHECK(try_wrmsr(0x80b, 1) == X86_EXC_GP, "EOI with a non-zero value");
	TEST_CHECK(try_wrmsr(0x808, 1ull << 32) == X86_EXC_GP, "TPR high bits");
	TEST_CHECK(try_wrmsr(0x830, (1ull << 13) | VEC_SELF) == X86_EXC_GP, "ICR bit 13");
	TEST_CHECK(try_wrmsr(0x830, (1ull << 20) | VEC_SELF) == X86_EXC_GP, "ICR bit 20");
	/* Destinations nobody has: dropped. */
	old = lapic_irqs[0][VEC_SELF];
	wrmsr(0x830, (0x12345ull << 32) | VEC_SELF);
	wrmsr(0x830, (0xfffffffeull << 32) | ICR_LOGICAL | VEC_SELF);
	wrmsr(0x830, (2ull << 32) | ICR_INIT);
	wrmsr(0x830, (2ull << 32) | ICR_SIPI | 0x10);
	TEST_CHECK(!lapic_wait_irqs(0, VEC_SELF, old + 1, 5 * MS), "bad destination delivered");
	/* SELF_IPI and logical self. */
	wrmsr(0x83f, VEC_SELF);
	TEST_CHECK(lapic_wait_irqs(0, VEC_SELF, old + 1, 100 * MS), "SELF_IPI lost");
	wrmsr(0x830, (1ull << 32) | ICR_LOGICAL | VEC_SELF);
	TEST_CHECK(lapic_wait_irqs(0, VEC_SELF, old + 2, 100 * MS), "x2APIC logical self lost");
	TEST_CHECK(try_wrmsr(0x83f, 0x100) == X86_EXC_GP, "SELF_IPI bit 8");
}

static void check_tsc_deadline(void)
{
	uint32_t old = lapic_irqs[0][VEC_TIMER];
	uint64_t t0 = time_now_ns(), tsc = rdtsc_ordered();
	wrmsr(0x832, LAPIC_TIMER_TSCDL | VEC_TIMER);
	wrmsr(MSR_TSC_DEADLINE, tsc + 2000000ull); /* 20 M ticks ahead */
	TEST_CHECK(rdmsr(MSR_TSC_DEADLINE) == tsc + 2000000ull, "deadline reads back");
	TEST_CHECK(lapic_wait_irqs(0, VEC_TIMER, old + 1, 5000 * MS), "TSC deadline lost");
	TEST_CHECK(rdtsc_ordered() >= tsc + 2000000ull, "TSC deadline fired early");
	TEST_CHECK(rdmsr(MSR_TSC_DEADLINE) == 0, "deadline not cleared after firing");
	con_printf("lapic: TSC deadline (+2M ticks) fired after %lu us\n",
		   (unsigned long)((time_now_ns() - t0) / 1000));
	/* Masked deadline: no interrupt; past deadline: at once. */
	wrmsr(0x832, LAPIC_LVT_MASKED | LAPIC_TIMER_TSCDL | VEC_TIMER);
	wrmsr(MSR_TSC_DEADLINE, rdtsc_ordered() + 1000);
	TEST_CHECK(!lapic_wait_irqs(0, VEC_TIMER, old + 2, 20 * MS), "masked deadline fired");
	wrmsr(0x832, LAPIC_TIMER_TSCDL | VEC_TIMER);
	wrmsr(MSR_TSC_DEADLINE, 1);
	TEST_CHECK(lapic_wait_irqs(0, VEC_TIMER, old + 2, 100 * MS), "past deadline lost");
	TEST_CHECK(rdmsr(0x839) == 0, "current count in deadline mode");
	wrmsr(0x832, LAPIC_LVT_MASKED);
}

static volatile uint32_t upcall_timer, upcall_in_isr, upcall_irqs;

static void on_timer(evtchn_port_t port, void *ctx)
{
	(void)port;
	(void)ctx;
	upcall_timer++;
}

/* The upcall vector as a LAPIC interrupt: in service while handled, then EOIed. */
static int upcall_hook(struct trap_frame *f)
{
	if ((f->vector & 0xff) != TRAP_UPCALL_VECTOR)
		return 0;
	upcall_irqs++;
	if (lapic_read(LAPIC_ISR + 0x70) & (1u << (TRAP_UPCALL_VECTOR % 32)))
		upcall_in_isr++;
	events_upcall();
	lapic_write(LAPIC_EOI, 0);
	return 1;
}

/* HVMOP_set_evtchn_upcall_vector: VIRQ_TIMER arrives through the LAPIC at vector 0xF3. */
static void check_upcall_vector(void)
{
	struct hvm_evtchn_upcall_vector uv = {.vcpu = 0, .vector = TRAP_UPCALL_VECTOR};
	struct hvm_evtchn_upcall_vector bad = {.vcpu = 7, .vector = TRAP_UPCALL_VECTOR};
	struct hvm_param p = {.domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ, .value = 1};
	evtchn_port_t port;
	long rc;

	TEST_CHECK(hv_hvm_op(HVMOP_set_evtchn_upcall_vector, &bad) == -22, "bad vCPU accepted");
	rc = hv_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv);
	TEST_CHECK(rc == 0, "set_evtchn_upcall_vector returned %ld", rc);
	rc = hv_hvm_op(HVMOP_set_param, &p);
	TEST_CHECK(rc == 0, "CALLBACK_IRQ=1 after it returned %ld", rc);
	trap_hook = upcall_hook;
	rc = events_bind_virq(VIRQ_TIMER, 0, &port, on_timer, 0);
	TEST_CHECK(rc == 0, "bind_virq(VIRQ_TIMER) returned %ld", rc);
	for (int i = 0; i < 3; i++) {
		uint32_t old = upcall_timer;
		uint64_t end = time_now_ns() + 2000 * MS;

		TEST_CHECK(timer_set_abs(time_now_ns() + 2 * MS) == 0, "singleshot");
		while (upcall_timer == old && time_now_ns() < end) {
			safe_halt();
			irq_disable();
		}
		TEST_CHECK(upcall_timer != old, "round %d: VIRQ_TIMER not delivered by the LAPIC",
			   i);
	}
	TEST_CHECK(upcall_in_isr == upcall_irqs, "upcall vector not in service (%u of %u)",
		   upcall_in_isr, upcall_irqs);
	con_printf("lapic: per-vCPU upcall vector: %u upcalls, each in the ISR\n", upcall_irqs);
}

void guest_main(void)
{
	long rc;

	test_require_hv();
	rc = shared_info_map();
	if (rc)
		test_fail("shared_info not mapped (%ld)", rc);
	check_cpuid();
	check_registers();
	check_self_ipi_priority();
	check_timer_oneshot();
	check_timer_periodic();
	check_x2apic();
	check_tsc_deadline();
	/* Disable, then back to xAPIC: registers from reset. */
	wrmsr(MSR_APIC_BASE, LAPIC_BASE | APIC_BASE_BSP);
	TEST_CHECK(try_wrmsr(MSR_APIC_BASE, LAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD) ==
		       X86_EXC_GP,
		   "disabled -> x2APIC accepted");
	wrmsr(MSR_APIC_BASE, LAPIC_BASE | APIC_BASE_EN | APIC_BASE_BSP);
	TEST_CHECK(lapic_mmio_read(LAPIC_SVR) == 0xff, "SVR %#x after disable",
		   lapic_mmio_read(LAPIC_SVR));
	lapic_enable();
	check_upcall_vector();
	test_pass();
}
