/* dom0's I/O ports that Keel keeps or filters: PIC, PIT, reset paths, PCI config, ACPI sleep, UART. */
#include <asm/dom0_msi.h>
#include <asm/dom0_msix.h>
#include <asm/dom0_pci.h>
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/io.h>
#include <asm/traps.h>
#include <keel/acpi.h>
#include <keel/compiler.h>
#include <keel/dom0_acpi.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/mm.h>
#include <keel/pci.h>
#include <keel/printk.h>
#include <keel/uart.h>
#include <keel/vcpu.h>
#include <public/sched.h>

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define RESET_CTL     0xcf9 /* a byte access; the dword at 0xCF8 is the config address */
#define RESET_CTL_RST 0x04
#define SYS_CTL_A     0x92 /* bit 0: fast reset, bit 1: A20 */
#define KBD_CMD	      0x64
#define KBD_PULSE_RST 0xfe
#define ACPI_SLP_EN   (1u << 13)
#define ACPI_SLP_TYP  (7u << 10)

/* The state of what Keel emulates for dom0 (d->arch.dom0_ports). */
struct dom0_ports {
	u8 pic_imr[2]; /* the 8259s: only their masks, so dom0 finds them and masks them */
	u32 pci_addr;  /* dom0's value of the config address register */
};

static struct dom0_ports *state(struct vcpu *v)
{
	return v->domain->arch.dom0_ports;
}

static int read_zero(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	*val = 0;
	return 0;
}

static int read_ones(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	*val = ~0ULL;
	return 0;
}

static int drop(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	return 0;
}

/* Keel's own (its UART, the emulators' power-off and debug ports): dom0 sees nothing there. */
static const struct hvm_io_ops kept = {.read = read_ones, .write = drop};
/* The PIT and the ELCR: Keel's timers and interrupt routing; reads see 0. */
static const struct hvm_io_ops kept_zero = {.read = read_zero, .write = drop};

/*
 * The 8259 pair: Keel routes every device interrupt through the IO-APIC, so dom0 finds PICs whose
 * mask registers read back what it wrote (its probe succeeds and it masks them) that never
 * interrupt. Initialization words and commands are accepted and have no effect.
 */
static int pic_read(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	*val = (port & 1) ? state(v)->pic_imr[port >= 0xa0] : 0;
	return 0;
}

static int pic_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	if (port & 1)
		state(v)->pic_imr[port >= 0xa0] = (u8)val;
	return 0;
}

static const struct hvm_io_ops pic = {.read = pic_read, .write = pic_write};

/* dom0 asked the machine to reset: it ends as a reboot, and Keel reboots the machine after it. */
static void reset_request(struct vcpu *v, const char *how)
{
	pr_info("dom0: reset through %s: ending it as a reboot", how);
	domain_shutdown(v->domain, SHUTDOWN_reboot);
}

static int sys_ctl_read(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	*val = 0x02; /* A20 on */
	return 0;
}

static int sys_ctl_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	if (val & 1)
		reset_request(v, "port 0x92");
	return 0;
}

static const struct hvm_io_ops sys_ctl = {.read = sys_ctl_read, .write = sys_ctl_write};

/* Reads of a filtered register the hardware answers (keyboard command, PM1 control, reset). */
static int read_hw(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	*val = hvm_port_passthrough_read((u16)port, size);
	return 0;
}

/* The keyboard controller is dom0's, except its reset pulse. */

static int kbd_cmd_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	if ((u8)val == KBD_PULSE_RST)
		reset_request(v, "the keyboard controller");
	else
		hvm_port_passthrough_write((u16)port, size, (u32)val);
	return 0;
}

static const struct hvm_io_ops kbd_cmd = {.read = read_hw, .write = kbd_cmd_write};

/* The config-space offset a data-port access at @port reaches with dom0's address latch. */
static unsigned int conf_offset(const struct dom0_ports *s, u64 port)
{
	return (s->pci_addr & 0xfc) + (unsigned int)(port - PCI_CONF_DATA);
}

/* The bytes of an access at @port that fall inside the data register. */
static unsigned int conf_size(u64 port, unsigned int size)
{
	return MIN(size, (unsigned int)(PCI_CONF_DATA + 4 - port));
}

/*
 * 0xCF8-0xCFF: the config address (dword at 0xCF8) is dom0's own copy; a data access goes to
 * the device named by it, through dom0's config-space filter (asm/dom0_pci.h). A byte at 0xCF9 is
 * the reset control register.
 */
static int pci_read(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	struct dom0_ports *s = state(v);

	if (port == PCI_CONF_ADDR && size == 4) {
		*val = s->pci_addr;
	} else if (port >= PCI_CONF_DATA && (s->pci_addr & 0x80000000u)) {
		u32 r = dom0_pci_read(v->domain, pci_bdf(s->pci_addr), conf_offset(s, port),
				      conf_size(port, size));

		*val = size > conf_size(port, size) ? r | ~0ULL << (8 * conf_size(port, size)) : r;
	} else {
		*val = port >= PCI_CONF_DATA ? ~0ULL : 0;
	}
	return 0;
}

static int pci_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	struct dom0_ports *s = state(v);

	if (port == PCI_CONF_ADDR && size == 4) {
		s->pci_addr = (u32)val;
	} else if (port == RESET_CTL && size == 1) {
		if (val & RESET_CTL_RST)
			reset_request(v, "port 0xCF9");
	} else if (port >= PCI_CONF_DATA && (s->pci_addr & 0x80000000u)) {
		dom0_pci_write(v->domain, pci_bdf(s->pci_addr), conf_offset(s, port),
			       conf_size(port, size), (u32)val);
	}
	return 0;
}

static const struct hvm_io_ops pci_conf = {.read = pci_read, .write = pci_write};

/*
 * PM1 control: dom0 owns it, except entering a sleep state: S5 ends dom0 as a power-off (and
 * Keel then powers the machine off), any other state is refused (dom0 runs on).
 */
static int pm1_cnt_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	const struct acpi_info *ai = acpi_host_info();
	u32 typ = ((u32)val & ACPI_SLP_TYP) >> 10;

	if (size < 2 || !(val & ACPI_SLP_EN)) {
		hvm_port_passthrough_write((u16)port, size, (u32)val);
		return 0;
	}
	if (ai->s5.valid && typ == ai->s5.slp_typa) {
		pr_info("dom0: entered ACPI S5 (soft off): ending it as a power-off");
		domain_shutdown(v->domain, SHUTDOWN_poweroff);
	} else {
		pr_warn("dom0: ACPI sleep type %u refused: Keel does not suspend the machine", typ);
	}
	return 0;
}

static const struct hvm_io_ops pm1_cnt = {.read = read_hw, .write = pm1_cnt_write};

/* The FADT's reset register, when it is a port of its own: its reset value ends dom0 as a reboot. */
static int reset_reg_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	if ((u8)val == acpi_host_info()->fadt.reset_value)
		reset_request(v, "the ACPI reset register");
	else
		hvm_port_passthrough_write((u16)port, size, (u32)val);
	return 0;
}

static const struct hvm_io_ops reset_reg = {.read = read_hw, .write = reset_reg_write};

/* A host MSI vector: what dom0 programmed for it is delivered from the softirq. */
static void msi_irq(struct cpu_regs *regs)
{
	dom0_msi_fired((unsigned int)regs->vector);
}

int hvm_dom0_ports_init(struct domain *d)
{
	const struct acpi_info *ai = acpi_host_info();
	struct hvm_io_table *t = &d->arch.ports;
	int rc;

	d->arch.dom0_ports = kzalloc(sizeof(*d->arch.dom0_ports));
	if (!d->arch.dom0_ports)
		return -ENOMEM;
	d->arch.dom0_ports->pic_imr[0] = d->arch.dom0_ports->pic_imr[1] = 0xff;
	for (unsigned int vec = MSI_VEC_BASE; vec < MSI_VEC_BASE + MSI_MAX; vec++)
		irq_register(vec, msi_irq);
	rc = hvm_io_register(t, 0x20, 2, "8259 master", &pic, NULL) ?:
	     hvm_io_register(t, 0xa0, 2, "8259 slave", &pic, NULL) ?:
	     hvm_io_register(t, 0x4d0, 2, "ELCR", &kept_zero, NULL) ?:
	     hvm_io_register(t, 0x40, 4, "PIT", &kept_zero, NULL) ?:
	     hvm_io_register(t, 0x61, 1, "PIT gate", &kept_zero, NULL) ?:
	     hvm_io_register(t, SYS_CTL_A, 1, "system control A", &sys_ctl, NULL) ?:
	     hvm_io_register(t, KBD_CMD, 1, "keyboard command", &kbd_cmd, NULL) ?:
	     hvm_io_register(t, PCI_CONF_ADDR, 8, "PCI config", &pci_conf, NULL) ?:
	     hvm_io_register(t, uart_io_base(), 8, "Keel's UART", &kept, NULL) ?:
	     hvm_io_register(t, 0x8900, 1, "emulator power-off", &kept, NULL) ?:
	     hvm_io_register(t, 0x402, 1, "emulator debug port", &kept, NULL) ?:
	     hvm_io_register(t, 0xf4, 4, "emulator exit port", &kept, NULL);
	if (!rc && ai->fadt.pm1a_cnt.space_id == ACPI_GAS_SYSTEM_IO && ai->fadt.pm1a_cnt.address &&
	    ai->fadt.pm1a_cnt.address < 0xffff)
		rc = hvm_io_register(t, ai->fadt.pm1a_cnt.address, 2, "PM1a control", &pm1_cnt,
				     NULL);
	if (!rc && ai->fadt.pm1b_cnt.space_id == ACPI_GAS_SYSTEM_IO && ai->fadt.pm1b_cnt.address &&
	    ai->fadt.pm1b_cnt.address < 0xffff)
		rc = hvm_io_register(t, ai->fadt.pm1b_cnt.address, 2, "PM1b control", &pm1_cnt,
				     NULL);
	/* Already claimed when it is 0xCF9, which filters resets itself. */
	if (!rc && ai->fadt.reset_reg_valid && ai->fadt.reset_reg.space_id == ACPI_GAS_SYSTEM_IO &&
	    ai->fadt.reset_reg.address < 0xffff &&
	    hvm_io_register(t, ai->fadt.reset_reg.address, 1, "ACPI reset", &reset_reg, NULL) ==
		-EEXIST)
		rc = 0;
	return rc;
}

void hvm_dom0_ports_free(struct domain *d)
{
	if (d->arch.dom0_ports) {
		dom0_msix_release(d);
		dom0_msi_release(d);
	}
	kfree(d->arch.dom0_ports);
	d->arch.dom0_ports = NULL;
}
