/* Unit tests for dom0's config-space filter: the trapped ECAM window and MSI-X tables. */
#include <asm/dom0_msi.h>
#include <asm/dom0_msix.h>
#include <asm/dom0_pci.h>
#include <asm/hvm.h>
#include <asm/hvm_io.h>
#include <asm/percpu.h>
#include <asm/vlapic.h>
#include <keel/acpi.h>
#include <keel/dom0_acpi.h>
#include <keel/domain.h>
#include <keel/pci.h>
#include <keel/softirq.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_msi_dest.h"

#include "shim_core.h"

#define ECAM_BASE  0xe0000000ULL
#define DEV_MSI	   0x0008 /* 00:01.0: 64-bit MSI at 0x50 */
#define DEV_MSIX   0x0010 /* 00:02.0: MSI-X at 0x60, table in BAR 0 at 0x1000, PBA at 0x1800 */
#define DEV_BUS1   0x0100 /* 01:00.0: a plain function on the second bus */
#define MSI_CAP	   0x50
#define MSIX_CAP   0x60
#define BAR_BASE   0xfebf0000ULL
#define BAR_MOVED  0xfebe0000ULL
#define TABLE	   (BAR_BASE + 0x1000)
#define NR_ENTRIES 96 /* more than Keel's MSI vectors */

/* ---- the fake machine: config spaces, BAR memory, EPT and ACPI stand-ins ---- */

static u8 conf[3][PCI_CONF_EXT_SIZE];
static u8 bar_mem[2][0x2000]; /* device memory at BAR_BASE (and BAR_MOVED) */
static int unmaps, remaps;
static u64 last_unmap, last_remap;
static struct acpi_info host;
static struct percpu cpu0 = {.apic_id = 6};
struct percpu *cpu_table[MAX_CPUS] = {&cpu0};

static u8 *space(u16 bdf)
{
	return bdf == DEV_MSI	 ? conf[0]
	       : bdf == DEV_MSIX ? conf[1]
	       : bdf == DEV_BUS1 ? conf[2]
				 : NULL;
}

u32 pci_conf_read(u16 bdf, unsigned int off, unsigned int size)
{
	u8 *s = space(bdf);
	u32 v = 0;

	assert_true(off % size == 0 && off + size <= PCI_CONF_EXT_SIZE);
	for (unsigned int i = 0; i < size; i++)
		v |= (u32)(s ? s[off + i] : 0xff) << (8 * i);
	return v;
}

void pci_conf_write(u16 bdf, unsigned int off, unsigned int size, u32 val)
{
	u8 *s = space(bdf);

	assert_true(off % size == 0 && off + size <= PCI_CONF_EXT_SIZE);
	for (unsigned int i = 0; s && i < size; i++)
		s[off + i] = (u8)(val >> (8 * i));
}

void *ioremap(paddr_t pa, size_t len)
{
	if (pa >= BAR_BASE && pa + len <= BAR_BASE + sizeof(bar_mem[0]))
		return bar_mem[0] + (pa - BAR_BASE);
	if (pa >= BAR_MOVED && pa + len <= BAR_MOVED + sizeof(bar_mem[1]))
		return bar_mem[1] + (pa - BAR_MOVED);
	fail_msg("ioremap of %#llx outside the fake BARs", (unsigned long long)pa);
	return NULL;
}

static int fake_unmap(struct domain *d, u64 gpa, u64 size)
{
	unmaps++;
	last_unmap = gpa;
	return 0;
}

static int fake_map_mmio(struct domain *d, u64 gpa, paddr_t hpa, u64 size)
{
	assert_int_equal(gpa, hpa);
	remaps++;
	last_remap = gpa;
	return 0;
}

static const struct hvm_vendor_ops fake_ops = {.unmap = fake_unmap, .map_mmio = fake_map_mmio};
const struct hvm_vendor_ops *hvm_ops = &fake_ops;

const struct acpi_info *acpi_host_info(void)
{
	return &host;
}

bool dom0_device_space_contains(u64 start, u64 end)
{
	return start >= 0xfe000000ULL && end <= 0xff000000ULL && start < end;
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

/* ---- dom0's accesses, as its vCPU 0 makes them ---- */

static u64 mmio_read(u64 addr, unsigned int size)
{
	struct hvm_io_range r;
	u64 v = 0;

	assert_true(hvm_io_lookup(&shim_dom0.arch.mmio, addr, &r));
	assert_int_equal(r.ops->read(&vcpus[0], r.priv, addr, size, &v), 0);
	return v;
}

static void mmio_write(u64 addr, unsigned int size, u64 val)
{
	struct hvm_io_range r;

	assert_true(hvm_io_lookup(&shim_dom0.arch.mmio, addr, &r));
	assert_int_equal(r.ops->write(&vcpus[0], r.priv, addr, size, val), 0);
}

static u64 ecam(u16 bdf, unsigned int off)
{
	return ECAM_BASE + ((u64)bdf << 12) + off;
}

static u32 hw_entry(unsigned int bar, unsigned int i, unsigned int field)
{
	u32 v;

	memcpy(&v, bar_mem[bar] + 0x1000 + 16 * i + field, 4);
	return v;
}

static void put16(u8 *s, unsigned int off, u16 v)
{
	memcpy(s + off, &v, 2);
}

static void put32(u8 *s, unsigned int off, u32 v)
{
	memcpy(s + off, &v, 4);
}

static int setup(void **state)
{
	(void)state;
	memset(conf, 0, sizeof(conf));
	memset(bar_mem, 0, sizeof(bar_mem));
	/* DEV_MSI: 0x40 (power management) -> 0x50 (MSI, 64-bit). */
	put16(conf[0], 0, 0x8086);
	put16(conf[0], PCI_STATUS, PCI_STATUS_CAPS);
	conf[0][PCI_CAP_PTR] = 0x40;
	put16(conf[0], 0x40, 0x5001);
	put16(conf[0], MSI_CAP, 0x0005);
	put16(conf[0], MSI_CAP + 2, 0x0080);
	put32(conf[0], 0x100, 0x00010001); /* an extended capability header */
	/* DEV_MSIX: memory decoding on, BAR 0 at BAR_BASE, MSI-X with NR_ENTRIES entries. */
	put16(conf[1], 0, 0x1af4);
	put16(conf[1], PCI_COMMAND, PCI_COMMAND_MEMORY);
	put16(conf[1], PCI_STATUS, PCI_STATUS_CAPS);
	put32(conf[1], PCI_BAR0, (u32)BAR_BASE);
	conf[1][PCI_CAP_PTR] = MSIX_CAP;
	put16(conf[1], MSIX_CAP, 0x0011);
	put16(conf[1], MSIX_CAP + 2, NR_ENTRIES - 1);
	put32(conf[1], MSIX_CAP + 4, 0x1000); /* BIR 0 */
	put32(conf[1], MSIX_CAP + 8, 0x1800); /* PBA */
	for (unsigned int i = 0; i < NR_ENTRIES; i++)
		put32(bar_mem[0], 0x1000 + 16 * i + 12, 1); /* masked, as after reset */
	put16(conf[2], 0, 0x10de);

	host.mcfg = (struct acpi_mcfg_info){.present = true, .ecam_base = ECAM_BASE, .bus_end = 1};
	shim_msi_dest_reset();
	hvm_io_table_init(&shim_dom0.arch.mmio);
	unmaps = remaps = 0;
	shim_core_reset_log();
	assert_int_equal(dom0_ecam_init(&shim_dom0), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dom0_msix_release(&shim_dom0);
	dom0_msi_release(&shim_dom0);
	return 0;
}

/* ---- ECAM ---- */

static void test_ecam_reaches_functions(void **state)
{
	(void)state;
	assert_int_equal(mmio_read(ecam(DEV_MSI, 0), 2), 0x8086);
	assert_int_equal(mmio_read(ecam(DEV_MSI, 0x100), 4), 0x00010001); /* extended space */
	assert_int_equal(mmio_read(ecam(DEV_BUS1, 0), 4), 0x000010de);	  /* bus 1 */
	assert_int_equal(mmio_read(ecam(0x0018, 0), 4), 0xffffffff);	  /* no function */
	mmio_write(ecam(DEV_MSI, 0x104), 2, 0xbeef);
	assert_int_equal(pci_conf_read(DEV_MSI, 0x104, 2), 0xbeef);
	/* Only accesses within one dword: a qword or a crossing one reads ones, writes nothing. */
	assert_int_equal(mmio_read(ecam(DEV_MSI, 0), 8), ~0ULL);
	assert_int_equal(mmio_read(ecam(DEV_MSI, 2), 4), ~0ULL);
	mmio_write(ecam(DEV_MSI, 0x102), 4, 0);
	assert_int_equal(pci_conf_read(DEV_MSI, 0x100, 4), 0x00010001);
	/* A misaligned word within a dword is done a byte at a time. */
	assert_int_equal(mmio_read(ecam(DEV_MSI, 0x101), 2), 0x0100);
}

static void test_ecam_window_is_only_mcfgs_buses(void **state)
{
	struct hvm_io_range r;

	(void)state;
	assert_false(hvm_io_lookup(&shim_dom0.arch.mmio, ECAM_BASE + (2ULL << 20), &r));
	assert_true(hvm_io_lookup(&shim_dom0.arch.mmio, ECAM_BASE + (2ULL << 20) - 1, &r));
}

static void test_no_mcfg_no_window(void **state)
{
	struct hvm_io_range r;

	(void)state;
	hvm_io_table_init(&shim_dom0.arch.mmio);
	host.mcfg.present = false;
	assert_int_equal(dom0_ecam_init(&shim_dom0), 0);
	assert_false(hvm_io_lookup(&shim_dom0.arch.mmio, ECAM_BASE, &r));
}

static void test_ecam_goes_through_msi_filter(void **state)
{
	(void)state;
	mmio_write(ecam(DEV_MSI, MSI_CAP + 4), 4, 0xfee02000);
	mmio_write(ecam(DEV_MSI, MSI_CAP + 12), 2, 0x0061);
	assert_int_equal(mmio_read(ecam(DEV_MSI, MSI_CAP + 4), 4), 0xfee02000); /* dom0's */
	assert_int_equal(pci_conf_read(DEV_MSI, MSI_CAP + 4, 4), 0xfee06000);	/* Keel's */
	assert_int_equal(pci_conf_read(DEV_MSI, MSI_CAP + 12, 2), MSI_VEC_BASE);
}

/* ---- MSI-X ---- */

/* dom0 enables MSI-X with every entry masked, as Linux does before writing them. */
static void enable_msix(void)
{
	mmio_write(ecam(DEV_MSIX, MSIX_CAP + 2), 2, 0xc000 | (NR_ENTRIES - 1));
}

static void test_msix_table_trapped_on_enable(void **state)
{
	struct hvm_io_range r;

	(void)state;
	assert_false(hvm_io_lookup(&shim_dom0.arch.mmio, TABLE, &r));
	enable_msix();
	assert_int_equal(unmaps, 1);
	assert_int_equal(last_unmap, TABLE);
	assert_true(hvm_io_lookup(&shim_dom0.arch.mmio, TABLE, &r));
	assert_string_equal(r.name, "MSI-X table");
	assert_int_equal(r.last - r.first + 1, 0x1000); /* the table's page, nothing more */
	assert_int_equal(pci_conf_read(DEV_MSIX, MSIX_CAP + 2, 2), 0xc000 | (NR_ENTRIES - 1));
	/* A second write that moves nothing traps nothing again. */
	enable_msix();
	assert_int_equal(unmaps, 1);
}

static void test_msix_entry_kept_device_gets_keels(void **state)
{
	(void)state;
	enable_msix();
	/* dom0 programs entry 1: vCPU 1 (APIC id 2), vector 0x45, then unmasks it. */
	mmio_write(TABLE + 16, 4, 0xfee02000);
	mmio_write(TABLE + 20, 4, 0);
	mmio_write(TABLE + 24, 4, 0x45);
	mmio_write(TABLE + 28, 4, 0);
	/* dom0 reads its own entry back (a qword and dwords)... */
	assert_int_equal(mmio_read(TABLE + 16, 8), 0xfee02000);
	assert_int_equal(mmio_read(TABLE + 24, 4), 0x45);
	assert_int_equal(mmio_read(TABLE + 28, 4), 0);
	/* ...the device holds Keel's: CPU 0 (APIC id 6), the first MSI vector, unmasked. */
	assert_int_equal(hw_entry(0, 1, 0), 0xfee06000);
	assert_int_equal(hw_entry(0, 1, 4), 0);
	assert_int_equal(hw_entry(0, 1, 8), MSI_VEC_BASE);
	assert_int_equal(hw_entry(0, 1, 12), 0);
	/* The host takes that vector: dom0's vCPU 1 gets 0x45. */
	dom0_msi_fired(MSI_VEC_BASE);
	dom0_msi_run_pending();
	assert_int_equal(accepted_vcpu, 1);
	assert_int_equal(accepted_vec, 0x45);
	/* dom0 retargets it (a qword write of the address): same host vector, new delivery. */
	mmio_write(TABLE + 16, 8, 0xfee00000);
	mmio_write(TABLE + 24, 4, 0x46);
	assert_int_equal(hw_entry(0, 1, 8), MSI_VEC_BASE);
	dom0_msi_fired(MSI_VEC_BASE);
	dom0_msi_run_pending();
	assert_int_equal(accepted_vcpu, 0);
	assert_int_equal(accepted_vec, 0x46);
}

static void test_msix_unprogrammed_entry_stays_masked(void **state)
{
	(void)state;
	enable_msix();
	mmio_write(TABLE + 12, 4, 0); /* dom0 unmasks entry 0 without a message */
	assert_int_equal(mmio_read(TABLE + 12, 4), 0);
	assert_int_equal(hw_entry(0, 0, 12), 1); /* the device keeps it masked */
	/* A byte access to the table is not one the table takes. */
	assert_int_equal(mmio_read(TABLE + 1, 1) & 0xff, 0xff);
	assert_true(shim_core_log_contains("entries take aligned dwords and qwords"));
}

static void test_msix_pba_and_rest_of_page_reach_device(void **state)
{
	(void)state;
	enable_msix();
	put32(bar_mem[0], 0x1800, 0x5);
	assert_int_equal(mmio_read(BAR_BASE + 0x1800, 4), 0x5);
	mmio_write(BAR_BASE + 0x1ffc, 2, 0x1234);
	assert_int_equal(bar_mem[0][0x1ffc] | bar_mem[0][0x1ffd] << 8, 0x1234);
}

static void test_msix_vectors_run_out(void **state)
{
	(void)state;
	enable_msix();
	for (unsigned int i = 0; i < NR_ENTRIES; i++) {
		mmio_write(TABLE + 16 * i, 4, 0xfee00000);
		mmio_write(TABLE + 16 * i + 8, 4, 0x40 + i);
		mmio_write(TABLE + 16 * i + 12, 4, 0);
	}
	assert_int_equal(hw_entry(0, MSI_MAX - 1, 8), MSI_VEC_BASE + MSI_MAX - 1);
	assert_int_equal(hw_entry(0, MSI_MAX - 1, 12), 0);
	assert_int_equal(hw_entry(0, MSI_MAX, 12), 1); /* no vector left: masked */
	assert_true(shim_core_log_contains("all 80 host vectors in use"));
	/* An MSI can find none either: left to the device, with a warning. */
	shim_core_reset_log();
	mmio_write(ecam(DEV_MSI, MSI_CAP + 4), 4, 0xfee00000);
	assert_true(shim_core_log_contains("all 80 host vectors in use"));
}

static void test_msix_bar_move_retraps(void **state)
{
	struct hvm_io_range r;

	(void)state;
	enable_msix();
	mmio_write(TABLE, 4, 0xfee02000);
	mmio_write(TABLE + 8, 4, 0x51);
	/* The table as dom0 left it at the new place (as if copied by a firmware call). */
	memcpy(bar_mem[1] + 0x1000, bar_mem[0] + 0x1000, 16 * NR_ENTRIES);
	put32(bar_mem[1], 0x1000, 0xfee02000);
	put32(bar_mem[1], 0x1008, 0x51);
	mmio_write(ecam(DEV_MSIX, PCI_BAR0), 4, (u32)BAR_MOVED);
	assert_int_equal(unmaps, 2);
	assert_int_equal(last_unmap, BAR_MOVED + 0x1000);
	assert_int_equal(remaps, 1); /* the old page is dom0's again */
	assert_int_equal(last_remap, TABLE);
	assert_false(hvm_io_lookup(&shim_dom0.arch.mmio, TABLE, &r));
	/* The entry found at the new place is dom0's, and the device got Keel's there. */
	assert_int_equal(mmio_read(BAR_MOVED + 0x1000, 4), 0xfee02000);
	assert_int_equal(mmio_read(BAR_MOVED + 0x1008, 4), 0x51);
	assert_int_equal(hw_entry(1, 0, 0), 0xfee06000);
	dom0_msi_fired((unsigned int)hw_entry(1, 0, 8));
	dom0_msi_run_pending();
	assert_int_equal(accepted_vec, 0x51);
	/* Memory decoding off: nothing to trap, the old trap goes. */
	mmio_write(ecam(DEV_MSIX, PCI_COMMAND), 2, 0);
	assert_int_equal(remaps, 2);
	assert_false(hvm_io_lookup(&shim_dom0.arch.mmio, BAR_MOVED + 0x1000, &r));
}

static void test_msix_table_outside_device_space_refused(void **state)
{
	struct hvm_io_range r;

	(void)state;
	put32(conf[1], PCI_BAR0, 0x10000000); /* RAM, as far as dom0's map says */
	enable_msix();
	assert_int_equal(unmaps, 0);
	assert_false(hvm_io_lookup(&shim_dom0.arch.mmio, 0x10001000, &r));
	assert_true(shim_core_log_contains("outside dom0's device space"));
}

static void test_msix_release_disables(void **state)
{
	(void)state;
	enable_msix();
	dom0_msix_release(&shim_dom0);
	assert_int_equal(pci_conf_read(DEV_MSIX, MSIX_CAP + 2, 2), 0x4000 | (NR_ENTRIES - 1));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_ecam_reaches_functions),
	    T(test_ecam_window_is_only_mcfgs_buses),
	    T(test_no_mcfg_no_window),
	    T(test_ecam_goes_through_msi_filter),
	    T(test_msix_table_trapped_on_enable),
	    T(test_msix_entry_kept_device_gets_keels),
	    T(test_msix_unprogrammed_entry_stays_masked),
	    T(test_msix_pba_and_rest_of_page_reach_device),
	    T(test_msix_vectors_run_out),
	    T(test_msix_bar_move_retraps),
	    T(test_msix_table_outside_device_space_refused),
	    T(test_msix_release_disables),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
