/* The host's IO-APICs: mapped, masked at boot, each pin routed to its own host vector on CPU 0. */
#include <asm/io.h>
#include <asm/ioapic.h>
#include <asm/percpu.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/spinlock.h>

#define IOREGSEL     0x00
#define IOWIN	     0x10
#define REG_VERSION  0x01
#define REG_RTE(pin) (0x10 + 2 * (pin))
#define RTE_MASKED   (1u << 16)
#define RTE_LEVEL    (1u << 15)
#define RTE_LOW	     (1u << 13)

struct ioapic_chip {
	volatile u32 *regs;
	u32 gsi_base;
	unsigned int nr_pins;
};

static struct ioapic_chip chips[ACPI_MAX_IOAPICS];
static unsigned int nr_chips, nr_gsis;
static spinlock_t ioapic_lock = SPINLOCK_INIT; /* IOREGSEL/IOWIN pairs; taken with IRQs off */

static u32 reg_read(struct ioapic_chip *c, u32 reg)
{
	c->regs[IOREGSEL / 4] = reg;
	return c->regs[IOWIN / 4];
}

static void reg_write(struct ioapic_chip *c, u32 reg, u32 val)
{
	c->regs[IOREGSEL / 4] = reg;
	c->regs[IOWIN / 4] = val;
}

static struct ioapic_chip *chip_of(u32 gsi, unsigned int *pin)
{
	for (unsigned int i = 0; i < nr_chips; i++)
		if (gsi >= chips[i].gsi_base && gsi - chips[i].gsi_base < chips[i].nr_pins) {
			*pin = gsi - chips[i].gsi_base;
			return &chips[i];
		}
	return NULL;
}

void ioapic_init(const struct acpi_madt_info *madt)
{
	for (unsigned int i = 0; madt && i < madt->nr_ioapics && nr_chips < ACPI_MAX_IOAPICS; i++) {
		struct ioapic_chip *c = &chips[nr_chips];

		c->regs = ioremap(madt->ioapics[i].address, 0x1000);
		if (!c->regs)
			continue;
		c->gsi_base = madt->ioapics[i].gsi_base;
		c->nr_pins = ((reg_read(c, REG_VERSION) >> 16) & 0xff) + 1;
		for (unsigned int p = 0; p < c->nr_pins; p++) {
			reg_write(c, REG_RTE(p) + 1, 0);
			reg_write(c, REG_RTE(p), RTE_MASKED);
		}
		pr_info("ioapic: IO-APIC %u at %#x: GSIs %u-%u, all masked", madt->ioapics[i].id,
			madt->ioapics[i].address, c->gsi_base, c->gsi_base + c->nr_pins - 1);
		if (c->gsi_base + c->nr_pins > nr_gsis)
			nr_gsis = c->gsi_base + c->nr_pins;
		nr_chips++;
	}
	if (nr_gsis > IOAPIC_MAX_GSIS) {
		pr_warn("ioapic: GSIs from %u up cannot be routed (Keel has %u device vectors)",
			IOAPIC_MAX_GSIS, IOAPIC_MAX_GSIS);
		nr_gsis = IOAPIC_MAX_GSIS;
	}
}

unsigned int ioapic_nr_gsis(void)
{
	return nr_gsis;
}

bool ioapic_has_gsi(u32 gsi)
{
	unsigned int pin;

	return gsi < nr_gsis && chip_of(gsi, &pin);
}

int ioapic_route(u32 gsi, bool level, bool active_low, bool masked)
{
	u32 lo = IOAPIC_VEC_BASE + gsi;
	struct ioapic_chip *c;
	unsigned int pin;
	unsigned long flags;

	if (gsi >= nr_gsis || !(c = chip_of(gsi, &pin)))
		return -EINVAL;
	lo |= (level ? RTE_LEVEL : 0) | (active_low ? RTE_LOW : 0) | (masked ? RTE_MASKED : 0);
	flags = spin_lock_irqsave(&ioapic_lock);
	reg_write(c, REG_RTE(pin), RTE_MASKED);
	reg_write(c, REG_RTE(pin) + 1, cpu_table[0]->apic_id << 24); /* physical, fixed */
	reg_write(c, REG_RTE(pin), lo);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

/* Set or clear @gsi's mask bit; with @level_only, only if the pin is level-triggered. */
static void set_mask(u32 gsi, bool masked, bool level_only)
{
	struct ioapic_chip *c;
	unsigned int pin;
	unsigned long flags;
	u32 lo;

	if (gsi >= nr_gsis || !(c = chip_of(gsi, &pin)))
		return;
	flags = spin_lock_irqsave(&ioapic_lock);
	lo = reg_read(c, REG_RTE(pin));
	if (!level_only || (lo & RTE_LEVEL))
		reg_write(c, REG_RTE(pin), masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

void ioapic_mask_if_level(u32 gsi)
{
	set_mask(gsi, true, true);
}

void ioapic_mask(u32 gsi, bool masked)
{
	set_mask(gsi, masked, false);
}
