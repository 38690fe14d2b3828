/* x86 bring-up of the boot CPU: boot info, console, memory, paging, ACPI, timers, then the APs. */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/hvm.h>
#include <asm/i8259.h>
#include <asm/ioapic.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/smp.h>
#include <asm/spec_ctrl.h>
#include <asm/time.h>
#include <asm/xstate.h>
#include <keel/acpi.h>
#include <keel/boot_mem.h>
#include <keel/cmdline.h>
#include <keel/console.h>
#include <keel/dom0_acpi.h>
#include <keel/dom0_mem.h>
#include <keel/logbuf.h>
#include <keel/main.h>
#include <keel/mm.h>
#include <keel/multiboot2.h>
#include <keel/panic.h>
#include <keel/pci.h>
#include <keel/printk.h>
#include <keel/uart.h>
#include <keel/wallclock.h>

#define MBI_MAX_LEN	 (1u << 20)
#define AP_TRAMPOLINE_PA 0x8000

extern char __image_start_phys[], __image_end[];
void keel_start(u32 mbi_phys);

static struct boot_info boot_info;
static struct boot_mem boot_mem;
static struct acpi_info acpi_info;

const struct acpi_info *acpi_host_info(void)
{
	return &acpi_info;
}

/* Print what was logged before the console existed. */
static void console_replay_log(void)
{
	char buf[256];
	u64 pos = 0;
	size_t n;

	while ((n = logbuf_read(&keel_log, &pos, buf, sizeof(buf))) > 0)
		console_write(buf, n);
}

static void parse_boot_info(u32 mbi_phys)
{
	const u32 *mbi = paddr_to_virt(mbi_phys);
	u32 len = mbi[0];

	if (mb2_parse(mbi, MIN(len, MBI_MAX_LEN), &boot_info))
		panic("boot: the multiboot2 information is malformed");
	boot_info.mbi_start = mbi_phys;
	boot_info.mbi_end = mbi_phys + len;
}

static void add_free(paddr_t start, paddr_t end, void *ctx)
{
	frames_add_range(start, end);
}

/* Reserve what must never be allocated, set up the frame table, feed RAM below 4 GiB. */
static void memory_init_low(void)
{
	paddr_t max = boot_mem_max_ram(&boot_mem);
	size_t meta_bytes;
	paddr_t meta;

	boot_mem_reserve(&boot_mem, (paddr_t)__image_start_phys,
			 (paddr_t)__image_end - KEEL_VIRT_OFFSET);
	boot_mem_reserve(&boot_mem, ALIGN_DOWN(boot_info.mbi_start, PAGE_SIZE),
			 ALIGN_UP(boot_info.mbi_end, PAGE_SIZE));
	boot_mem_reserve(&boot_mem, AP_TRAMPOLINE_PA, AP_TRAMPOLINE_PA + PAGE_SIZE);
	/* dom0's RAM first (1:1, from the lowest RAM, below 1 MiB too), then the modules. */
	dom0_mem_plan_boot(&boot_mem, &boot_info);
	boot_mem_reserve(&boot_mem, 0, MiB(1)); /* BIOS data, the AP trampoline, real-mode use */

	meta_bytes = frames_meta_bytes(max);
	meta = boot_mem_find_free(&boot_mem, meta_bytes, PAGE_SIZE, MiB(1), GiB(4));
	if (meta == INVALID_PADDR)
		panic("mm: no room below 4 GiB for the %zu-byte frame table", meta_bytes);
	boot_mem_reserve(&boot_mem, meta, ALIGN_UP(meta + meta_bytes, PAGE_SIZE));
	frames_init(max, paddr_to_virt(meta));
	boot_mem_for_each_free(&boot_mem, 0, GiB(4), add_free, NULL);
}

/* The wall clock guests see in shared_info: the CMOS RTC, read once the TSC is calibrated. */
static void read_wallclock(u8 century_index)
{
	u64 sec = 0;
	int rc = cmos_rtc_read(century_index, &sec);

	if (rc) {
		pr_warn("rtc: CMOS clock unreadable (%d): guests see 1970 as the wall-clock time",
			rc);
		return;
	}
	wallclock_set(sec);
	pr_info("rtc: wall clock %llu s since 1970 (UTC)%s", sec,
		century_index ? "" : ", century taken as 20xx");
}

static void report_memory(void)
{
	struct frame_stats st;
	u64 ram = 0;

	for (unsigned int i = 0; i < boot_info.nr_memmap; i++)
		if (boot_info.memmap[i].type == MEM_RAM)
			ram += boot_info.memmap[i].size;
	frames_get_stats(&st);
	mm_report();
	pr_info("keel: RAM %llu MiB, free %llu MiB", ram >> 20, (st.free_frames * PAGE_SIZE) >> 20);
}

static void log_memmap(void)
{
	for (unsigned int i = 0; i < boot_info.nr_memmap; i++) {
		const struct boot_mem_range *r = &boot_info.memmap[i];

		pr_info("  mem %016llx-%016llx type %u", r->start, r->start + r->size - 1, r->type);
	}
}

void keel_start(u32 mbi_phys)
{
	struct percpu *bsp;
	const paddr_t tramp = AP_TRAMPOLINE_PA;

	parse_boot_info(mbi_phys);
	cmdline_parse_all(boot_info.cmdline);
	uart_init();
	console_replay_log();
	pr_info("Keel hypervisor " KEEL_VERSION " starting (loader: %s)", boot_info.loader_name);
	pr_info("command line: %s", boot_info.cmdline);
	log_memmap();

	boot_mem_init(&boot_mem, &boot_info);
	memory_init_low();
	paging_init(boot_mem_max_ram(&boot_mem));
	boot_mem_for_each_free(&boot_mem, GiB(4), ~0ULL, add_free, NULL);
	report_memory();

	i8259_disable();
	idt_init();
	bsp = percpu_alloc(0, 0);
	percpu_load(bsp);
	cpu_control_init();

	if (!boot_info.rsdp_len || acpi_parse(boot_info.rsdp, boot_info.rsdp_len, &acpi_info))
		pr_warn("acpi: no usable ACPI tables: one CPU, no power-off");
	acpi_power_init(&acpi_info);
	pci_conf_init(&acpi_info.mcfg);
	ioapic_init(acpi_info.madt.present ? &acpi_info.madt : NULL);
	platform_clock_init(acpi_info.hpet.present ? acpi_info.hpet.base.address : 0);
	tsc_calibrate();
	read_wallclock(acpi_info.fadt.century);
	lapic_init_cpu();
	bsp->apic_id = lapic_id();
	lapic_timer_calibrate();
	smp_init_ipis();
	spec_ctrl_init();
	hvm_init();
	if (boot_mem_is_ram(&boot_mem, tramp, tramp + PAGE_SIZE))
		smp_boot_aps(acpi_info.madt.present ? &acpi_info.madt : NULL, tramp);
	else
		pr_err("smp: page %llx is not RAM: no room for the AP trampoline, one CPU only",
		       tramp);
	local_irq_enable();
	pr_info("keel: brought up %u CPUs", nr_cpus_online);
	keel_main(&boot_info);
}
