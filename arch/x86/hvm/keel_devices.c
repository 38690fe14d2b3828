/* x86: the ports, device pages and GSIs Keel keeps for itself; no domain is given them. */
#include <asm/ioapic.h>
#include <asm/vlapic.h>
#include <keel/acpi.h>
#include <keel/compiler.h>
#include <keel/device_owner.h>
#include <keel/dom0_acpi.h>
#include <keel/guest_acpi.h>
#include <keel/uart.h>

#define PAGE_BYTES 4096ULL

/* Fixed ports Keel drives or filters (what dom0_ports.c keeps from dom0, and more). */
static const struct {
	u16 first, last;
	const char *what;
} keel_ports[] = {
    {0x20, 0x21, "the master 8259 PIC: Keel masks it"},
    {0xa0, 0xa1, "the slave 8259 PIC: Keel masks it"},
    {0x4d0, 0x4d1, "the ELCR: Keel's interrupt routing"},
    {0x40, 0x43, "the PIT: Keel's timer calibration"},
    {0x61, 0x61, "the PIT gate: Keel's timer calibration"},
    {0x70, 0x71, "the CMOS RTC: Keel's wall clock"},
    {0x64, 0x64, "the keyboard controller's command port: a machine reset"},
    {0x92, 0x92, "system control port A: a machine reset"},
    {0xcf8, 0xcff, "PCI configuration and the reset control at 0xcf9"},
    {0x402, 0x402, "the emulator's debug port"},
    {0xf4, 0xf7, "the emulator's exit port"},
    {0x8900, 0x8900, "the emulator's power-off port"},
    {0xe9, 0xe9, "every domain's debug console, emulated by Keel"},
    {GUEST_ACPI_SLEEP_CTL_PORT, GUEST_ACPI_RESET_PORT,
     "every domain's ACPI sleep and reset registers, emulated by Keel"},
};

/* A FADT register block in system I/O space: Keel's power-off, reset and ACPI mode. */
static void reserve_acpi_io(const struct acpi_gas *g, const char *what)
{
	u64 len = MAX(g->bit_width / 8u, 1u);

	if (g->space_id == ACPI_GAS_SYSTEM_IO && g->address && g->address <= 0xffff)
		devown_reserve(DEVOWN_PORT, g->address, MIN(g->address + len - 1, 0xffffULL), what);
}

static void reserve_page(u64 addr, const char *what)
{
	u64 a = ALIGN_DOWN(addr, PAGE_BYTES);

	devown_reserve(DEVOWN_MMIO, a, a + PAGE_BYTES - 1, what);
}

/* The GSI ISA IRQ @irq arrives on: its interrupt source override, else the same number. */
static u32 isa_gsi(const struct acpi_madt_info *m, u8 irq)
{
	for (unsigned int i = 0; i < m->nr_isos && i < ACPI_MAX_ISOS; i++)
		if (m->isos[i].bus == 0 && m->isos[i].source_irq == irq)
			return m->isos[i].gsi;
	return irq;
}

void arch_devices_reserve(void)
{
	const struct acpi_info *ai = acpi_host_info();
	const struct acpi_fadt_info *f = &ai->fadt;
	u16 uart = uart_io_base();

	for (unsigned int i = 0; i < ARRAY_SIZE(keel_ports); i++)
		devown_reserve(DEVOWN_PORT, keel_ports[i].first, keel_ports[i].last,
			       keel_ports[i].what);
	if (uart) {
		devown_reserve(DEVOWN_PORT, uart, uart + 7u, "its console UART");
		/* The standard COM ports' ISA interrupts: the device is Keel's, so is its pin. */
		if (uart == 0x3f8 || uart == 0x3e8 || uart == 0x2f8 || uart == 0x2e8) {
			u32 gsi = isa_gsi(&ai->madt, (uart & 0x100) ? 4 : 3);

			devown_reserve(DEVOWN_GSI, gsi, gsi, "the interrupt of its console UART");
		}
	}
	if (f->smi_cmd && f->smi_cmd <= 0xffff)
		devown_reserve(DEVOWN_PORT, f->smi_cmd, f->smi_cmd, "the ACPI SMI command port");
	reserve_acpi_io(&f->pm1a_evt, "the ACPI PM1a event block");
	reserve_acpi_io(&f->pm1b_evt, "the ACPI PM1b event block");
	reserve_acpi_io(&f->pm1a_cnt, "the ACPI PM1a control block: Keel's power-off");
	reserve_acpi_io(&f->pm1b_cnt, "the ACPI PM1b control block: Keel's power-off");
	reserve_acpi_io(&f->pm_tmr, "the ACPI PM timer");
	if (f->reset_reg_valid)
		reserve_acpi_io(&f->reset_reg, "the ACPI reset register: Keel's reboot");

	/* The local APICs' window (and MSI addresses), the IO-APICs, the HPET, the ECAM window. */
	devown_reserve(DEVOWN_MMIO, APIC_MMIO_BASE, APIC_MMIO_BASE + 0xfffff,
		       "the local APICs and the MSI window");
	for (unsigned int i = 0; i < ai->madt.nr_ioapics && i < ACPI_MAX_IOAPICS; i++)
		reserve_page(ai->madt.ioapics[i].address, "an IO-APIC: Keel routes every pin");
	if (ai->hpet.present && ai->hpet.base.address)
		reserve_page(ai->hpet.base.address, "the HPET: Keel's clock");
	if (ai->mcfg.present) {
		u64 a = ai->mcfg.ecam_base + ((u64)ai->mcfg.bus_start << 20);

		devown_reserve(DEVOWN_MMIO, a,
			       a + (((u64)ai->mcfg.bus_end - ai->mcfg.bus_start + 1) << 20) - 1,
			       "the PCI ECAM window: Keel's config access");
	}
}

bool arch_device_gsi_exists(u32 gsi)
{
	return ioapic_has_gsi(gsi);
}
