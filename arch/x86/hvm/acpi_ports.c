/* The hardware-reduced ACPI registers of a guest's FADT: sleep control/status and reset ports. */
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <keel/compiler.h>
#include <keel/domain.h>
#include <keel/guest_acpi.h>
#include <keel/vcpu.h>
#include <public/sched.h>

/*
 * Keel's guest FADT (common/loader/guest_acpi.c) is hardware-reduced and names these ports, and
 * its DSDT has \_S5 with SLP_TYP 5. Without them, Linux's poweroff would end with every vCPU
 * in HLT with interrupts off and reboot in a triple fault; with them both are one clear write
 * that ends the domain as SCHEDOP_shutdown does. Reads see 0 (no wake status); other sleep
 * types (Keel offers none) and other values are ignored, as hardware would.
 */
static int read_zero(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	*val = 0;
	return 0;
}

static int acpi_port_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	u8 b = (u8)val;

	if (port == GUEST_ACPI_SLEEP_CTL_PORT && (b & GUEST_ACPI_SLP_EN) &&
	    ((b & GUEST_ACPI_SLP_TYP_MASK) >> GUEST_ACPI_SLP_TYP_SHIFT) == GUEST_ACPI_S5_SLP_TYP)
		domain_shutdown(v->domain, SHUTDOWN_poweroff);
	else if (port == GUEST_ACPI_RESET_PORT && b == GUEST_ACPI_RESET_VALUE)
		domain_shutdown(v->domain, SHUTDOWN_reboot);
	return 0;
}

static const struct hvm_io_ops acpi_ports = {.read = read_zero, .write = acpi_port_write};

int hvm_acpi_ports_init(struct domain *d)
{
	BUILD_BUG_ON(GUEST_ACPI_SLEEP_STS_PORT != GUEST_ACPI_SLEEP_CTL_PORT + 1);
	BUILD_BUG_ON(GUEST_ACPI_RESET_PORT != GUEST_ACPI_SLEEP_CTL_PORT + 2);
	return hvm_io_register(&d->arch.ports, GUEST_ACPI_SLEEP_CTL_PORT, 3, "ACPI registers",
			       &acpi_ports, NULL);
}
