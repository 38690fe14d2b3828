/* Unit tests for dom0's MSI filter: dom0 keeps its message, the device gets Keel's vector. */
#include <asm/dom0_msi.h>
#include <asm/percpu.h>
#include <asm/vlapic.h>
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

#define DEV_MSI	  0x0008 /* 00:01.0: a 64-bit MSI capability at 0x50 */
#define DEV_PLAIN 0x0010 /* 00:02.0: capabilities, none of them MSI */
#define CAP	  0x50

static u8 conf[0x10000 >> 3][256]; /* by bus/device/function >> 3 ... indexed below */
static struct percpu cpu0 = {.apic_id = 6};
struct percpu *cpu_table[MAX_CPUS] = {&cpu0};

static u8 *space(u16 bdf)
{
	return conf[bdf & 0x1fff];
}

u32 pci_conf_read(u16 bdf, unsigned int off, unsigned int size)
{
	u32 v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (u32)space(bdf)[(off + i) & 0xff] << (8 * i);
	return v;
}

void pci_conf_write(u16 bdf, unsigned int off, unsigned int size, u32 val)
{
	for (unsigned int i = 0; i < size; i++)
		space(bdf)[(off + i) & 0xff] = (u8)(val >> (8 * i));
}

static int setup(void **state)
{
	(void)state;
	memset(conf, 0xff, sizeof(conf));
	memset(space(DEV_MSI), 0, 256);
	memset(space(DEV_PLAIN), 0, 256);
	/* DEV_MSI: status has a list: 0x40 (power management) -> 0x50 (MSI, 64-bit). */
	pci_conf_write(DEV_MSI, 0x00, 2, 0x8086);
	pci_conf_write(DEV_MSI, 0x06, 2, 0x10);
	pci_conf_write(DEV_MSI, 0x34, 1, 0x40);
	pci_conf_write(DEV_MSI, 0x40, 2, 0x5001);
	pci_conf_write(DEV_MSI, CAP, 2, 0x0005);
	pci_conf_write(DEV_MSI, CAP + 2, 2, 0x0080);
	/* DEV_PLAIN: one capability (power management), and its list loops on itself. */
	pci_conf_write(DEV_PLAIN, 0x00, 2, 0x8086);
	pci_conf_write(DEV_PLAIN, 0x06, 2, 0x10);
	pci_conf_write(DEV_PLAIN, 0x34, 1, 0x40);
	pci_conf_write(DEV_PLAIN, 0x40, 2, 0x4001);
	shim_msi_dest_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dom0_msi_release(&shim_dom0);
	return 0;
}

static void test_message_kept_device_gets_keels(void **state)
{
	u32 v = 0;

	(void)state;
	/* dom0 programs vCPU 1 (APIC id 2), vector 0x61. */
	assert_true(dom0_msi_config_write(&shim_dom0, DEV_MSI, CAP + 4, 4, 0xfee02000));
	assert_true(dom0_msi_config_write(&shim_dom0, DEV_MSI, CAP + 8, 4, 0));
	assert_true(dom0_msi_config_write(&shim_dom0, DEV_MSI, CAP + 12, 2, 0x0061));
	/* dom0 reads back its own message... */
	assert_true(dom0_msi_config_read(DEV_MSI, CAP + 4, 4, &v));
	assert_int_equal(v, 0xfee02000);
	assert_true(dom0_msi_config_read(DEV_MSI, CAP + 12, 2, &v));
	assert_int_equal(v, 0x61);
	assert_true(dom0_msi_config_read(DEV_MSI, CAP + 5, 1, &v)); /* a byte of it */
	assert_int_equal(v, 0x20);
	/* ...the device holds Keel's: CPU 0 (APIC id 6), its first MSI vector. */
	assert_int_equal(pci_conf_read(DEV_MSI, CAP + 4, 4), 0xfee06000);
	assert_int_equal(pci_conf_read(DEV_MSI, CAP + 12, 2), MSI_VEC_BASE);
	/* Message control and the rest of config space are the device's. */
	assert_false(dom0_msi_config_write(&shim_dom0, DEV_MSI, CAP + 2, 2, 0x0081));
	assert_false(dom0_msi_config_read(DEV_MSI, 0x00, 2, &v));
	/* The host takes Keel's vector: dom0's vCPU 1 gets 0x61, from the softirq. */
	dom0_msi_fired(MSI_VEC_BASE);
	assert_int_equal(softirqs, 1);
	assert_int_equal(accepted_vec, -1);
	dom0_msi_run_pending();
	assert_int_equal(accepted_vcpu, 1);
	assert_int_equal(accepted_vec, 0x61);
	/* A vector Keel never gave out is ignored. */
	accepted_vec = -1;
	dom0_msi_fired(MSI_VEC_BASE + 7);
	dom0_msi_run_pending();
	assert_int_equal(accepted_vec, -1);
}

static void test_unprogrammed_or_bad_message_not_delivered(void **state)
{
	(void)state;
	assert_true(dom0_msi_config_write(&shim_dom0, DEV_MSI, CAP + 12, 2, 0x0062));
	dom0_msi_fired(MSI_VEC_BASE); /* the address is still 0: not a message to any LAPIC */
	dom0_msi_run_pending();
	assert_int_equal(accepted_vec, -1);
	assert_true(
	    dom0_msi_config_write(&shim_dom0, DEV_MSI, CAP + 4, 4, 0xfee04000)); /* no vCPU */
	dom0_msi_fired(MSI_VEC_BASE);
	dom0_msi_run_pending();
	assert_int_equal(accepted_vec, -1);
}

static void test_no_msi_capability(void **state)
{
	u32 v;

	(void)state;
	/* No MSI capability (and a looping list, walked with a bound): plain config space. */
	assert_false(dom0_msi_config_write(&shim_dom0, DEV_PLAIN, CAP + 4, 4, 0xfee00000));
	assert_false(dom0_msi_config_read(DEV_PLAIN, CAP + 4, 4, &v));
	/* No device at all. */
	assert_false(dom0_msi_config_write(&shim_dom0, 0x0100, CAP + 4, 4, 0xfee00000));
}

static void test_release_disables(void **state)
{
	(void)state;
	pci_conf_write(DEV_MSI, CAP + 2, 2, 0x0081); /* enabled */
	assert_true(dom0_msi_config_write(&shim_dom0, DEV_MSI, CAP + 4, 4, 0xfee00000));
	dom0_msi_release(&shim_dom0);
	assert_int_equal(pci_conf_read(DEV_MSI, CAP + 2, 2), 0x0080);
	dom0_msi_fired(MSI_VEC_BASE);
	dom0_msi_run_pending(); /* nobody owns it any more */
	assert_int_equal(accepted_vec, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_message_kept_device_gets_keels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unprogrammed_or_bad_message_not_delivered, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_no_msi_capability, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_disables, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
