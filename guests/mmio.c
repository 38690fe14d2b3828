/* Test guest mmio: unclaimed MMIO in the device window reads as all ones and drops writes. */
#include "console.h"
#include "hypercall.h"
#include "test.h"
#include "x86.h"

const char guest_name[] = "mmio";

/* Addresses in the 0xF0000000-0xFFFFFFFF device window with no device behind them for a domU. */
#define IOAPIC_BASE 0xfec00000ul
#define HPET_BASE   0xfed00000ul

void guest_main(void)
{
	volatile uint32_t *ioapic = (volatile uint32_t *)IOAPIC_BASE;
	volatile uint8_t *hpet8 = (volatile uint8_t *)HPET_BASE;
	volatile uint64_t *hpet64 = (volatile uint64_t *)HPET_BASE;
	uint64_t r64 = 0x1122334455667788ull;
	uint32_t r32;
	uint16_t r16;
	uint8_t r8;

	test_require_hv();
	/* 32-bit load: all ones, zero-extended into the 64-bit register. */
	asm volatile("movl %1, %k0" : "+r"(r64) : "m"(ioapic[4]));
	if (r64 != 0xffffffffull)
		test_fail("32-bit MMIO load gave %#lx, expected 0xffffffff", (unsigned long)r64);
	r32 = ioapic[0];
	if (r32 != 0xffffffffu)
		test_fail("32-bit MMIO read gave %#x", r32);
	r8 = hpet8[3];
	r16 = *(volatile uint16_t *)(HPET_BASE + 0x10);
	if (r8 != 0xff || r16 != 0xffff)
		test_fail("8/16-bit MMIO reads gave %#x/%#x", r8, r16);
	if (hpet64[2] != ~0ull)
		test_fail("64-bit MMIO read was not all ones");
	/* movzx from a byte: 0xff zero-extended. */
	{
		uint32_t z;

		asm volatile("movzbl %1, %0" : "=r"(z) : "m"(hpet8[1]));
		if (z != 0xff)
			test_fail("movzbl from MMIO gave %#x, expected 0xff", z);
	}
	/* Writes vanish: the next read is still all ones, and the guest runs on. */
	ioapic[0] = 0x12345678u;
	hpet64[2] = 0;
	*(volatile uint8_t *)(HPET_BASE + 7) = 0;
	if (ioapic[0] != 0xffffffffu || hpet64[2] != ~0ull)
		test_fail("an MMIO write was not dropped");
	con_printf("mmio: loads of 1, 2, 4 and 8 bytes read all ones; stores were dropped\n");
	test_pass();
}
