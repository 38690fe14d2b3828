/* Shared by the emulation unit tests: a fake vendor that records what the emulator does. */
#ifndef TESTS_UNIT_EMULATE_FIXTURE_H
#define TESTS_UNIT_EMULATE_FIXTURE_H

#include <asm/hvm.h>
#include <asm/hvm_emulate.h>
#include <keel/domain.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guestwalk_fixture.h"
#include "shim_core.h"

/* What the emulator asked of the vendor. */
static struct {
	unsigned int insn_len; /* what exit_insn_len says */
	unsigned int skipped;  /* skip_insn calls */
	int vector;	       /* the exception injected, -1 none */
	u32 error_code;
	u64 cr2;
	unsigned int crashes; /* domain_crash calls */
} fake;

static void fake_skip_insn(struct vcpu *v, unsigned int len)
{
	shim_guest_rip += len;
	fake.skipped++;
}

static unsigned int fake_exit_insn_len(struct vcpu *v)
{
	return fake.insn_len;
}

static void fake_inject_exception(struct vcpu *v, u8 vector, bool has_err, u32 err)
{
	assert_int_equal(fake.vector, -1); /* one exception per emulation */
	fake.vector = vector;
	fake.error_code = has_err ? err : 0;
}

static void fake_inject_page_fault(struct vcpu *v, u64 cr2, u32 err)
{
	fake_inject_exception(v, 14, true, err);
	fake.cr2 = cr2;
}

static void fake_vcpu_dump(struct vcpu *v) {}

static struct hvm_vendor_ops emul_ops;

/* Long mode, flat 64-bit code at CPL 0, fresh RAM: the state each test starts from. */
static inline int emul_setup(void **state)
{
	setup(state);
	emul_ops = shim_guest_ops;
	emul_ops.skip_insn = fake_skip_insn;
	emul_ops.exit_insn_len = fake_exit_insn_len;
	emul_ops.inject_exception = fake_inject_exception;
	emul_ops.inject_page_fault = fake_inject_page_fault;
	emul_ops.vcpu_dump = fake_vcpu_dump;
	hvm_ops = &emul_ops;
	memset(&fake, 0, sizeof(fake));
	fake.vector = -1;
	fake.insn_len = 2;
	hvm_io_table_init(&dom.arch.mmio);
	hvm_io_table_init(&dom.arch.ports);
	dom.state = DOMAIN_RUNNING;
	long_mode(true);
	shim_guest_rip = 0x100000;
	return 0;
}

/* A vCPU in 32-bit protected mode (compatibility mode under the same 4-level tables). */
static inline void compat_mode(void)
{
	shim_guest_segs[X86_SEG_CS] = (struct segment){0x18, 0xc09b, 0xffffffff, 0};
}

static inline struct segment *seg(enum x86_seg s)
{
	return &shim_guest_segs[s];
}

#endif
