/* The emulated devices every domain starts with: unclaimed MMIO, the 0xE9 console, ACPI ports. */
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/vlapic.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/vcpu.h>

/* Where a domU finds device registers it has no device behind (IO-APIC, HPET, ...). */
#define UNCLAIMED_MMIO_BASE 0xf0000000ULL
#define UNCLAIMED_MMIO_SIZE 0x10000000ULL
#define DEBUG_CONSOLE_PORT  0xe9

static int read_all_ones(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	*val = ~0ULL;
	return 0;
}

static int drop_write(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	return 0;
}

/* Loads read all ones, stores are dropped: what a bus with nothing behind an address does. */
static const struct hvm_io_ops unclaimed_mmio = {.read = read_all_ones, .write = drop_write};

static int debug_console_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	char c = (char)val;

	if (size == 1) {
		domain_console_write(v->domain, &c, 1);
		if (c == '\n')
			domain_console_flush(v->domain); /* no lock held, interrupts on */
	}
	return 0;
}

/* Bytes written to port 0xE9 reach the console; reads see all ones like any unclaimed port. */
static const struct hvm_io_ops debug_console = {.read = read_all_ones,
						.write = debug_console_write};

int hvm_domain_devices_init(struct domain *d)
{
	int rc;

	hvm_io_table_init(&d->arch.mmio);
	hvm_io_table_init(&d->arch.ports);
	/* The window has a hole for the local APIC page (vlapic_domain_init() claims it). */
	rc = hvm_io_register(&d->arch.mmio, UNCLAIMED_MMIO_BASE,
			     APIC_MMIO_BASE - UNCLAIMED_MMIO_BASE, "unclaimed MMIO",
			     &unclaimed_mmio, NULL)
		 ?: hvm_io_register(&d->arch.mmio, APIC_MMIO_BASE + APIC_PAGE_SIZE,
				    UNCLAIMED_MMIO_BASE + UNCLAIMED_MMIO_SIZE - APIC_MMIO_BASE -
					APIC_PAGE_SIZE,
				    "unclaimed MMIO", &unclaimed_mmio, NULL);
	rc = rc
		 ?: hvm_io_register(&d->arch.ports, DEBUG_CONSOLE_PORT, 1, "debug console",
				    &debug_console, NULL);
	return rc ?: hvm_acpi_ports_init(d); /* the FADT's registers (acpi_ports.c) */
}

int hvm_domain_claim_mmio(struct domain *d, u64 first, u64 size, const char *name,
			  const struct hvm_io_ops *ops, void *priv)
{
	struct hvm_io_table *t = &d->arch.mmio;
	struct hvm_io_range w;
	u64 last = first + size - 1;
	int rc = 0;

	if (!size || last < first)
		return -EINVAL;
	if (hvm_io_lookup(t, first, &w) && w.ops == &unclaimed_mmio) {
		if (last > w.last)
			return -EEXIST;
		hvm_io_unregister(t, w.first, w.last - w.first + 1);
		if (w.first < first)
			rc = hvm_io_register(t, w.first, first - w.first, w.name, &unclaimed_mmio,
					     NULL);
		if (!rc && last < w.last)
			rc = hvm_io_register(t, last + 1, w.last - last, w.name, &unclaimed_mmio,
					     NULL);
	}
	return rc ?: hvm_io_register(t, first, size, name, ops, priv);
}

void hvm_domain_devices_drop_domu(struct domain *d)
{
	hvm_io_unregister(&d->arch.mmio, UNCLAIMED_MMIO_BASE, APIC_MMIO_BASE - UNCLAIMED_MMIO_BASE);
	hvm_io_unregister(&d->arch.mmio, APIC_MMIO_BASE + APIC_PAGE_SIZE,
			  UNCLAIMED_MMIO_BASE + UNCLAIMED_MMIO_SIZE - APIC_MMIO_BASE -
			      APIC_PAGE_SIZE);
	hvm_io_unregister(&d->arch.ports, GUEST_ACPI_SLEEP_CTL_PORT, 3);
}
