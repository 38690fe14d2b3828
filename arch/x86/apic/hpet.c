/* The HPET main counter, used as a calibration reference when ACPI reports one. */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/time.h>
#include <keel/errno.h>
#include <keel/printk.h>

#define HPET_CAP     0x000
#define HPET_CONFIG  0x010
#define HPET_COUNTER 0x0f0
#define HPET_ENABLE  1ULL

static volatile u8 *hpet;
static u64 hpet_period_fs;

int hpet_init(paddr_t base)
{
	u64 cap;

	hpet = ioremap(base, 0x400);
	cap = mmio_read64(hpet + HPET_CAP);
	hpet_period_fs = cap >> 32;
	/* The spec caps the period at 100 ns; 0 or all-ones means no working HPET. */
	if (hpet_period_fs == 0 || hpet_period_fs > 100000000ULL) {
		pr_warn("hpet: bad counter period %llu fs, not using it", hpet_period_fs);
		hpet = NULL;
		return -ENODEV;
	}
	mmio_write64(hpet + HPET_CONFIG, mmio_read64(hpet + HPET_CONFIG) | HPET_ENABLE);
	pr_info("hpet: %llu.%06llu MHz counter at 0x%llx", 1000000000ULL / hpet_period_fs,
		(1000000000000000ULL / hpet_period_fs) % 1000000, base);
	return 0;
}

u64 hpet_wait_ms(unsigned int ms)
{
	u64 start = mmio_read64(hpet + HPET_COUNTER);
	u64 target_fs = (u64)ms * 1000000000000ULL;
	u64 delta;

	do {
		cpu_relax();
		delta = mmio_read64(hpet + HPET_COUNTER) - start;
	} while (delta * hpet_period_fs < target_fs);
	return delta * hpet_period_fs / 1000000;
}
