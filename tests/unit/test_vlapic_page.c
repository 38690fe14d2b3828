/* Unit tests for the vLAPIC in a virtual-APIC page: load/unload, IRR merging, MSR lists. */
#include <asm/hvm_io.h>
#include <asm/vlapic.h>
#include <asm/x86_defs.h>
#include <keel/domain.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"

u64 tsc_khz = 1000000;
static struct domain *d;
static struct vcpu *vc;
static struct vlapic *l;
static u32 page[APIC_PAGE_SIZE / 4] __attribute__((aligned(4096)));

bool vcpu_is_up(const struct vcpu *v)
{
	return true;
}

int vcpu_start_sipi(struct vcpu *v, u8 vector)
{
	return 0;
}

static int setup(void **state)
{
	(void)state;
	shim_core_reset_log();
	shim_core_evtchn_reset();
	shim_core_timer_reset();
	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->nr_vcpus = 1;
	hvm_io_table_init(&d->arch.mmio);
	vc = calloc(1, sizeof(*vc));
	assert_non_null(vc);
	vc->domain = d;
	d->vcpus[0] = vc;
	assert_int_equal(vlapic_vcpu_init(vc), 0);
	l = vc->arch.vlapic;
	vlapic_reg_write(l, APIC_SVR, 0x1ff, false);
	assert_int_equal(vlapic_msr_write(vc, MSR_APIC_BASE, l->apic_base | APIC_BASE_EXTD), 0);
	memset(page, 0xa5, sizeof(page));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vlapic_vcpu_destroy(vc);
	free(vc);
	free(d);
	return 0;
}

static u32 reg(u32 off)
{
	return page[off / 4];
}

static void test_load_unload(void **state)
{
	u32 v;

	(void)state;
	l->isr[0x45 / 32] |= 1u << (0x45 % 32);
	l->irr[0x61 / 32] |= 1u << (0x61 % 32);
	l->tpr = 0x20;
	l->lvt[LVT_TIMER] = 0x30;
	vlapic_page_load(l, page);
	assert_ptr_equal(l->vapic, page);
	assert_int_equal(reg(APIC_ID), 0);
	assert_int_equal(reg(APIC_VERSION), VLAPIC_VERSION);
	assert_int_equal(reg(APIC_LDR), 1);
	assert_int_equal(reg(APIC_SVR), 0x1ff);
	assert_int_equal(reg(APIC_TPR), 0x20);
	assert_int_equal(reg(APIC_PPR), 0x40);
	assert_int_equal(reg(APIC_LVT_TIMER), 0x30);
	assert_int_equal(reg(APIC_APR), 0); /* everything else cleared */
	assert_int_equal(vlapic_page_highest(page, APIC_ISR), 0x45);
	assert_int_equal(vlapic_page_highest(page, APIC_IRR), 0x61);
	assert_int_equal(l->irr[0x61 / 32], 0); /* moved into the page */
	/* The vLAPIC reads its registers from the page now. */
	assert_int_equal(vlapic_msr_read(vc, 0x808, &(u64){0}), 0);
	assert_int_equal(vlapic_reg_read(l, APIC_ISR + 0x45 / 32 * 16, &v, true), 0);
	assert_int_equal(v, 1u << (0x45 % 32));
	assert_int_equal(vlapic_pending_vector(l), 0x61);
	/* The CPU delivers 0x61 and the guest raises TPR. */
	page[(APIC_IRR + 0x61 / 32 * 16) / 4] = 0;
	page[(APIC_ISR + 0x61 / 32 * 16) / 4] |= 1u << (0x61 % 32);
	page[APIC_TPR / 4] = 0x70;
	assert_int_equal(vlapic_ppr(l), 0x70);
	assert_int_equal(vlapic_get_cr8(l), 7);
	vlapic_set_cr8(l, 2);
	assert_int_equal(reg(APIC_TPR), 0x20);
	assert_int_equal(reg(APIC_PPR), 0x60);
	vlapic_page_unload(l);
	assert_null(l->vapic);
	assert_int_equal(vlapic_highest(l->isr), 0x61);
	assert_true(l->isr[0x45 / 32] & (1u << (0x45 % 32)));
	assert_int_equal(l->tpr, 0x20);
	assert_int_equal(vlapic_highest(l->irr), -1);
	vlapic_page_unload(l); /* twice: nothing */
}

static void test_merge_irr(void **state)
{
	(void)state;
	vlapic_page_load(l, page);
	assert_int_equal(vlapic_page_merge_irr(l, page), -1);
	/* Another CPU raises two vectors: they wait in irr[] until the owner merges. */
	assert_true(vlapic_accept_fixed(l, 0x33));
	assert_true(vlapic_accept_fixed(l, 0xe0));
	assert_int_equal(vlapic_page_highest(page, APIC_IRR), -1);
	assert_int_equal(vlapic_pending_vector(l), 0xe0); /* HLT wake-up sees them anyway */
	assert_int_equal(vlapic_page_merge_irr(l, page), 0xe0);
	assert_int_equal(vlapic_highest(l->irr), -1);
	assert_int_equal(vlapic_page_word(page, APIC_IRR, 1), 1u << (0x33 % 32));
	assert_int_equal(vlapic_page_word(page, APIC_IRR, 7), 1u << (0xe0 % 32));
	/* Unload gives pending ones back to the fields. */
	assert_true(vlapic_accept_fixed(l, 0x40));
	vlapic_page_unload(l);
	assert_int_equal(vlapic_highest(l->irr), 0xe0);
	assert_true(l->irr[2] & 1u);
	assert_true(l->irr[1] & (1u << (0x33 % 32)));
}

static void test_reset_unloads(void **state)
{
	(void)state;
	vlapic_page_load(l, page);
	assert_int_equal(
	    vlapic_msr_write(vc, MSR_APIC_BASE, l->apic_base & ~(APIC_BASE_EN | APIC_BASE_EXTD)),
	    0);
	assert_null(l->vapic);
	assert_int_equal(l->tpr, 0);
}

static void test_mirror_after_write(void **state)
{
	(void)state;
	vlapic_page_load(l, page);
	assert_int_equal(vlapic_msr_write(vc, 0x835, 0x10055), 0); /* LINT0 */
	assert_int_equal(vlapic_msr_write(vc, 0x838, 12345), 0);   /* TMICT */
	assert_int_equal(reg(APIC_LVT_LINT0), 0x10000);		   /* stale until mirrored */
	vlapic_page_mirror(l, page);
	assert_int_equal(reg(APIC_LVT_LINT0), 0x10055);
	assert_int_equal(reg(APIC_TMICT), 12345);
	assert_int_equal(vlapic_msr_write(vc, 0x830, (5ull << 32) | 0x4050), 0);
	vlapic_page_mirror(l, page);
	assert_int_equal(reg(APIC_ICR_LO), 0x4050);
	assert_int_equal(reg(APIC_ICR_HI), 5);
}

static void test_msr_lists(void **state)
{
	static const u32 reads[] = {0x802, 0x803, 0x808, 0x80a, 0x80d, 0x80f, 0x810,
				    0x817, 0x818, 0x81f, 0x820, 0x827, 0x828, 0x82f,
				    0x830, 0x832, 0x837, 0x838, 0x83e};
	static const u32 exits[] = {0x800, 0x801, 0x804, 0x809, 0x80b, 0x80c, 0x80e,
				    0x829, 0x82e, 0x831, 0x839, 0x83a, 0x83d, 0x83f,
				    0x840, 0x8ff, 0x7ff, 0x900, 0x1b,  0x6e0};
	unsigned int n = 0;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(reads); i++)
		assert_true(vlapic_page_msr_read_direct(reads[i]));
	for (unsigned int i = 0; i < ARRAY_SIZE(exits); i++)
		assert_false(vlapic_page_msr_read_direct(exits[i]));
	for (u32 msr = 0; msr < 0x1000; msr++)
		n += vlapic_page_msr_write_direct(msr);
	assert_int_equal(n, 3);
	assert_true(vlapic_page_msr_write_direct(0x808));
	assert_true(vlapic_page_msr_write_direct(0x80b));
	assert_true(vlapic_page_msr_write_direct(0x83f));
}

/* The per-vCPU upcall vector reaches the IRR also while the APIC is software-disabled. */
static void test_upcall_software_disabled(void **state)
{
	struct vcpu_info vi = {0};

	(void)state;
	vc->vcpu_info = &vi;
	assert_int_equal(vlapic_set_upcall_vector(vc, 0xf3), 0);
	vlapic_sync_upcall(vc);
	assert_int_equal(vlapic_highest(l->irr), -1); /* nothing pending */
	vi.upcall_pending = 1;
	vlapic_reg_write(l, APIC_SVR, 0xff, false); /* software disable */
	assert_false(vlapic_accept_fixed(l, 0x40)); /* fixed interrupts: refused */
	vlapic_sync_upcall(vc);
	assert_int_equal(vlapic_highest(l->irr), 0xf3);
	assert_int_equal(vlapic_pending_vector(l), 0xf3); /* held IRR bits are still taken */
	assert_true(vlapic_irq_pending(vc, true));
	/* In the page: while requested (IRR) it is not raised again... */
	vlapic_page_load(l, page);
	assert_int_equal(vlapic_highest(l->irr), -1);
	vlapic_sync_upcall(vc);
	assert_int_equal(vlapic_highest(l->irr), -1);
	/* ...but in service with an upcall pending it is: an event after the guest's EOI. */
	page[(APIC_IRR + 7 * 16) / 4] = 0;
	page[(APIC_ISR + 7 * 16) / 4] = 1u << (0xf3 % 32);
	vlapic_sync_upcall(vc);
	assert_int_equal(vlapic_highest(l->irr), 0xf3);
	l->irr[7] = 0;
	page[(APIC_ISR + 7 * 16) / 4] = 0; /* the guest's EOI */
	vlapic_sync_upcall(vc);
	assert_int_equal(vlapic_highest(l->irr), 0xf3);
	/* Hardware-disabled: nothing. */
	assert_int_equal(
	    vlapic_msr_write(vc, MSR_APIC_BASE, l->apic_base & ~(APIC_BASE_EN | APIC_BASE_EXTD)),
	    0);
	vlapic_sync_upcall(vc);
	assert_int_equal(vlapic_highest(l->irr), -1);
	assert_int_equal(vlapic_pending_vector(l), -1);
	vc->vcpu_info = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_load_unload, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_merge_irr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset_unloads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mirror_after_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_msr_lists, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upcall_software_disabled, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
