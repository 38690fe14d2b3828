/* ACPI fixed-hardware power control (x86): S5 soft-off through PM1x_CNT and the FADT reset register. */
#include <asm/io.h>
#include <keel/acpi.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/time.h>

#define PM1_SCI_EN	  (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN	  (1u << 13)

#define ACPI_ENABLE_POLL_MS 300

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc

/* A register reached through a GAS; memory-space registers are mapped on first use. */
struct acpi_reg {
	struct acpi_gas gas;
	volatile u8 *mmio;
};

static struct {
	bool fadt;
	bool hw_reduced;
	bool s5_valid;
	u8 slp_typa, slp_typb;
	u32 smi_cmd;
	u8 acpi_enable;
	struct acpi_reg pm1a_cnt, pm1b_cnt;
	bool reset_valid;
	u8 reset_value;
	struct acpi_reg reset;
} acpi_pm;

void acpi_power_init(const struct acpi_info *ai)
{
	memset(&acpi_pm, 0, sizeof(acpi_pm));
	if (!ai->fadt.present)
		return;
	acpi_pm.fadt = true;
	acpi_pm.hw_reduced = ai->fadt.flags & ACPI_FADT_HW_REDUCED;
	acpi_pm.s5_valid = ai->s5.valid;
	acpi_pm.slp_typa = ai->s5.slp_typa;
	acpi_pm.slp_typb = ai->s5.slp_typb;
	acpi_pm.smi_cmd = ai->fadt.smi_cmd;
	acpi_pm.acpi_enable = ai->fadt.acpi_enable;
	acpi_pm.pm1a_cnt.gas = ai->fadt.pm1a_cnt;
	acpi_pm.pm1b_cnt.gas = ai->fadt.pm1b_cnt;
	acpi_pm.reset_valid = ai->fadt.reset_reg_valid;
	acpi_pm.reset.gas = ai->fadt.reset_reg;
	acpi_pm.reset_value = ai->fadt.reset_value;
}

static int reg_io_port(const struct acpi_reg *r, u16 *port)
{
	if (r->gas.address > 0xffff) {
		pr_err("acpi: I/O register 0x%llx out of port range",
		       (unsigned long long)r->gas.address);
		return -EINVAL;
	}
	*port = (u16)r->gas.address;
	return 0;
}

static volatile u8 *reg_mmio(struct acpi_reg *r)
{
	if (!r->mmio)
		r->mmio = ioremap(r->gas.address, 8);
	return r->mmio;
}

/* Read @width bits (8, 16 or 32) from a system I/O or memory register. */
static int reg_read(struct acpi_reg *r, unsigned int width, u32 *val)
{
	u16 port;
	int rc;

	switch (r->gas.space_id) {
	case ACPI_GAS_SYSTEM_IO:
		rc = reg_io_port(r, &port);
		if (rc)
			return rc;
		*val = width == 8 ? inb(port) : width == 16 ? inw(port) : inl(port);
		return 0;
	case ACPI_GAS_SYSTEM_MEMORY: {
		volatile u8 *p = reg_mmio(r);

		*val = width == 8 ? *p : width == 16 ? *(volatile u16 *)p : mmio_read32(p);
		return 0;
	}
	default:
		pr_err("acpi: register in address space %u not supported", r->gas.space_id);
		return -EOPNOTSUPP;
	}
}

/* Write @width bits (8, 16 or 32) to a system I/O, memory or (8-bit) PCI config register. */
static int reg_write(struct acpi_reg *r, unsigned int width, u32 val)
{
	u16 port;
	int rc;

	switch (r->gas.space_id) {
	case ACPI_GAS_SYSTEM_IO:
		rc = reg_io_port(r, &port);
		if (rc)
			return rc;
		if (width == 8)
			outb(port, (u8)val);
		else if (width == 16)
			outw(port, (u16)val);
		else
			outl(port, val);
		return 0;
	case ACPI_GAS_SYSTEM_MEMORY: {
		volatile u8 *p = reg_mmio(r);

		if (width == 8)
			*p = (u8)val;
		else if (width == 16)
			*(volatile u16 *)p = (u16)val;
		else
			mmio_write32(p, val);
		return 0;
	}
	case ACPI_GAS_PCI_CONFIG: {
		/* Segment 0, bus 0: device in bits 47:32, function in 31:16, offset in 15:0. */
		u64 a = r->gas.address;
		u32 dev = (a >> 32) & 0xffff, fn = (a >> 16) & 0xffff, off = a & 0xffff;

		if (width != 8 || dev > 31 || fn > 7 || off > 0xff)
			return -EOPNOTSUPP;
		outl(PCI_CONF_ADDR, 0x80000000u | (dev << 11) | (fn << 8) | (off & 0xfc));
		outb(PCI_CONF_DATA + (off & 3), (u8)val);
		return 0;
	}
	default:
		pr_err("acpi: register in address space %u not supported", r->gas.space_id);
		return -EOPNOTSUPP;
	}
}

/* Switch the platform from legacy to ACPI mode if SCI_EN is clear (best effort). */
static void acpi_enable_mode(void)
{
	u32 v = 0;

	if (!acpi_pm.smi_cmd || !acpi_pm.acpi_enable) {
		pr_warn("acpi: SCI_EN clear and no SMI command to enable ACPI mode");
		return;
	}
	if (acpi_pm.smi_cmd > 0xffff) {
		pr_warn("acpi: SMI_CMD 0x%x out of port range", acpi_pm.smi_cmd);
		return;
	}
	outb((u16)acpi_pm.smi_cmd, acpi_pm.acpi_enable);
	for (int ms = 0; ms < ACPI_ENABLE_POLL_MS; ms++) {
		if (reg_read(&acpi_pm.pm1a_cnt, 16, &v) == 0 && (v & PM1_SCI_EN))
			return;
		udelay(1000);
	}
	pr_warn("acpi: ACPI mode not enabled after %u ms, trying anyway", ACPI_ENABLE_POLL_MS);
}

/* Set SLP_TYP = @typ and SLP_EN in a PM1 control register, keeping its other bits. */
static int acpi_write_sleep(struct acpi_reg *r, u8 typ)
{
	u32 v;
	int rc = reg_read(r, 16, &v);

	if (rc)
		return rc;
	v &= ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	v |= ((u32)(typ & 7) << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN;
	return reg_write(r, 16, v);
}

int acpi_poweroff(void)
{
	u32 v;
	int rc;

	if (!acpi_pm.fadt) {
		pr_err("acpi: poweroff: no FADT");
		return -ENODEV;
	}
	if (acpi_pm.hw_reduced) {
		pr_err("acpi: poweroff: HW-reduced ACPI platform not supported");
		return -EOPNOTSUPP;
	}
	if (!acpi_pm.s5_valid) {
		pr_err("acpi: poweroff: no \\_S5 in the DSDT");
		return -ENOENT;
	}
	if (!acpi_pm.pm1a_cnt.gas.address) {
		pr_err("acpi: poweroff: no PM1a control block");
		return -ENODEV;
	}
	rc = reg_read(&acpi_pm.pm1a_cnt, 16, &v);
	if (rc)
		return rc;
	if (!(v & PM1_SCI_EN))
		acpi_enable_mode();

	pr_info("acpi: entering S5 (SLP_TYP a=%u b=%u)", acpi_pm.slp_typa, acpi_pm.slp_typb);
	rc = acpi_write_sleep(&acpi_pm.pm1a_cnt, acpi_pm.slp_typa);
	if (rc)
		return rc;
	if (acpi_pm.pm1b_cnt.gas.address) {
		rc = acpi_write_sleep(&acpi_pm.pm1b_cnt, acpi_pm.slp_typb);
		if (rc)
			return rc;
	}
	udelay(1000000u);
	pr_err("acpi: poweroff: still running 1 s after the S5 request");
	return -EIO;
}

int acpi_reset(void)
{
	int rc;

	if (!acpi_pm.fadt || !acpi_pm.reset_valid)
		return -ENODEV;
	pr_info("acpi: writing 0x%x to the reset register (space %u, 0x%llx)", acpi_pm.reset_value,
		acpi_pm.reset.gas.space_id, (unsigned long long)acpi_pm.reset.gas.address);
	/* The reset register is 8 bits wide by definition. */
	rc = reg_write(&acpi_pm.reset, 8, acpi_pm.reset_value);
	if (rc)
		pr_warn("acpi: reset register unusable (%d)", rc);
	return rc;
}
