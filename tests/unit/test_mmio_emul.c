/* Unit tests for MMIO emulation (arch/x86/hvm/mmio.c): fetch at CS:RIP, device calls, results. */
#include <asm/hvm.h>
#include <asm/hvm_emulate.h>
#include <asm/hvm_io.h>
#include <keel/compiler.h>
#include <keel/device_owner.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emulate_fixture.h"

void domain_crash(struct domain *d, const char *fmt, ...)
{
	fake.crashes++;
	d->state = DOMAIN_CRASHED;
}

bool arch_device_gsi_exists(u32 gsi)
{
	return false;
}

#define DEV_BASE 0xfee00000ULL

static struct {
	u64 addr, val;
	unsigned int size, reads, writes;
} dev;

static int dev_read(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 *val)
{
	dev.addr = addr;
	dev.size = size;
	dev.reads++;
	*val = 0x1122334455667788ULL;
	return 0;
}

static int dev_write(struct vcpu *v, void *priv, u64 addr, unsigned int size, u64 val)
{
	dev.addr = addr;
	dev.size = size;
	dev.val = val;
	dev.writes++;
	return 0;
}

static const struct hvm_io_ops dev_ops = {.read = dev_read, .write = dev_write};

/* Code at GVA 0x100000 (GPA 0x40000), supervisor; a user code page at GVA 0x101000 (0x41000). */
static int setup_mmio(void **state)
{
	emul_setup(state);
	memset(&dev, 0, sizeof(dev));
	assert_int_equal(hvm_io_register(&dom.arch.mmio, DEV_BASE, 0x1000, "dev", &dev_ops, NULL),
			 0);
	map4k(0x100000, 0x40000, P | W);
	map4k(0x101000, 0x41000, P | W | U);
	return 0;
}

static void code_at(u64 gpa, const u8 *bytes, size_t n)
{
	memcpy(shim_gram + gpa, bytes, n);
}

static void test_load_store_in_64_bit_mode(void **state)
{
	static const u8 load[] = {0x8b, 0x03};		 /* mov (%rbx), %eax */
	static const u8 store_ah[] = {0x88, 0x63, 0x04}; /* mov %ah, 4(%rbx) */

	(void)state;
	code_at(0x40000, load, sizeof(load));
	vcpu.arch.gprs.rax = ~0ULL;
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE + 0x20), HVM_EMUL_DONE);
	assert_int_equal(dev.reads, 1);
	assert_int_equal(dev.addr, DEV_BASE + 0x20);
	assert_int_equal(dev.size, 4);
	assert_int_equal(vcpu.arch.gprs.rax, 0x55667788); /* a 32-bit load zero-extends */
	assert_int_equal(shim_guest_rip, 0x100002);
	code_at(0x40002, store_ah, sizeof(store_ah));
	vcpu.arch.gprs.rax = 0xabcd;
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE + 0x24), HVM_EMUL_DONE);
	assert_int_equal(dev.writes, 1);
	assert_int_equal(dev.size, 1);
	assert_int_equal(dev.val, 0xab);
	assert_int_equal(shim_guest_rip, 0x100005);
}

static void test_fetch_uses_cs_base_outside_long_mode(void **state)
{
	static const u8 load[] = {0x8b, 0x03};	/* mov (%ebx), %eax */
	static const u8 decoy[] = {0x8a, 0x03}; /* mov (%ebx), %al: what RIP alone points at */

	(void)state;
	compat_mode();
	seg(X86_SEG_CS)->base = 0x1000;
	shim_guest_rip = 0xff000; /* CS:EIP = linear 0x100000 */
	code_at(0x40000, load, sizeof(load));
	map4k(0xff000, 0x42000, P | W);
	code_at(0x42000, decoy, sizeof(decoy));
	vcpu.arch.gprs.rax = ~0ULL;
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE), HVM_EMUL_DONE);
	assert_int_equal(dev.size, 4);
	assert_int_equal(vcpu.arch.gprs.rax, 0x55667788);
	assert_int_equal(shim_guest_rip, 0xff002);
}

static void test_fetch_with_the_guests_privilege(void **state)
{
	static const u8 store[] = {0xc7, 0x03, 0x78,
				   0x56, 0x34, 0x12}; /* movl $0x12345678, (%rbx) */

	(void)state;
	code_at(0x41000, store, sizeof(store));
	shim_guest_cpl = 3;
	shim_guest_rip = 0x101000;
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE + 8), HVM_EMUL_DONE);
	assert_int_equal(dev.val, 0x12345678);
	/* User code cannot be fetched from the kernel's pages: the access is not emulated. */
	code_at(0x40000, store, sizeof(store));
	shim_guest_rip = 0x100000;
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE + 8), HVM_EMUL_DEAD);
	assert_int_equal(fake.crashes, 1);
	assert_int_equal(dev.writes, 1);
}

static void test_smep_and_nx_stop_the_fetch(void **state)
{
	static const u8 load[] = {0x8b, 0x03};

	(void)state;
	code_at(0x41000, load, sizeof(load));
	shim_guest_rip = 0x101000;
	shim_guest_cr4 |= CR4_SMEP; /* the kernel runs code in a user page */
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE), HVM_EMUL_DEAD);
	dom.state = DOMAIN_RUNNING;
	shim_guest_cr4 &= ~CR4_SMEP;
	map4k(0x101000, 0x41000, P | W | U | NX);
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE), HVM_EMUL_DEAD);
	assert_int_equal(fake.crashes, 2);
	assert_int_equal(dev.reads, 0);
}

static void test_unclaimed(void **state)
{
	(void)state;
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE - 1), HVM_EMUL_UNCLAIMED);
	assert_int_equal(hvm_emulate_mmio(&vcpu, DEV_BASE + 0x1000), HVM_EMUL_UNCLAIMED);
	assert_int_equal(dev.reads + dev.writes, 0);
	assert_int_equal(fake.crashes, 0);
}

/* dom0 finds nothing on a page another domain owns: loads read all ones, stores vanish. */
static void test_withheld_from_dom0(void **state)
{
	static const u8 load[] = {0x8b, 0x03};		    /* mov (%rbx), %eax */
	static const u8 store[] = {0xc7, 0x03, 1, 2, 3, 4}; /* movl $0x04030201, (%rbx) */
	struct domcfg_devices page;

	(void)state;
	devown_reset();
	memset(&page, 0, sizeof(page));
	page.nr_iomem = 1;
	page.iomem[0] = (struct domcfg_range){0xfed40000, 0xfed40fff};
	assert_int_equal(devown_claim("rtos", false, &page, 4ULL << 20, NULL, NULL, 0), 0);
	code_at(0x40000, load, sizeof(load));
	code_at(0x40002, store, sizeof(store));
	/* Not dom0: another domain's page is just unclaimed (its own would be mapped). */
	assert_int_equal(hvm_emulate_mmio(&vcpu, 0xfed40010), HVM_EMUL_UNCLAIMED);
	dom.arch.io_passthrough = true;
	vcpu.arch.gprs.rax = 0;
	assert_int_equal(hvm_emulate_mmio(&vcpu, 0xfed40010), HVM_EMUL_DONE);
	assert_int_equal(vcpu.arch.gprs.rax, 0xffffffffULL);
	assert_int_equal(hvm_emulate_mmio(&vcpu, 0xfed40ffc), HVM_EMUL_DONE);
	assert_int_equal(shim_guest_rip, 0x100008);
	/* The next page is no one's: unclaimed for dom0 too. */
	assert_int_equal(hvm_emulate_mmio(&vcpu, 0xfed41000), HVM_EMUL_UNCLAIMED);
	assert_int_equal(dev.reads + dev.writes + fake.crashes, 0);
	dom.arch.io_passthrough = false;
	devown_reset();
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup_mmio)
	const struct CMUnitTest tests[] = {
	    T(test_load_store_in_64_bit_mode),
	    T(test_fetch_uses_cs_base_outside_long_mode),
	    T(test_fetch_with_the_guests_privilege),
	    T(test_smep_and_nx_stop_the_fetch),
	    T(test_unclaimed),
	    T(test_withheld_from_dom0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
