/* Unit tests for INS/OUTS emulation (arch/x86/hvm/string_io.c) over the real walk and segments. */
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

/* Port 0x60: reads give 0xa0, 0xa1, ...; writes are recorded. */
static u8 port_next;
static u8 port_out[64];
static unsigned int port_nout;

static int port_read(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 *val)
{
	*val = 0;
	for (unsigned int i = 0; i < size; i++)
		*val |= (u64)(u8)(0xa0 + port_next++) << (8 * i);
	return 0;
}

static int port_write(struct vcpu *v, void *priv, u64 port, unsigned int size, u64 val)
{
	for (unsigned int i = 0; i < size && port_nout < sizeof(port_out); i++)
		port_out[port_nout++] = (u8)(val >> (8 * i));
	return 0;
}

static const struct hvm_io_ops port_ops = {.read = port_read, .write = port_write};

/* GVA 0x10000/0x12000 user RW, 0x11000 supervisor RW, 0x13000 supervisor RO; GPA = GVA + 0x20000. */
static int setup_io(void **state)
{
	emul_setup(state);
	port_next = 0;
	port_nout = 0;
	assert_int_equal(hvm_io_register(&dom.arch.ports, 0x60, 1, "test", &port_ops, NULL), 0);
	map4k(0x10000, 0x30000, P | W | U);
	map4k(0x11000, 0x31000, P | W);
	map4k(0x12000, 0x32000, P | W | U);
	map4k(0x13000, 0x33000, P);
	memset(shim_gram + 0x30000, 0x55, 0x4000);
	return 0;
}

static enum hvm_emul ins(unsigned int size, bool rep, unsigned int addr_size)
{
	struct hvm_io_insn io = {.port = 0x60,
				 .size = size,
				 .in = true,
				 .string = true,
				 .rep = rep,
				 .addr_size = addr_size,
				 .seg = -1};

	return hvm_emulate_io(&vcpu, &io);
}

static enum hvm_emul outs(unsigned int size, bool rep, unsigned int addr_size, int seg_reg)
{
	struct hvm_io_insn io = {.port = 0x60,
				 .size = size,
				 .in = false,
				 .string = true,
				 .rep = rep,
				 .addr_size = addr_size,
				 .seg = seg_reg};

	return hvm_emulate_io(&vcpu, &io);
}

static void test_rep_insb_user_page(void **state)
{
	(void)state;
	shim_guest_cpl = 3;
	map4k(0x11000, 0x31000, P | W | U);
	vcpu.arch.gprs.rdi = 0x10ff8;
	vcpu.arch.gprs.rcx = 16; /* runs into the next user page */
	assert_int_equal(ins(1, true, 64), HVM_EMUL_DONE);
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(shim_gram[0x30ff8 + i], 0xa0 + i);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x11008);
	assert_int_equal(vcpu.arch.gprs.rcx, 0);
	assert_int_equal(fake.skipped, 1);
	assert_int_equal(fake.vector, -1);
}

static void test_user_ins_into_supervisor_page_faults(void **state)
{
	(void)state;
	shim_guest_cpl = 3;
	/* 4 bytes fit in the user page; the next page is the kernel's. */
	vcpu.arch.gprs.rdi = 0x10ffc;
	vcpu.arch.gprs.rcx = 8;
	assert_int_equal(ins(1, true, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 14);
	assert_int_equal(fake.cr2, 0x11000);
	assert_int_equal(fake.error_code, 7); /* present, write, user */
	assert_int_equal(vcpu.arch.gprs.rdi, 0x11000);
	assert_int_equal(vcpu.arch.gprs.rcx, 4);
	assert_int_equal(fake.skipped, 0); /* the instruction restarts after the fault */
	for (unsigned int i = 0; i < 0x1000; i++)
		assert_int_equal(shim_gram[0x31000 + i], 0x55);
	/* The port was not read for the element that faulted. */
	assert_int_equal(port_next, 4);
}

static void test_supervisor_ins_read_only_and_wp(void **state)
{
	(void)state;
	vcpu.arch.gprs.rdi = 0x13010;
	assert_int_equal(ins(2, false, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 14);
	assert_int_equal(fake.cr2, 0x13010);
	assert_int_equal(fake.error_code, 3);
	assert_int_equal(shim_gram[0x33010], 0x55);
	fake.vector = -1;
	shim_guest_cr0 &= ~CR0_WP;
	assert_int_equal(ins(2, false, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, -1);
	assert_int_equal(shim_gram[0x33010], 0xa0);
	assert_int_equal(shim_gram[0x33011], 0xa1);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x13012);
}

static void test_smap_stops_kernel_ins_into_user_page(void **state)
{
	(void)state;
	shim_guest_cr4 |= CR4_SMAP;
	vcpu.arch.gprs.rdi = 0x10000;
	assert_int_equal(ins(1, false, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 14);
	assert_int_equal(fake.error_code, 3);
	fake.vector = -1;
	shim_guest_rflags |= EFLAGS_AC;
	assert_int_equal(ins(1, false, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, -1);
	assert_int_equal(shim_gram[0x30000], 0xa0);
}

static void test_direction_flag(void **state)
{
	(void)state;
	shim_guest_rflags |= 1u << 10;
	vcpu.arch.gprs.rdi = 0x10008;
	vcpu.arch.gprs.rcx = 3;
	assert_int_equal(ins(2, true, 64), HVM_EMUL_DONE);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x10002);
	assert_int_equal(shim_gram[0x30008], 0xa0);
	assert_int_equal(shim_gram[0x30006], 0xa2);
	assert_int_equal(shim_gram[0x30004], 0xa4);
	assert_int_equal(shim_gram[0x30003], 0x55);
}

static void test_address_size_32_in_long_mode(void **state)
{
	(void)state;
	vcpu.arch.gprs.rdi = 0xdead000000010000ULL; /* only EDI counts */
	vcpu.arch.gprs.rcx = 0xffff000000000002ULL; /* only ECX counts */
	assert_int_equal(ins(1, true, 32), HVM_EMUL_DONE);
	assert_int_equal(shim_gram[0x30000], 0xa0);
	assert_int_equal(shim_gram[0x30001], 0xa1);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x10002); /* a 32-bit register write clears 63:32 */
	assert_int_equal(vcpu.arch.gprs.rcx, 0);
	assert_int_equal(fake.skipped, 1);
}

static void test_es_base_in_32_bit_mode(void **state)
{
	(void)state;
	compat_mode();
	seg(X86_SEG_ES)->base = 0x10000;
	vcpu.arch.gprs.rdi = 0x40;
	assert_int_equal(ins(1, false, 32), HVM_EMUL_DONE);
	assert_int_equal(shim_gram[0x30040], 0xa0);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x41);
	/* Linear addresses wrap at 4 GiB outside long mode. */
	seg(X86_SEG_ES)->base = 0xfffff000;
	vcpu.arch.gprs.rdi = 0x11000;
	assert_int_equal(ins(1, false, 32), HVM_EMUL_DONE);
	assert_int_equal(shim_gram[0x30000], 0xa1);
	assert_int_equal(fake.vector, -1);
}

static void test_16_bit_addresses_wrap_in_the_segment(void **state)
{
	(void)state;
	compat_mode();
	map4k(0x1f000, 0x3f000, P | W | U);
	memset(shim_gram + 0x3f000, 0x55, 0x1000);
	/* DI wraps inside the segment; the upper bits of EDI and ECX stay as they were. */
	seg(X86_SEG_ES)->base = 0x10000;
	vcpu.arch.gprs.rdi = 0x1234ffff;
	vcpu.arch.gprs.rcx = 0x56780002;
	assert_int_equal(ins(1, true, 16), HVM_EMUL_DONE);
	assert_int_equal(shim_gram[0x3ffff], 0xa0); /* ES:FFFF = 0x1ffff */
	assert_int_equal(shim_gram[0x30000], 0xa1); /* ES:0000 = 0x10000 */
	assert_int_equal(vcpu.arch.gprs.rdi, 0x12340001);
	assert_int_equal(vcpu.arch.gprs.rcx, 0x56780000);
	assert_int_equal(fake.vector, -1);
	assert_int_equal(fake.skipped, 1);
}

static void test_segment_checks(void **state)
{
	(void)state;
	compat_mode();
	/* Beyond the limit: #GP(0), nothing written. */
	seg(X86_SEG_ES)->limit = 0x10000;
	vcpu.arch.gprs.rdi = 0x10000;
	assert_int_equal(ins(2, false, 32), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 13);
	assert_int_equal(fake.error_code, 0);
	assert_int_equal(shim_gram[0x30000], 0x55);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x10000);
	/* A read-only data segment cannot be INS's destination. */
	fake.vector = -1;
	seg(X86_SEG_ES)->limit = 0xffffffff;
	seg(X86_SEG_ES)->ar = 0xc091;
	assert_int_equal(ins(1, false, 32), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 13);
	/* An unusable (null) segment. */
	fake.vector = -1;
	seg(X86_SEG_ES)->ar = 0xc013;
	assert_int_equal(ins(1, false, 32), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 13);
	/* Expand-down: offsets above the limit are the valid ones. */
	fake.vector = -1;
	seg(X86_SEG_ES)->ar = 0xc097;
	seg(X86_SEG_ES)->limit = 0xffff;
	vcpu.arch.gprs.rdi = 0xffff;
	assert_int_equal(ins(1, false, 32), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 13);
	fake.vector = -1;
	vcpu.arch.gprs.rdi = 0x10001;
	assert_int_equal(ins(1, false, 32), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, -1);
	assert_int_equal(shim_gram[0x30001], 0xa0);
	/* OUTS through SS beyond its limit is #SS(0); through execute-only CS, #GP(0). */
	seg(X86_SEG_SS)->limit = 0xfff;
	vcpu.arch.gprs.rsi = 0x10000;
	assert_int_equal(outs(1, false, 32, X86_SEG_SS), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 12);
	fake.vector = -1;
	seg(X86_SEG_CS)->ar = 0xc099;
	assert_int_equal(outs(1, false, 32, X86_SEG_CS), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 13);
	assert_int_equal(port_nout, 0);
}

static void test_non_canonical_in_long_mode(void **state)
{
	(void)state;
	vcpu.arch.gprs.rdi = 0x0000800000000000ULL;
	assert_int_equal(ins(1, false, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 13);
	/* In 64-bit mode ES has no base and no limit. */
	fake.vector = -1;
	seg(X86_SEG_ES)->base = 0x1000;
	seg(X86_SEG_ES)->limit = 0;
	vcpu.arch.gprs.rdi = 0x10000;
	assert_int_equal(ins(1, false, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, -1);
	assert_int_equal(shim_gram[0x30000], 0xa0);
}

static void test_outs_reads_through_the_segment(void **state)
{
	(void)state;
	memcpy(shim_gram + 0x30100, "keel", 4);
	memcpy(shim_gram + 0x32100, "fs:!", 4);
	/* 64-bit mode: DS has no base, an FS override uses FS's. */
	seg(X86_SEG_DS)->base = 0x2000;
	vcpu.arch.gprs.rsi = 0x10100;
	vcpu.arch.gprs.rcx = 4;
	assert_int_equal(outs(1, true, 64, X86_SEG_DS), HVM_EMUL_DONE);
	seg(X86_SEG_FS)->base = 0x2000;
	vcpu.arch.gprs.rsi = 0x10100;
	vcpu.arch.gprs.rcx = 2;
	assert_int_equal(outs(2, true, 64, X86_SEG_FS), HVM_EMUL_DONE);
	assert_int_equal(port_nout, 8);
	assert_memory_equal(port_out, "keelfs:!", 8);
	assert_int_equal(vcpu.arch.gprs.rsi, 0x10104);
	/* From user mode a supervisor page is unreadable: #PF present|user. */
	shim_guest_cpl = 3;
	vcpu.arch.gprs.rsi = 0x11000;
	assert_int_equal(outs(1, false, 64, X86_SEG_DS), HVM_EMUL_DONE);
	assert_int_equal(fake.vector, 14);
	assert_int_equal(fake.error_code, 5);
	assert_int_equal(fake.cr2, 0x11000);
	assert_int_equal(port_nout, 8);
}

static void test_prefixes_decoded_when_the_vendor_does_not_say(void **state)
{
	static const u8 insn[] = {0x67, 0x64, 0xf3, 0x6e}; /* addr32 fs rep outsb */

	(void)state;
	map4k(0x100000, 0x40000, P | W);
	memcpy(shim_gram + 0x40000, insn, sizeof(insn));
	memcpy(shim_gram + 0x32010, "ok", 2);
	seg(X86_SEG_FS)->base = 0x2000;
	vcpu.arch.gprs.rsi = 0xffffffff00010010ULL;
	vcpu.arch.gprs.rcx = 2;
	fake.insn_len = 4;
	assert_int_equal(outs(1, true, 0, -1), HVM_EMUL_DONE);
	assert_int_equal(port_nout, 2);
	assert_memory_equal(port_out, "ok", 2);
	assert_int_equal(vcpu.arch.gprs.rsi, 0x10012);
	assert_int_equal(shim_guest_rip, 0x100004);
}

static void test_prefix_decoder(void **state)
{
	static const struct {
		u8 bytes[6];
		size_t n;
		unsigned int mode, addr_size;
		int seg, rc;
	} cases[] = {
	    {{0x6c}, 1, 64, 64, X86_SEG_DS, 0},
	    {{0xf3, 0x6d}, 2, 32, 32, X86_SEG_DS, 0},
	    {{0x67, 0x6e}, 2, 64, 32, X86_SEG_DS, 0},
	    {{0x67, 0x6e}, 2, 32, 16, X86_SEG_DS, 0},
	    {{0x67, 0x6e}, 2, 16, 32, X86_SEG_DS, 0},
	    {{0x26, 0x6f}, 2, 32, 32, X86_SEG_ES, 0},
	    {{0x2e, 0x6f}, 2, 32, 32, X86_SEG_CS, 0},
	    {{0x36, 0x6f}, 2, 32, 32, X86_SEG_SS, 0},
	    {{0x65, 0x3e, 0x6f}, 3, 32, 32, X86_SEG_DS, 0}, /* the last override wins */
	    {{0x3e, 0x65, 0x66, 0x6f}, 4, 64, 64, X86_SEG_GS, 0},
	    {{0x64, 0x48, 0x6f}, 3, 64, 64, X86_SEG_FS, 0}, /* REX */
	    {{0x48, 0x6f}, 2, 32, 0, 0, -EINVAL},	    /* DEC EAX outside 64-bit mode */
	    {{0x90}, 1, 64, 0, 0, -EINVAL},
	    {{0x67, 0x67}, 2, 64, 0, 0, -EINVAL}, /* runs out */
	    {{0}, 0, 64, 0, 0, -EINVAL},
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int as = 0;
		int sg = -1;
		int rc =
		    hvm_string_io_prefixes(cases[i].bytes, cases[i].n, cases[i].mode, &as, &sg);

		assert_int_equal(rc, cases[i].rc);
		if (rc == 0) {
			assert_int_equal(as, cases[i].addr_size);
			assert_int_equal(sg, cases[i].seg);
		}
	}
}

static void test_long_rep_is_batched(void **state)
{
	(void)state;
	vcpu.arch.gprs.rdi = 0x10000;
	vcpu.arch.gprs.rcx = 1000;
	assert_int_equal(ins(1, true, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.skipped, 0); /* re-executes for the rest */
	assert_true(vcpu.arch.gprs.rcx > 0 && vcpu.arch.gprs.rcx < 1000);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x10000 + 1000 - vcpu.arch.gprs.rcx);
	while (vcpu.arch.gprs.rcx)
		assert_int_equal(ins(1, true, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.skipped, 1);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x10000 + 1000);
	/* REP with a zero count does nothing but complete. */
	assert_int_equal(ins(1, true, 64), HVM_EMUL_DONE);
	assert_int_equal(fake.skipped, 2);
	assert_int_equal(vcpu.arch.gprs.rdi, 0x10000 + 1000);
}

static void test_unclaimed_port_and_memory(void **state)
{
	(void)state;
	/* A port no device claims reads all ones. */
	vcpu.arch.gprs.rdi = 0x10000;
	{
		struct hvm_io_insn io = {.port = 0x61,
					 .size = 4,
					 .in = true,
					 .string = true,
					 .addr_size = 64,
					 .seg = -1};

		assert_int_equal(hvm_emulate_io(&vcpu, &io), HVM_EMUL_DONE);
	}
	assert_int_equal(*(u32 *)(shim_gram + 0x30000), 0xffffffffu);
	/* A page the guest maps to no RAM and no device: the domain is crashed. */
	map4k(0x14000, 0x800000000ULL, P | W);
	vcpu.arch.gprs.rdi = 0x14000;
	assert_int_equal(ins(1, false, 64), HVM_EMUL_DEAD);
	assert_int_equal(fake.crashes, 1);
}

bool arch_device_gsi_exists(u32 gsi)
{
	return false;
}

/*
 * dom0's ports reach the hardware, except those another domain owns: absent for dom0. (A port
 * that reached the hardware here would fault the test: it runs without I/O privilege.)
 */
static void test_withheld_port_for_dom0(void **state)
{
	struct domcfg_devices uart;

	(void)state;
	devown_reset();
	memset(&uart, 0, sizeof(uart));
	uart.nr_ioports = 1;
	uart.ioports[0] = (struct domcfg_range){0x2f8, 0x2ff};
	assert_int_equal(devown_claim("rtos", false, &uart, 4ULL << 20, NULL, NULL, 0), 0);
	dom.arch.io_passthrough = true;
	assert_int_equal(hvm_port_read(&vcpu, 0x2f8, 1), 0xffffffffu);
	assert_int_equal(hvm_port_read(&vcpu, 0x2ff, 1), 0xffffffffu);
	assert_int_equal(hvm_port_read(&vcpu, 0x2f6, 4), 0xffffffffu); /* runs into 0x2f8 */
	hvm_port_write(&vcpu, 0x2fc, 1, 0x41);
	hvm_port_write(&vcpu, 0x2f7, 2, 0x4141);
	vcpu.arch.gprs.rdi = 0x10000;
	{
		struct hvm_io_insn io = {.port = 0x2f8,
					 .size = 4,
					 .in = true,
					 .string = true,
					 .addr_size = 64,
					 .seg = -1};

		assert_int_equal(hvm_emulate_io(&vcpu, &io), HVM_EMUL_DONE); /* insl */
	}
	assert_int_equal(*(u32 *)(shim_gram + 0x30000), 0xffffffffu);
	dom.arch.io_passthrough = false;
	devown_reset();
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup_io)
	const struct CMUnitTest tests[] = {
	    T(test_rep_insb_user_page),
	    T(test_user_ins_into_supervisor_page_faults),
	    T(test_supervisor_ins_read_only_and_wp),
	    T(test_smap_stops_kernel_ins_into_user_page),
	    T(test_direction_flag),
	    T(test_address_size_32_in_long_mode),
	    T(test_es_base_in_32_bit_mode),
	    T(test_16_bit_addresses_wrap_in_the_segment),
	    T(test_segment_checks),
	    T(test_non_canonical_in_long_mode),
	    T(test_outs_reads_through_the_segment),
	    T(test_prefixes_decoded_when_the_vendor_does_not_say),
	    T(test_prefix_decoder),
	    T(test_long_rep_is_batched),
	    T(test_withheld_port_for_dom0),
	    T(test_unclaimed_port_and_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
