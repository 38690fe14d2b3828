/* Test guest lapic_smp: INIT-SIPI-SIPI into a real-mode trampoline, IPIs between two vCPUs (xAPIC, x2APIC). */
#include "console.h"
#include "hypercall.h"
#include "lapic.h"
#include "pvclock.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

#include <public/vcpu.h>

const char guest_name[] = "lapic_smp";

#define MS	      (1000ull * 1000)
#define TRAMP_VECTOR  0x08 /* CS:IP = 0800:0000, physical 0x8000 */
#define TRAMP_ADDR    (TRAMP_VECTOR << 12)
#define AP_STACK_SIZE 16384
#define VEC_FIXED     0x51
#define VEC_LOGICAL   0x52
#define VEC_OTHERS    0x53
#define VEC_ALL	      0x54
#define VEC_CLUSTER   0x55
#define VEC_AFTER     0x56
#define VEC_X2APIC    0x57
#define X2APIC_ROUNDS 200
#define SIPI_STORM    2000

/*
 * Real-mode trampoline, copied to TRAMP_ADDR: records CS, loads its own GDT, enters protected
 * mode and jumps to the library's 32-bit AP entry with EBX = the stack the BSP patched in.
 */
extern const char tramp_start[], tramp_end[], tramp_gdtr[], tramp_stack[], tramp_jump[];
extern const char tramp_cs[], tramp_gdt[];
asm(".section .rodata\n"
    ".code16\n"
    ".globl tramp_start, tramp_end, tramp_gdtr, tramp_stack, tramp_jump, tramp_cs, tramp_gdt\n"
    "tramp_start:\n"
    "	cli\n"
    "	mov %cs, %ax\n"
    "	mov %ax, %ds\n"
    "	mov %ax, (tramp_cs - tramp_start)\n"
    "	lgdtl (tramp_gdtr - tramp_start)\n"
    "	movl (tramp_stack - tramp_start), %ebx\n"
    "	movl %cr0, %eax\n"
    "	orl $1, %eax\n"
    "	movl %eax, %cr0\n"
    "	mov $0x10, %ax\n" /* flat data: the 32-bit entry addresses through DS */
    "	mov %ax, %ds\n"
    "	ljmpl *%cs:(tramp_jump - tramp_start)\n"
    "	.p2align 3\n"
    "tramp_gdt:\n"
    "	.quad 0, 0x00af9a000000ffff, 0x00cf92000000ffff, 0x00cf9a000000ffff\n"
    "tramp_gdtr:\n"
    "	.word 31\n"
    "	.long 0\n"
    "tramp_stack:\n"
    "	.long 0\n"
    "tramp_jump:\n"
    "	.long 0\n"
    "	.word 0x18\n"
    "tramp_cs:\n"
    "	.word 0\n"
    "tramp_end:\n"
    ".code64\n"
    ".text\n");

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
static volatile int ap_ready, ap_stop, ap_x2apic; /* ap_x2apic: 1 asked, 2 done */

static void patch32(const char *field, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)(TRAMP_ADDR + (field - tramp_start)) = val;
}

static void ap_main(void)
{
	lapic_enable();
	lapic_write(LAPIC_LDR, 0x02000000u); /* flat logical bit 1 */
	__atomic_store_n(&ap_ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&ap_stop, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&ap_x2apic, __ATOMIC_ACQUIRE) == 1) {
			wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
			__atomic_store_n(&ap_x2apic, 2, __ATOMIC_RELEASE);
		}
		safe_halt();
		irq_disable();
	}
}

static int wait_flag(volatile int *flag, uint64_t limit_ns)
{
	uint64_t end = time_now_ns() + limit_ns;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE) && time_now_ns() < end)
		cpu_relax();
	return *flag;
}

static void start_ap(void)
{
	volatile uint8_t *dst = (volatile uint8_t *)(uintptr_t)TRAMP_ADDR;
	uint16_t cs;

	for (const char *p = tramp_start; p < tramp_end; p++)
		dst[p - tramp_start] = (uint8_t)*p;
	patch32(tramp_gdtr + 2, TRAMP_ADDR + (uint32_t)(tramp_gdt - tramp_start));
	patch32(tramp_stack, (uint32_t)(uintptr_t)(ap_stack + sizeof(ap_stack)));
	patch32(tramp_jump, (uint32_t)(uintptr_t)pvh_ap_entry32);
	guest_ap_main = ap_main;

	/* A SIPI without INIT first does nothing. */
	lapic_send(2, ICR_SIPI | TRAMP_VECTOR);
	TEST_CHECK(!wait_flag(&ap_ready, 50 * MS), "SIPI without INIT started the AP");
	TEST_CHECK(hv_vcpu_op(VCPUOP_is_up, 1, 0) == 0, "vCPU 1 up without INIT");
	lapic_send(2, ICR_INIT);
	lapic_send(2, ICR_SIPI | TRAMP_VECTOR);
	lapic_send(2, ICR_SIPI | 0x20); /* the second SIPI (another vector) is ignored */
	TEST_CHECK(wait_flag(&ap_ready, 5000 * MS), "AP did not start within 5 s of INIT-SIPI");
	cs = *(volatile uint16_t *)(uintptr_t)(TRAMP_ADDR + (tramp_cs - tramp_start));
	con_printf("lapic_smp: AP started in real mode with CS %#x\n", cs);
	TEST_CHECK(cs == TRAMP_VECTOR << 8, "AP CS %#x, expected %#x", cs, TRAMP_VECTOR << 8);
	TEST_CHECK(hv_vcpu_op(VCPUOP_is_up, 1, 0) == 1, "VCPUOP_is_up(1) after SIPI");
	TEST_CHECK(hv_vcpu_op(VCPUOP_up, 1, 0) == 0, "VCPUOP_up on a SIPI-started vCPU");
}

static void check_ipis(void)
{
	lapic_send(2, VEC_FIXED); /* physical */
	TEST_CHECK(lapic_wait_irqs(1, VEC_FIXED, 1, 1000 * MS), "fixed physical IPI lost");
	lapic_send(0x02, ICR_LOGICAL | VEC_LOGICAL); /* flat logical: the AP */
	TEST_CHECK(lapic_wait_irqs(1, VEC_LOGICAL, 1, 1000 * MS), "flat logical IPI lost");
	lapic_send(0x01, ICR_LOGICAL | VEC_LOGICAL); /* flat logical: ourselves */
	TEST_CHECK(lapic_wait_irqs(0, VEC_LOGICAL, 1, 1000 * MS), "flat logical self lost");
	TEST_CHECK(lapic_irqs[1][VEC_LOGICAL] == 1, "logical 0x01 reached the AP");
	lapic_send(0, ICR_OTHERS | VEC_OTHERS);
	TEST_CHECK(lapic_wait_irqs(1, VEC_OTHERS, 1, 1000 * MS), "all-but-self lost");
	TEST_CHECK(!lapic_wait_irqs(0, VEC_OTHERS, 1, 10 * MS), "all-but-self reached the sender");
	lapic_send(0, ICR_ALL | VEC_ALL);
	TEST_CHECK(lapic_wait_irqs(0, VEC_ALL, 1, 1000 * MS), "all-including-self: not self");
	TEST_CHECK(lapic_wait_irqs(1, VEC_ALL, 1, 1000 * MS), "all-including-self: not the AP");
	lapic_send(0xff, VEC_ALL); /* physical broadcast */
	TEST_CHECK(lapic_wait_irqs(1, VEC_ALL, 2, 1000 * MS), "broadcast missed the AP");
	TEST_CHECK(lapic_wait_irqs(0, VEC_ALL, 2, 1000 * MS), "broadcast missed the BSP");
	lapic_send(0x40, VEC_FIXED); /* nobody has APIC ID 0x40 */
	/* Cluster model: cluster 1, the AP is member bit 1. */
	lapic_write(LAPIC_DFR, 0x0fffffffu);
	lapic_write(LAPIC_LDR, 0x11000000u);
	lapic_send(0x21, ICR_LOGICAL | VEC_CLUSTER); /* cluster 2: nobody (the AP is flat 0x02) */
	TEST_CHECK(!lapic_wait_irqs(0, VEC_CLUSTER, 1, 20 * MS), "cluster 2 reached cluster 1");
	TEST_CHECK(lapic_irqs[1][VEC_CLUSTER] == 0, "cluster 2 reached the AP");
	lapic_send(0x11, ICR_LOGICAL | VEC_CLUSTER);
	TEST_CHECK(lapic_wait_irqs(0, VEC_CLUSTER, 1, 1000 * MS), "cluster IPI to self lost");
	lapic_write(LAPIC_DFR, 0xffffffffu);
	lapic_write(LAPIC_LDR, 0x01000000u);
	lapic_send(2, ICR_NMI);
	TEST_CHECK(wait_flag((volatile int *)&lapic_nmis[1], 1000 * MS), "NMI IPI lost");
	con_printf(
	    "lapic_smp: fixed, logical, shorthand, broadcast, cluster and NMI IPIs arrived\n");
}

static void sipi_storm(void)
{
	volatile uint16_t *cs =
	    (volatile uint16_t *)(uintptr_t)(TRAMP_ADDR + (tramp_cs - tramp_start));
	uint64_t t0 = time_now_ns();

	*cs = 0; /* a restarted AP would write its CS here again */
	for (int i = 0; i < SIPI_STORM; i++) {
		lapic_send(2, (i & 1 ? ICR_INIT : ICR_SIPI) | (i & 0xff));
		lapic_send(0, ICR_SIPI | ICR_OTHERS | 0x10);
	}
	con_printf("lapic_smp: %d INIT/SIPI at the running AP in %lu us\n", 2 * SIPI_STORM,
		   (unsigned long)((time_now_ns() - t0) / 1000));
	lapic_send(2, VEC_AFTER);
	TEST_CHECK(lapic_wait_irqs(1, VEC_AFTER, 1, 1000 * MS), "AP deaf after the SIPI storm");
	TEST_CHECK(*cs == 0, "the storm restarted the AP (CS %#x)", *cs);
}

/*
 * Both vCPUs in x2APIC mode (where Keel may let the CPU deliver and EOI them): fixed IPIs to the
 * halted AP, one at a time, each woken, taken and EOIed; then a burst of them and one back.
 */
static void check_x2apic_ipis(void)
{
	uint64_t end = time_now_ns() + 1000 * MS;
	uint32_t base;
	int i;

	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
	__atomic_store_n(&ap_x2apic, 1, __ATOMIC_RELEASE);
	lapic_send(2, VEC_X2APIC); /* wakes the AP, which then switches */
	while (__atomic_load_n(&ap_x2apic, __ATOMIC_ACQUIRE) != 2 && time_now_ns() < end)
		cpu_relax();
	TEST_CHECK(ap_x2apic == 2, "AP did not enter x2APIC mode");
	TEST_CHECK(lapic_wait_irqs(1, VEC_X2APIC, 1, 1000 * MS), "first x2APIC IPI lost");
	base = lapic_irqs[1][VEC_X2APIC];
	for (i = 0; i < X2APIC_ROUNDS; i++) {
		lapic_send(2, VEC_X2APIC);
		if (!lapic_wait_irqs(1, VEC_X2APIC, base + i + 1, 1000 * MS))
			break;
	}
	TEST_CHECK(i == X2APIC_ROUNDS, "x2APIC IPI %d of %d to the halted AP lost", i + 1,
		   X2APIC_ROUNDS);
	lapic_send(0, ICR_ALL | VEC_X2APIC);
	TEST_CHECK(lapic_wait_irqs(0, VEC_X2APIC, 1, 1000 * MS),
		   "x2APIC all-including-self: not self");
	TEST_CHECK(lapic_wait_irqs(1, VEC_X2APIC, base + X2APIC_ROUNDS + 1, 1000 * MS),
		   "x2APIC all-including-self: not the AP");
	con_printf("lapic_smp: x2APIC mode: %d IPIs to the halted AP arrived\n", X2APIC_ROUNDS);
}

void guest_main(void)
{
	long rc;

	test_require_hv();
	rc = shared_info_map();
	if (rc)
		test_fail("shared_info not mapped (%ld)", rc);
	lapic_enable();
	lapic_write(LAPIC_LDR, 0x01000000u);
	start_ap();
	check_ipis();
	sipi_storm();
	check_x2apic_ipis();
	__atomic_store_n(&ap_stop, 1, __ATOMIC_RELEASE);
	lapic_send(2, VEC_AFTER);
	test_pass();
}
