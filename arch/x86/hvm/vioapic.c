/* Virtual IO-APICs: registers, redirection to the vLAPICs, owned pins following the host's, level EOI. */
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/ioapic.h>
#include <asm/traps.h>
#include <asm/vioapic.h>
#include <asm/vlapic.h>
#include <keel/device_owner.h>
#include <keel/dom0_acpi.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/mm.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/spinlock.h>
#include <keel/string.h>
#include <keel/vcpu.h>

#define IOREGSEL       0x00
#define IOWIN	       0x10
#define IOEOI	       0x40
#define VIOAPIC_SIZE   0x100
#define VIOAPIC_PINS   120 /* the most a version-0x20 IO-APIC has */
#define RTE_VECTOR     0xffULL
#define RTE_DM_SHIFT   8
#define RTE_LOGICAL    (1ULL << 11)
#define RTE_PENDING    (1ULL << 12) /* delivery status: read-only */
#define RTE_LOW	       (1ULL << 13)
#define RTE_REMOTE_IRR (1ULL << 14) /* read-only */
#define RTE_LEVEL      (1ULL << 15)
#define RTE_MASKED     (1ULL << 16)
#define RTE_RO_BITS    (RTE_PENDING | RTE_REMOTE_IRR)
#define RTE_DEST_SHIFT 56
#define GSI_WORDS      ((IOAPIC_MAX_GSIS + 63) / 64)
#define DOMU_MIN_PINS  24 /* a domain's own IO-APIC has at least the PC's 24 pins */

struct vioapic_chip {
	u32 address, gsi_base, nr_pins;
	u8 id;
	u32 regsel;
	u64 rte[VIOAPIC_PINS];
};

struct vioapic {
	spinlock_t lock;
	unsigned int nr;
	struct vioapic_chip chip[ACPI_MAX_IOAPICS];
	u64 owned[GSI_WORDS]; /* the GSIs whose host pins this domain's entries drive */
	u64 n_delivered, n_masked_drops;
};

/*
 * The domain each host GSI belongs to (NULL: nobody's, its pin stays masked), and the GSIs that
 * fired. Owners change when a domain is built or destroyed, on CPU 0, the CPU that takes the
 * device interrupts and runs their softirq.
 */
static struct domain *gsi_owner[IOAPIC_MAX_GSIS];
static u64 gsi_fired[GSI_WORDS];

static bool owns(const struct vioapic *va, u32 gsi)
{
	return gsi < IOAPIC_MAX_GSIS && (va->owned[gsi / 64] & (1ULL << (gsi % 64)));
}

static struct vioapic_chip *chip_by_gsi(struct vioapic *va, u32 gsi, unsigned int *pin)
{
	for (unsigned int i = 0; i < va->nr; i++)
		if (gsi >= va->chip[i].gsi_base &&
		    gsi - va->chip[i].gsi_base < va->chip[i].nr_pins) {
			*pin = gsi - va->chip[i].gsi_base;
			return &va->chip[i];
		}
	return NULL;
}

/* Program the host pin of @gsi after its owner changed its entry (va->lock held). */
static void sync_host_pin(const struct vioapic *va, struct vioapic_chip *c, unsigned int pin)
{
	u64 r = c->rte[pin];
	u32 gsi = c->gsi_base + pin;
	bool masked = (r & RTE_MASKED) || (r & RTE_VECTOR) < 0x10 || (r & RTE_REMOTE_IRR);

	if (owns(va, gsi)) /* a pin the domain does not own is never connected */
		ioapic_route(gsi, r & RTE_LEVEL, r & RTE_LOW, masked);
}

static void deliver(struct vcpu *t, u8 vec, bool level)
{
	struct vlapic *l = t->arch.vlapic;

	if (level)
		__atomic_fetch_or(&l->tmr[vec / 32], 1u << (vec % 32), __ATOMIC_SEQ_CST);
	if (vlapic_accept_fixed(l, vec))
		vcpu_kick(t);
}

/* GSI @gsi fired on the host: take it to its owner @d per its entry. */
static void assert_gsi(struct domain *d, u32 gsi)
{
	struct vioapic *va = d->arch.vioapic;
	struct vioapic_chip *c;
	struct vcpu *t = NULL;
	unsigned long flags;
	unsigned int pin;
	u64 r = 0;

	flags = spin_lock_irqsave(&va->lock);
	c = chip_by_gsi(va, gsi, &pin);
	if (c) {
		r = c->rte[pin];
		if ((r & RTE_MASKED) || (r & RTE_REMOTE_IRR)) {
			va->n_masked_drops++;
		} else {
			t = vlapic_device_dest(d, (u32)(r >> RTE_DEST_SHIFT), r & RTE_LOGICAL);
			/*
			 * A level interrupt waits for its EOI. One no vCPU takes: dom0's is dropped
			 * (the pin unmasked below); any other domain's waits for an EOI too, so
			 * that a guest naming no vCPU cannot make the host pin fire without end.
			 */
			if ((r & RTE_LEVEL) && (t || !d->arch.io_passthrough))
				c->rte[pin] |= RTE_REMOTE_IRR;
			va->n_delivered++;
		}
	}
	spin_unlock_irqrestore(&va->lock, flags);
	if (t)
		deliver(t, (u8)r, r & RTE_LEVEL);
	else if (c && (r & RTE_LEVEL) && !(r & RTE_MASKED) && !(r & RTE_REMOTE_IRR) &&
		 d->arch.io_passthrough)
		ioapic_mask(gsi, false); /* nobody to take it: as hardware would, it is dropped */
}

void vioapic_run_pending(void)
{
	for (unsigned int w = 0; w < GSI_WORDS; w++) {
		u64 bits = __atomic_exchange_n(&gsi_fired[w], 0, __ATOMIC_SEQ_CST);

		while (bits) {
			unsigned int gsi = w * 64 + (unsigned int)__builtin_ctzll(bits);
			struct domain *d = __atomic_load_n(&gsi_owner[gsi], __ATOMIC_SEQ_CST);

			bits &= bits - 1;
			if (d)
				assert_gsi(d, gsi);
		}
	}
}

/* A host device interrupt: level pins stay masked until the owner's EOI; the rest runs later. */
static void device_irq(struct cpu_regs *regs)
{
	u32 gsi = (u32)regs->vector - IOAPIC_VEC_BASE;

	if (gsi >= IOAPIC_MAX_GSIS)
		return;
	ioapic_mask_if_level(gsi);
	__atomic_fetch_or(&gsi_fired[gsi / 64], 1ULL << (gsi % 64), __ATOMIC_SEQ_CST);
	softirq_raise(SOFTIRQ_DEVICE_IRQ);
}

void vioapic_eoi(struct domain *d, u8 vector)
{
	struct vioapic *va = d->arch.vioapic;
	unsigned long flags;

	if (!va)
		return;
	flags = spin_lock_irqsave(&va->lock);
	for (unsigned int i = 0; i < va->nr; i++) {
		struct vioapic_chip *c = &va->chip[i];

		for (unsigned int p = 0; p < c->nr_pins; p++)
			if ((c->rte[p] & RTE_REMOTE_IRR) && (u8)c->rte[p] == vector) {
				c->rte[p] &= ~RTE_REMOTE_IRR;
				sync_host_pin(va, c, p);
			}
	}
	spin_unlock_irqrestore(&va->lock, flags);
}

/* ---- the registers: IOREGSEL, IOWIN, EOI (version 0x20) ---- */

static u32 indirect_read(struct vioapic_chip *c)
{
	u32 sel = c->regsel;

	if (sel == 0)
		return (u32)c->id << 24;
	if (sel == 1)
		return ((c->nr_pins - 1) << 16) | 0x20;
	if (sel == 2)
		return (u32)c->id << 24; /* arbitration id */
	if (sel >= 0x10 && (sel - 0x10) / 2 < c->nr_pins) {
		u64 r = c->rte[(sel - 0x10) / 2];

		return (sel & 1) ? (u32)(r >> 32) : (u32)r;
	}
	return 0;
}

static void indirect_write(const struct vioapic *va, struct vioapic_chip *c, u32 val)
{
	u32 sel = c->regsel;
	unsigned int pin;
	u64 r;

	if (sel == 0) {
		c->id = (u8)((val >> 24) & 0xf);
		return;
	}
	if (sel < 0x10 || (sel - 0x10) / 2 >= c->nr_pins)
		return;
	pin = (sel - 0x10) / 2;
	r = c->rte[pin];
	if (sel & 1)
		r = (r & 0xffffffffULL) | ((u64)(val & 0xff000000u) << 32);
	else
		r = (r & (0xffffffff00000000ULL | RTE_RO_BITS)) | (val & ~(u32)RTE_RO_BITS);
	if (!(r & RTE_LEVEL))
		r &= ~RTE_REMOTE_IRR;
	c->rte[pin] = r;
	sync_host_pin(va, c, pin);
}

static int vioapic_read(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	struct vioapic *va = v->domain->arch.vioapic;
	struct vioapic_chip *c = priv;
	unsigned long flags = spin_lock_irqsave(&va->lock);
	u64 off = addr - c->address;

	*val = off == IOREGSEL ? c->regsel : off == IOWIN ? indirect_read(c) : 0;
	spin_unlock_irqrestore(&va->lock, flags);
	return 0;
}

static int vioapic_write(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	struct vioapic *va = v->domain->arch.vioapic;
	struct vioapic_chip *c = priv;
	u64 off = addr - c->address;
	unsigned long flags;

	if (off == IOEOI) {
		vioapic_eoi(v->domain, (u8)val);
		return 0;
	}
	flags = spin_lock_irqsave(&va->lock);
	if (off == IOREGSEL)
		c->regsel = (u32)val & 0xff;
	else if (off == IOWIN && size == 4)
		indirect_write(va, c, (u32)val);
	spin_unlock_irqrestore(&va->lock, flags);
	return 0;
}

static const struct hvm_io_ops vioapic_ops = {.read = vioapic_read, .write = vioapic_write};

static struct vioapic *vioapic_alloc(void)
{
	struct vioapic *va = kzalloc(sizeof(*va));

	if (va)
		va->lock = (spinlock_t)SPINLOCK_INIT;
	return va;
}

/* A chip with @nr_pins masked entries. */
static void chip_init(struct vioapic_chip *c, u32 address, u32 gsi_base, u8 id,
		      unsigned int nr_pins)
{
	c->address = address;
	c->gsi_base = gsi_base;
	c->id = id;
	c->nr_pins = nr_pins;
	for (unsigned int pin = 0; pin < nr_pins; pin++)
		c->rte[pin] = RTE_MASKED;
}

/* Make @d the owner of the GSIs in va->owned (none may have one yet): their interrupts go to it. */
static int take_gsis(struct domain *d, const struct vioapic *va)
{
	for (u32 g = 0; g < IOAPIC_MAX_GSIS; g++)
		if (owns(va, g) && __atomic_load_n(&gsi_owner[g], __ATOMIC_SEQ_CST))
			return -EBUSY; /* a host interrupt has one owner */
	for (u32 g = 0; g < IOAPIC_MAX_GSIS; g++)
		if (owns(va, g)) {
			irq_register(IOAPIC_VEC_BASE + g, device_irq);
			__atomic_store_n(&gsi_owner[g], d, __ATOMIC_SEQ_CST);
		}
	return 0;
}

int vioapic_domain_init(struct domain *d)
{
	const struct acpi_madt_info *m = &acpi_host_info()->madt;
	unsigned int withheld = 0;
	struct vioapic *va;
	int rc = 0;

	va = vioapic_alloc();
	if (!va)
		return -ENOMEM;
	for (unsigned int i = 0; i < m->nr_ioapics && i < ACPI_MAX_IOAPICS; i++) {
		struct vioapic_chip *c = &va->chip[va->nr];
		u32 base = m->ioapics[i].gsi_base;
		unsigned int pin = 0;

		while (pin < VIOAPIC_PINS && ioapic_has_gsi(base + pin))
			pin++;
		if (!pin)
			continue;
		chip_init(c, m->ioapics[i].address, base, m->ioapics[i].id, pin);
		/* dom0 owns every pin but those assigned to other domains (docs/boot-domains.md). */
		for (u32 g = base; g < base + pin && g < IOAPIC_MAX_GSIS; g++) {
			if (devown_owner(DEVOWN_GSI, g, g))
				withheld++;
			else
				va->owned[g / 64] |= 1ULL << (g % 64);
		}
		va->nr++;
	}
	d->arch.vioapic = va;
	for (unsigned int i = 0; i < va->nr && !rc; i++)
		rc = hvm_io_register(&d->arch.mmio, va->chip[i].address, VIOAPIC_SIZE, "IO-APIC",
				     &vioapic_ops, &va->chip[i]);
	rc = rc ?: take_gsis(d, va);
	pr_info("dom0: %u virtual IO-APIC%s mirror the host's", va->nr, va->nr == 1 ? "" : "s");
	if (withheld)
		pr_info("dom0: %u GSI%s withheld: assigned to other domains", withheld,
			withheld == 1 ? "" : "s");
	return rc;
}

int vioapic_domain_init_owned(struct domain *d, const u32 *gsis, unsigned int n)
{
	unsigned int nr_pins = DOMU_MIN_PINS;
	struct vioapic *va;

	if (d->arch.vioapic)
		return -EEXIST;
	for (unsigned int i = 0; i < n; i++) {
		if (gsis[i] >= IOAPIC_MAX_GSIS || gsis[i] >= VIOAPIC_PINS ||
		    !ioapic_has_gsi(gsis[i]))
			return -EINVAL;
		nr_pins = MAX(nr_pins, gsis[i] + 1);
	}
	va = vioapic_alloc();
	if (!va)
		return -ENOMEM;
	chip_init(&va->chip[0], GUEST_ACPI_IOAPIC_ADDR, 0, GUEST_ACPI_IOAPIC_ID, nr_pins);
	va->nr = 1;
	for (unsigned int i = 0; i < n; i++)
		va->owned[gsis[i] / 64] |= 1ULL << (gsis[i] % 64);
	d->arch.vioapic = va; /* from here on freed with the domain */
	return hvm_domain_claim_mmio(d, GUEST_ACPI_IOAPIC_ADDR, VIOAPIC_SIZE, "IO-APIC",
				     &vioapic_ops, &va->chip[0])
		   ?: take_gsis(d, va);
}

u32 vioapic_guest_address(const struct domain *d)
{
	const struct vioapic *va = d->arch.vioapic;

	return va && va->nr ? va->chip[0].address : 0;
}

void vioapic_domain_destroy(struct domain *d)
{
	struct vioapic *va = d->arch.vioapic;

	if (!va)
		return;
	for (u32 g = 0; g < IOAPIC_MAX_GSIS; g++)
		if (owns(va, g) && __atomic_load_n(&gsi_owner[g], __ATOMIC_SEQ_CST) == d) {
			ioapic_mask(g, true);
			__atomic_store_n(&gsi_owner[g], NULL, __ATOMIC_SEQ_CST);
		}
	d->arch.vioapic = NULL;
	kfree(va);
}
