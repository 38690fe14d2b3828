/* Machine reboot and poweroff (x86): ACPI first, then the chipset's and the 8042's reset lines. */
#include <asm/io.h>
#include <keel/acpi.h>
#include <keel/power.h>
#include <keel/printk.h>
#include <keel/time.h>

#define PORT_RESET_CONTROL 0xcf9
#define RST_CPU		   0x04 /* reset when this bit goes 0 -> 1 */
#define SYS_RST		   0x02 /* hard reset (full platform) */

#define KBC_STATUS	0x64
#define KBC_CMD		0x64
#define KBC_INPUT_FULL	0x02
#define KBC_PULSE_RESET 0xfe

#define RESET_SETTLE_US 50000u

static void __noreturn halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt" ::: "memory");
}

static void reset_via_cf9(void)
{
	outb(PORT_RESET_CONTROL, SYS_RST);
	udelay(50);
	outb(PORT_RESET_CONTROL, SYS_RST | RST_CPU);
	udelay(RESET_SETTLE_US);
}

static void reset_via_kbc(void)
{
	for (int i = 0; i < 10000 && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
		udelay(10);
	outb(KBC_CMD, KBC_PULSE_RESET);
	udelay(RESET_SETTLE_US);
}

void platform_reboot(void)
{
	__asm__ __volatile__("cli" ::: "memory");
	pr_info("reboot: restarting");
	if (acpi_reset() == 0) {
		udelay(RESET_SETTLE_US);
		pr_warn("reboot: ACPI reset register had no effect");
	}
	reset_via_cf9();
	pr_warn("reboot: port 0xcf9 reset had no effect, trying the keyboard controller");
	reset_via_kbc();
	pr_emerg("reboot: every reset method failed; halted, reset the machine by hand");
	halt_forever();
}

void platform_poweroff(void)
{
	int rc;

	__asm__ __volatile__("cli" ::: "memory");
	pr_info("poweroff: powering off");
	rc = acpi_poweroff();
	pr_emerg("poweroff: ACPI S5 failed (%d); halted, switch the machine off by hand", rc);
	halt_forever();
}
