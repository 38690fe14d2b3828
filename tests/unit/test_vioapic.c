/* Unit tests for arch/x86/hvm/vioapic.c: owned pins follow the host's, others never connect. */
#include <asm/hvm_io.h>
#include <asm/ioapic.h>
#include <asm/regs.h>
#include <asm/traps.h>
#include <asm/vioapic.h>
#include <keel/device_owner.h>
#include <keel/dom0_acpi.h>
#include <keel/errno.h>
#include <keel/guest_acpi.h>
#include <keel/mm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_msi_dest.h"

#define NR_GSIS	   24
#define RTE_LEVEL  (1u << 15)
#define RTE_MASKED (1u << 16)
#define RTE_REMOTE (1u << 14)

/* ---- the host's IO-APIC, as Keel's driver would program it ---- */

static struct {
	bool routed, level, low, masked;
	unsigned int routes;
} pin[NR_GSIS];
static irq_handler_t handlers[256];
static struct acpi_info host;

int ioapic_route(u32 gsi, bool level, bool active_low, bool masked)
{
	assert_true(gsi < NR_GSIS);
	pin[gsi] = (typeof(pin[0])){true, level, active_low, masked, pin[gsi].routes + 1};
	return 0;
}

void ioapic_mask(u32 gsi, bool masked)
{
	pin[gsi].masked = masked;
}

void ioapic_mask_if_level(u32 gsi)
{
	if (pin[gsi].level)
		pin[gsi].masked = true;
}

bool ioapic_has_gsi(u32 gsi)
{
	return gsi < NR_GSIS;
}

unsigned int ioapic_nr_gsis(void)
{
	return NR_GSIS;
}

bool arch_device_gsi_exists(u32 gsi)
{
	return ioapic_has_gsi(gsi);
}

void irq_register(unsigned int vector, irq_handler_t handler)
{
	handlers[vector] = handler;
}

const struct acpi_info *acpi_host_info(void)
{
	return &host;
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

int hvm_domain_claim_mmio(struct domain *d, u64 first, u64 size, const char *name,
			  const struct hvm_io_ops *ops, void *priv)
{
	return hvm_io_register(&d->arch.mmio, first, size, name, ops, priv);
}

/* ---- a domU with GSI 3 (and a second domain) ---- */

static struct domain dom2;
static struct vcpu dom2_vcpu;
static struct vlapic dom2_lapic;

static int setup(void **state)
{
	(void)state;
	shim_msi_dest_reset();
	memset(pin, 0, sizeof(pin));
	memset(handlers, 0, sizeof(handlers));
	memset(&host, 0, sizeof(host));
	host.madt.nr_ioapics = 1;
	host.madt.ioapics[0] = (struct acpi_ioapic){1, 0xfec00000, 0};
	hvm_io_table_init(&shim_dom0.arch.mmio);
	memset(&dom2, 0, sizeof(dom2));
	memset(&dom2_vcpu, 0, sizeof(dom2_vcpu));
	dom2_vcpu.arch.vlapic = &dom2_lapic;
	dom2_vcpu.domain = &dom2;
	dom2.vcpus[0] = &dom2_vcpu;
	dom2.nr_vcpus = 1;
	hvm_io_table_init(&dom2.arch.mmio);
	devown_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vioapic_domain_destroy(&shim_dom0);
	vioapic_domain_destroy(&dom2);
	return 0;
}

/* Register accesses through the domain's MMIO table, as a vCPU's would go. */
static void mmio_write(struct domain *d, u64 off, u32 val)
{
	struct hvm_io_range r;

	assert_true(hvm_io_lookup(&d->arch.mmio, 0xfec00000 + off, &r));
	assert_int_equal(r.ops->write(d->vcpus[0], r.priv, 0xfec00000 + off, 4, val), 0);
}

static u32 mmio_read(struct domain *d, u64 off)
{
	struct hvm_io_range r;
	u64 val = 0;

	assert_true(hvm_io_lookup(&d->arch.mmio, 0xfec00000 + off, &r));
	assert_int_equal(r.ops->read(d->vcpus[0], r.priv, 0xfec00000 + off, 4, &val), 0);
	return (u32)val;
}

static void write_rte(struct domain *d, unsigned int p, u32 lo, u32 dest)
{
	mmio_write(d, 0x00, 0x10 + 2 * p + 1);
	mmio_write(d, 0x10, dest << 24);
	mmio_write(d, 0x00, 0x10 + 2 * p);
	mmio_write(d, 0x10, lo);
}

static u32 read_rte(struct domain *d, unsigned int p)
{
	mmio_write(d, 0x00, 0x10 + 2 * p);
	return mmio_read(d, 0x10);
}

/* The host took GSI @gsi: its handler, then the device softirq. */
static void fire(u32 gsi)
{
	struct cpu_regs regs = {.vector = IOAPIC_VEC_BASE + gsi};

	assert_non_null(handlers[IOAPIC_VEC_BASE + gsi]);
	handlers[IOAPIC_VEC_BASE + gsi](&regs);
	vioapic_run_pending();
}

static void test_domu_owns_only_its_pins(void **state)
{
	static const u32 gsis[] = {3};

	(void)state;
	assert_int_equal(vioapic_domain_init_owned(&shim_dom0, gsis, 1), 0);
	assert_int_equal(vioapic_guest_address(&shim_dom0), GUEST_ACPI_IOAPIC_ADDR);
	/* Version 0x20, 24 pins; id 1. */
	mmio_write(&shim_dom0, 0x00, 1);
	assert_int_equal(mmio_read(&shim_dom0, 0x10), (23u << 16) | 0x20);
	mmio_write(&shim_dom0, 0x00, 0);
	assert_int_equal(mmio_read(&shim_dom0, 0x10) >> 24, GUEST_ACPI_IOAPIC_ID);
	/* Its pin 3 programs the host pin; pin 4, not its own, never reaches the host. */
	write_rte(&shim_dom0, 3, 0x60 | (1u << 13), 2);
	assert_true(pin[3].routed && !pin[3].masked && !pin[3].level && pin[3].low);
	write_rte(&shim_dom0, 4, 0x61, 0);
	assert_false(pin[4].routed);
	assert_int_equal(read_rte(&shim_dom0, 4), 0x61); /* kept, read back */
	assert_null(handlers[IOAPIC_VEC_BASE + 4]);
	/* GSI 3 fires: vector 0x60 to the vCPU with APIC id 2. */
	fire(3);
	assert_int_equal(accepted_vcpu, 1);
	assert_int_equal(accepted_vec, 0x60);
	assert_int_equal(softirqs, 1);
}

static void test_level_waits_for_eoi(void **state)
{
	static const u32 gsis[] = {3, 5};

	(void)state;
	assert_int_equal(vioapic_domain_init_owned(&shim_dom0, gsis, 2), 0);
	write_rte(&shim_dom0, 5, 0x70 | RTE_LEVEL, 0);
	assert_true(pin[5].level && !pin[5].masked);
	fire(5);
	assert_int_equal(accepted_vec, 0x70);
	assert_true(pin[5].masked); /* until the guest's EOI */
	assert_true(read_rte(&shim_dom0, 5) & RTE_REMOTE);
	assert_true(lapics[0].tmr[0x70 / 32] & (1u << (0x70 % 32)));
	/* Another firing while remote IRR is set delivers nothing. */
	accepted_vec = -1;
	fire(5);
	assert_int_equal(accepted_vec, -1);
	vioapic_eoi(&shim_dom0, 0x71); /* another vector: nothing */
	assert_true(pin[5].masked);
	vioapic_eoi(&shim_dom0, 0x70);
	assert_false(pin[5].masked);
	assert_false(read_rte(&shim_dom0, 5) & RTE_REMOTE);
	/* The IO-APIC's EOI register does the same. */
	fire(5);
	assert_true(pin[5].masked);
	mmio_write(&shim_dom0, 0x40, 0x70);
	assert_false(pin[5].masked);
}

static void test_no_destination(void **state)
{
	static const u32 gsis[] = {5};

	(void)state;
	/* A domU: a level interrupt no vCPU takes waits for an EOI; its pin stays masked. */
	assert_int_equal(vioapic_domain_init_owned(&shim_dom0, gsis, 1), 0);
	write_rte(&shim_dom0, 5, 0x70 | RTE_LEVEL, 7);
	fire(5);
	assert_int_equal(accepted_vec, -1);
	assert_true(pin[5].masked);
	assert_true(read_rte(&shim_dom0, 5) & RTE_REMOTE);
	mmio_write(&shim_dom0, 0x40, 0x70);
	assert_false(read_rte(&shim_dom0, 5) & RTE_REMOTE);
	vioapic_domain_destroy(&shim_dom0);
	assert_true(pin[5].masked); /* destroyed: its pins masked */
	/* dom0: dropped, the pin unmasked as before. */
	hvm_io_table_init(&shim_dom0.arch.mmio);
	shim_dom0.arch.io_passthrough = true;
	assert_int_equal(vioapic_domain_init(&shim_dom0), 0);
	write_rte(&shim_dom0, 5, 0x70 | RTE_LEVEL, 7);
	fire(5);
	assert_false(pin[5].masked);
	assert_false(read_rte(&shim_dom0, 5) & RTE_REMOTE);
	shim_dom0.arch.io_passthrough = false;
}

static void test_dom0_withheld_gsi(void **state)
{
	struct domcfg_devices owned;
	static const u32 gsis[] = {3};

	(void)state;
	/* dom0 has vCPU 0 (APIC id 0); the owner has the other vLAPIC (APIC id 2). */
	shim_dom0.nr_vcpus = 1;
	vcpus[1].domain = &dom2;
	dom2.vcpus[0] = &vcpus[1];
	memset(&owned, 0, sizeof(owned));
	owned.nr_irqs = 1;
	owned.irqs[0] = 3;
	assert_int_equal(devown_claim("rtos", false, &owned, 4ULL << 20, NULL, NULL, 0), 0);
	/* dom0 mirrors the host's IO-APIC but does not own GSI 3. */
	assert_int_equal(vioapic_domain_init(&shim_dom0), 0);
	write_rte(&shim_dom0, 3, 0x62, 0);
	assert_false(pin[3].routed);
	write_rte(&shim_dom0, 4, 0x63, 0);
	assert_true(pin[4].routed);
	/* The owner gets GSI 3; a second claimant of it cannot. */
	assert_int_equal(vioapic_domain_init_owned(&dom2, gsis, 1), 0);
	write_rte(&dom2, 3, 0x64, 2);
	assert_true(pin[3].routed && !pin[3].masked);
	fire(3);
	assert_int_equal(accepted_vcpu, 1); /* the owner's vCPU, not dom0's */
	assert_int_equal(accepted_vec, 0x64);
	vioapic_domain_destroy(&dom2);
	assert_true(pin[3].masked);
	{
		struct domain other;

		memset(&other, 0, sizeof(other));
		hvm_io_table_init(&other.arch.mmio);
		assert_int_equal(vioapic_domain_init_owned(&other, gsis, 1), 0);
		assert_int_equal(vioapic_domain_init_owned(&other, gsis, 1), -EEXIST);
		vioapic_domain_destroy(&other);
	}
	/* dom0 still owns the rest; GSI 4 fires to it. */
	fire(4);
	assert_int_equal(accepted_vcpu, 0);
	assert_int_equal(accepted_vec, 0x63);
}

static void test_refusals(void **state)
{
	static const u32 bad[] = {24};
	static const u32 three[] = {3};

	(void)state;
	assert_int_equal(vioapic_domain_init_owned(&shim_dom0, bad, 1), -EINVAL);
	assert_int_equal(vioapic_guest_address(&shim_dom0), 0);
	assert_int_equal(vioapic_domain_init_owned(&shim_dom0, three, 1), 0);
	assert_int_equal(vioapic_domain_init_owned(&dom2, three, 1), -EBUSY); /* one owner */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_domu_owns_only_its_pins),
	    T(test_level_waits_for_eoi),
	    T(test_no_destination),
	    T(test_dom0_withheld_gsi),
	    T(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
