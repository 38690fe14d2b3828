/* Unit tests for the virtual local APIC: register logic, timer, destinations and IPIs. */
#include <asm/hvm_io.h>
#include <asm/vlapic.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/timer.h>
#include <keel/vcpu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim_core.h"
#include "shim_vioapic.h"

#define NR 3

u64 tsc_khz = 1000000; /* 1 GHz: one TSC tick per nanosecond */
static struct domain *d;
static struct vcpu *vc[NR];
static bool up[NR];
static int sipi_vector[NR];
static unsigned int sipi_calls;

bool vcpu_is_up(const struct vcpu *v)
{
	return up[v->id];
}

int vcpu_start_sipi(struct vcpu *v, u8 vector)
{
	sipi_calls++;
	sipi_vector[v->id] = vector;
	up[v->id] = true;
	return 0;
}

static struct vlapic *L(unsigned int i)
{
	return vc[i]->arch.vlapic;
}

static int setup(void **state)
{
	(void)state;
	shim_core_reset_log();
	shim_core_evtchn_reset();
	shim_core_timer_reset();
	shim_core_now = 1000000;
	sipi_calls = 0;
	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->nr_vcpus = NR;
	hvm_io_table_init(&d->arch.mmio);
	assert_int_equal(vlapic_domain_init(d), 0);
	for (unsigned int i = 0; i < NR; i++) {
		vc[i] = calloc(1, sizeof(struct vcpu));
		assert_non_null(vc[i]);
		vc[i]->id = i;
		vc[i]->domain = d;
		d->vcpus[i] = vc[i];
		assert_int_equal(vlapic_vcpu_init(vc[i]), 0);
		up[i] = i == 0;
		sipi_vector[i] = -1;
		vlapic_reg_write(L(i), APIC_SVR, 0x1ff, false); /* software-enabled */
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NR; i++) {
		vlapic_vcpu_destroy(vc[i]);
		assert_null(vc[i]->arch.vlapic);
		free(vc[i]);
	}
	free(d);
	return 0;
}

static void set_vec(u32 *bits, u8 vec)
{
	bits[vec / 32] |= 1u << (vec % 32);
}

static bool has_vec(const u32 *bits, u8 vec)
{
	return bits[vec / 32] & (1u << (vec % 32));
}

static u32 rd(struct vlapic *l, u32 off)
{
	u32 v = 0xdeadbeef;

	assert_int_equal(vlapic_reg_read(l, off, &v, vlapic_x2apic(l)), 0);
	return v;
}

static void test_reset_state(void **state)
{
	struct vlapic *l = L(1);

	(void)state;
	assert_int_equal(l->apic_base, 0xfee00000ULL | APIC_BASE_EN);
	assert_int_equal(L(0)->apic_base, 0xfee00000ULL | APIC_BASE_EN | APIC_BASE_BSP);
	assert_int_equal(rd(l, APIC_ID), 2u << 24);
	assert_int_equal(rd(l, APIC_VERSION), 0x60014);
	assert_int_equal(rd(l, APIC_DFR), 0xffffffffu);
	for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 16)
		assert_true(rd(l, off) & APIC_LVT_MASKED);
	assert_true(rd(l, APIC_LVT_CMCI) & APIC_LVT_MASKED);
}

static void test_highest_and_ppr(void **state)
{
	struct vlapic *l = L(0);
	u32 bits[8] = {0};

	(void)state;
	assert_int_equal(vlapic_highest(bits), -1);
	set_vec(bits, 0x20);
	set_vec(bits, 0xff);
	assert_int_equal(vlapic_highest(bits), 0xff);
	set_vec(l->isr, 0x45);
	l->tpr = 0x30;
	assert_int_equal(vlapic_ppr(l), 0x40); /* ISR class wins */
	l->tpr = 0x52;
	assert_int_equal(vlapic_ppr(l), 0x52); /* TPR wins, all 8 bits */
	l->tpr = 0x4f;
	assert_int_equal(vlapic_ppr(l), 0x4f); /* same class: TPR */
	l->tpr = 0x30;
	/* IRR must be in a higher class than PPR. */
	set_vec(l->irr, 0x47);
	assert_int_equal(vlapic_pending_vector(l), -1);
	set_vec(l->irr, 0x51);
	assert_int_equal(vlapic_pending_vector(l), 0x51);
	vlapic_ack(l, 0x51);
	assert_false(has_vec(l->irr, 0x51));
	assert_true(has_vec(l->isr, 0x51));
	assert_int_equal(vlapic_ppr(l), 0x50);
	assert_int_equal(vlapic_pending_vector(l), -1);
	/* EOI clears the highest ISR bit only. */
	vlapic_reg_write(l, APIC_EOI, 0, false);
	assert_false(has_vec(l->isr, 0x51));
	assert_true(has_vec(l->isr, 0x45));
	vlapic_eoi(l);
	assert_int_equal(vlapic_highest(l->isr), -1);
	assert_int_equal(vlapic_pending_vector(l), 0x47);
	vlapic_eoi(l); /* with nothing in service: harmless */
	/* TPR blocks, and CR8 is TPR[7:4]. */
	vlapic_set_cr8(l, 5);
	assert_int_equal(l->tpr, 0x50);
	assert_int_equal(vlapic_get_cr8(l), 5);
	assert_int_equal(vlapic_pending_vector(l), -1);
	vlapic_set_cr8(l, 0);
	assert_int_equal(vlapic_pending_vector(l), 0x47);
}

/* A level-triggered interrupt (TMR set, from dom0's IO-APIC) reports its EOI; edge ones do not. */
static void test_level_eoi_reaches_ioapic(void **state)
{
	struct vlapic *l = L(0);
	unsigned int before = shim_vioapic_eois;

	(void)state;
	set_vec(l->isr, 0x61);
	vlapic_eoi(l);
	assert_int_equal(shim_vioapic_eois, before); /* edge: nothing to tell */
	set_vec(l->isr, 0x62);
	set_vec(l->tmr, 0x62);
	vlapic_eoi(l);
	assert_int_equal(shim_vioapic_eois, before + 1);
	assert_int_equal(shim_vioapic_last_vector, 0x62);
	assert_false(has_vec(l->tmr, 0x62));
	vlapic_eoi(l); /* nothing in service: nothing reported */
	assert_int_equal(shim_vioapic_eois, before + 1);
}

/* The vCPU an IO-APIC/MSI destination names: physical APIC id (2 x vCPU), broadcast, none. */
static void test_device_dest(void **state)
{
	(void)state;
	assert_ptr_equal(vlapic_device_dest(d, 2, false), d->vcpus[1]);
	assert_ptr_equal(vlapic_device_dest(d, 0, false), d->vcpus[0]);
	assert_ptr_equal(vlapic_device_dest(d, 0xff, false),
			 d->vcpus[0]); /* broadcast: the first */
	assert_null(vlapic_device_dest(d, 1, false));
	assert_null(vlapic_device_dest(d, 2 * NR, false));
}

static void test_accept_disable_and_esr(void **state)
{
	struct vlapic *l = L(0);

	(void)state;
	assert_false(vlapic_accept_fixed(l, 5)); /* illegal vector */
	assert_int_equal(rd(l, APIC_ESR), 0);	 /* not visible before a write */
	vlapic_reg_write(l, APIC_ESR, 0, false);
	assert_int_equal(rd(l, APIC_ESR), APIC_ESR_RECV_ILLEGAL);
	vlapic_reg_write(l, APIC_ESR, 0, false);
	assert_int_equal(rd(l, APIC_ESR), 0);
	/* Software disable: LVTs masked and stay masked, fixed interrupts refused. */
	vlapic_reg_write(l, APIC_LVT_LINT0, 0x700, false);
	vlapic_reg_write(l, APIC_SVR, 0xff, false);
	assert_true(rd(l, APIC_LVT_LINT0) & APIC_LVT_MASKED);
	vlapic_reg_write(l, APIC_LVT_LINT0, 0x700, false);
	assert_true(rd(l, APIC_LVT_LINT0) & APIC_LVT_MASKED);
	assert_false(vlapic_accept_fixed(l, 0x40));
	assert_int_equal(vlapic_highest(l->irr), -1);
	vlapic_reg_write(l, APIC_SVR, 0x1ff, false);
	assert_true(vlapic_accept_fixed(l, 0x40));
	assert_int_equal(vlapic_pending_vector(l), 0x40);
	/* LVT writable bits: delivery status and remote IRR are not. */
	vlapic_reg_write(l, APIC_LVT_LINT1, 0xffffffff, false);
	assert_int_equal(rd(l, APIC_LVT_LINT1), 0x1a7ff);
	vlapic_reg_write(l, APIC_LVT_ERROR, 0xffffffff, false);
	assert_int_equal(rd(l, APIC_LVT_ERROR), 0x100ff);
}

static void test_timer_arithmetic(void **state)
{
	static const u32 cfg[] = {0, 1, 2, 3, 8, 9, 0xa, 0xb};
	static const unsigned int div[] = {2, 4, 8, 16, 32, 64, 128, 1};

	(void)state;
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(vlapic_timer_divisor(cfg[i]), div[i]);
	assert_int_equal(vlapic_timer_count(1000, 1, false, 0), 1000);
	assert_int_equal(vlapic_timer_count(1000, 1, false, 400), 600);
	assert_int_equal(vlapic_timer_count(1000, 2, false, 400), 800);
	assert_int_equal(vlapic_timer_count(1000, 1, false, 1000), 0);
	assert_int_equal(vlapic_timer_count(1000, 1, false, ~0ULL), 0);
	assert_int_equal(vlapic_timer_count(1000, 1, true, 2400), 600);
	assert_int_equal(vlapic_timer_count(0, 1, true, 5), 0);
}

static void run_timers_at(u64 t)
{
	shim_core_now = t;
	timer_run_expired();
}

static void test_timer_oneshot_periodic_masked(void **state)
{
	struct vlapic *l = L(0);
	u64 t0 = shim_core_now;

	(void)state;
	vlapic_reg_write(l, APIC_TDCR, 0xb, false);
	vlapic_reg_write(l, APIC_LVT_TIMER, 0x40, false);
	vlapic_reg_write(l, APIC_TMICT, 1000, false);
	shim_core_now = t0 + 250;
	assert_int_equal(rd(l, APIC_TMCCT), 750);
	run_timers_at(t0 + 999);
	assert_false(has_vec(l->irr, 0x40));
	run_timers_at(t0 + 1000);
	assert_true(has_vec(l->irr, 0x40));
	assert_int_equal(shim_core_nr_kicks, 1);
	assert_int_equal(rd(l, APIC_TMCCT), 0);
	l->irr[2] = 0;
	run_timers_at(t0 + 5000);
	assert_false(has_vec(l->irr, 0x40)); /* one-shot: once */
	/* Periodic at divide 4: period 4000 ns; a tiny count is held to the minimum period. */
	t0 = shim_core_now;
	vlapic_reg_write(l, APIC_TDCR, 1, false);
	vlapic_reg_write(l, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0x41, false);
	vlapic_reg_write(l, APIC_TMICT, 1000, false);
	assert_int_equal(l->timer_period_ns, VLAPIC_MIN_PERIOD_NS);
	vlapic_reg_write(l, APIC_TDCR, 0xb, false);
	vlapic_reg_write(l, APIC_TMICT, 1000000, false); /* 1 ms */
	t0 = shim_core_now;
	for (unsigned int i = 1; i <= 3; i++) {
		run_timers_at(t0 + i * 1000000);
		assert_true(has_vec(l->irr, 0x41));
		l->irr[2] = 0;
	}
	shim_core_now = t0 + 3250000;
	assert_int_equal(rd(l, APIC_TMCCT), 750000);
	/* Masked: no interrupt, the timer runs on. */
	vlapic_reg_write(l, APIC_LVT_TIMER, APIC_LVT_MASKED | (APIC_TIMER_PERIODIC << 17) | 0x41,
			 false);
	run_timers_at(t0 + 4000000);
	assert_false(has_vec(l->irr, 0x41));
	/* A mode change stops it. */
	vlapic_reg_write(l, APIC_LVT_TIMER, 0x41, false);
	assert_int_equal(rd(l, APIC_TMICT), 0);
	run_timers_at(t0 + 9000000);
	assert_false(has_vec(l->irr, 0x41));
}

static void test_tsc_deadline(void **state)
{
	struct vlapic *l = L(0);
	u64 v;

	(void)state;
	/* Outside deadline mode the MSR reads 0 and writes are ignored. */
	assert_int_equal(vlapic_msr_write(vc[0], MSR_TSC_DEADLINE, 12345), 0);
	assert_int_equal(vlapic_msr_read(vc[0], MSR_TSC_DEADLINE, &v), 0);
	assert_int_equal(v, 0);
	vlapic_reg_write(l, APIC_LVT_TIMER, (APIC_TIMER_TSC_DL << 17) | 0x42, false);
	vlapic_reg_write(l, APIC_TMICT, 1000, false); /* ignored in this mode */
	assert_int_equal(rd(l, APIC_TMICT), 0);
	assert_int_equal(vlapic_msr_write(vc[0], MSR_TSC_DEADLINE, 1), 0); /* in the past */
	assert_int_equal(vlapic_msr_read(vc[0], MSR_TSC_DEADLINE, &v), 0);
	assert_int_equal(v, 1);
	run_timers_at(shim_core_now);
	assert_true(has_vec(l->irr, 0x42));
	assert_int_equal(vlapic_msr_read(vc[0], MSR_TSC_DEADLINE, &v), 0);
	assert_int_equal(v, 0); /* cleared once fired */
	assert_int_equal(rd(l, APIC_TMCCT), 0);
}

static void test_icr_decode(void **state)
{
	struct vlapic_icr c;

	(void)state;
	vlapic_icr_decode(0x0200000000004608ULL, false, &c);
	assert_int_equal(c.dest, 2);
	assert_int_equal(c.mode, DM_SIPI);
	assert_int_equal(c.vector, 8);
	assert_true(c.assert);
	assert_false(c.logical);
	vlapic_icr_decode((0x12345ULL << 32) | (3u << 18) | (1u << 15) | (1u << 11) | 0x500, true,
			  &c);
	assert_int_equal(c.dest, 0x12345);
	assert_int_equal(c.mode, DM_INIT);
	assert_int_equal(c.shorthand, SH_OTHERS);
	assert_true(c.logical);
	assert_true(c.trigger_level);
}

static void test_destinations(void **state)
{
	struct vlapic *l = L(1); /* APIC ID 2 */

	(void)state;
	assert_true(vlapic_match_dest(l, 2, false, false));
	assert_false(vlapic_match_dest(l, 4, false, false));
	assert_true(vlapic_match_dest(l, 0xff, false, false));
	assert_true(vlapic_match_dest(l, 0xff, true, false));
	/* Flat. */
	vlapic_reg_write(l, APIC_LDR, 0x0a000000, false);
	assert_true(vlapic_match_dest(l, 0x02, true, false));
	assert_true(vlapic_match_dest(l, 0x88, true, false));
	assert_false(vlapic_match_dest(l, 0x05, true, false));
	/* Cluster: cluster 3, members 0b0101. */
	vlapic_reg_write(l, APIC_DFR, 0x0fffffff, false);
	vlapic_reg_write(l, APIC_LDR, 0x35000000, false);
	assert_true(vlapic_match_dest(l, 0x31, true, false));
	assert_true(vlapic_match_dest(l, 0x34, true, false));
	assert_false(vlapic_match_dest(l, 0x32, true, false));
	assert_false(vlapic_match_dest(l, 0x21, true, false));
	/* x2APIC: LDR from the ID, 32-bit destinations. */
	assert_int_equal(
	    vlapic_msr_write(vc[1], 0x1b, 0xfee00000ULL | APIC_BASE_EN | APIC_BASE_EXTD), 0);
	assert_int_equal(rd(l, APIC_LDR), (0u << 16) | (1u << 2));
	assert_int_equal(rd(l, APIC_ID), 2);
	assert_true(vlapic_match_dest(l, 2, false, true));
	assert_false(vlapic_match_dest(l, 0x102, false, true));
	assert_true(vlapic_match_dest(l, 0xffffffff, false, true));
	assert_true(vlapic_match_dest(l, 0x00000004, true, true));
	assert_false(vlapic_match_dest(l, 0x00010004, true, true));
	/* Hardware-disabled: nothing. */
	assert_int_equal(vlapic_msr_write(vc[1], 0x1b, 0xfee00000ULL), 0);
	assert_false(vlapic_match_dest(l, 0xffffffff, false, true));
	assert_false(vlapic_match_dest(l, 2, false, false));
}

static void test_apic_base_modes(void **state)
{
	struct vcpu *v = vc[0];
	const u64 base = 0xfee00000ULL | APIC_BASE_BSP;
	u64 val;

	(void)state;
	assert_int_equal(vlapic_msr_write(v, 0x1b, base | APIC_BASE_EXTD), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x1b, 0xfed00000ULL | APIC_BASE_EN), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x1b, base | APIC_BASE_EN | (1ULL << 40)), -EPERM);
	assert_int_equal(vlapic_msr_read(v, 0x802, &val), -EPERM); /* xAPIC mode */
	assert_int_equal(vlapic_msr_write(v, 0x1b, base | APIC_BASE_EN | APIC_BASE_EXTD), 0);
	assert_int_equal(vlapic_msr_read(v, 0x802, &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(vlapic_msr_write(v, 0x1b, base | APIC_BASE_EN), -EPERM); /* x2 -> x */
	assert_int_equal(vlapic_msr_write(v, 0x1b, base), 0);			  /* disable */
	assert_int_equal(vlapic_msr_write(v, 0x1b, base | APIC_BASE_EN | APIC_BASE_EXTD), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x1b, base | APIC_BASE_EN), 0);
	assert_int_equal(rd(L(0), APIC_SVR), 0xff); /* reset by the disable */
	assert_int_equal(vlapic_msr_read(v, 0x1b, &val), 0);
	assert_int_equal(val, base | APIC_BASE_EN);
	assert_int_equal(vlapic_msr_read(v, 0x10, &val), -ENOENT); /* not ours */
}

static void test_x2apic_gp(void **state)
{
	struct vcpu *v = vc[0];
	u64 val;

	(void)state;
	assert_int_equal(vlapic_msr_write(v, 0x1b, 0xfee00000ULL | 0x900 | APIC_BASE_EXTD), 0);
	vlapic_reg_write(L(0), APIC_SVR, 0x1ff, true);
	assert_int_equal(vlapic_msr_read(v, 0x831, &val), -EPERM); /* ICR high */
	assert_int_equal(vlapic_msr_read(v, 0x80b, &val), -EPERM); /* EOI */
	assert_int_equal(vlapic_msr_read(v, 0x83f, &val), -EPERM); /* SELF_IPI */
	assert_int_equal(vlapic_msr_read(v, 0x809, &val), -EPERM); /* APR */
	assert_int_equal(vlapic_msr_read(v, 0x80e, &val), -EPERM); /* DFR */
	assert_int_equal(vlapic_msr_read(v, 0x8ff, &val), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x802, 0), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x80d, 0), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x80b, 1), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x828, 1), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x808, 1ULL << 32), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x830, (1u << 12) | 0x40), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x830, (1u << 16) | 0x40), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x830, (1u << 31) | 0x40), -EPERM);
	assert_int_equal(vlapic_msr_write(v, 0x83f, 0x100), -EPERM);
	assert_int_equal(vlapic_highest(L(0)->irr), -1);
	/* ICR is one 64-bit register; SELF_IPI works. */
	assert_int_equal(vlapic_msr_write(v, 0x830, (0xdeadULL << 32) | 0x40), 0);
	assert_int_equal(vlapic_msr_read(v, 0x830, &val), 0);
	assert_int_equal(val, (0xdeadULL << 32) | 0x40);
	assert_int_equal(vlapic_highest(L(0)->irr), -1); /* nobody has ID 0xdead */
	assert_int_equal(vlapic_msr_write(v, 0x83f, 0x44), 0);
	assert_int_equal(vlapic_highest(L(0)->irr), 0x44);
}

static void test_ipis(void **state)
{
	struct vlapic *src = L(0);

	(void)state;
	/* Fixed physical to APIC ID 4 (vCPU 2). */
	vlapic_reg_write(src, APIC_ICR_HI, 4u << 24, false);
	vlapic_reg_write(src, APIC_ICR_LO, 0x61, false);
	assert_true(has_vec(L(2)->irr, 0x61));
	assert_false(has_vec(L(1)->irr, 0x61));
	assert_int_equal(shim_core_nr_kicks, 1);
	/* Lowest priority to flat logical {1, 2}: one of them, the lowest-numbered. */
	vlapic_reg_write(L(1), APIC_LDR, 0x02000000, false);
	vlapic_reg_write(L(2), APIC_LDR, 0x04000000, false);
	vlapic_reg_write(src, APIC_ICR_HI, 0x06u << 24, false);
	vlapic_reg_write(src, APIC_ICR_LO, (1u << 11) | (DM_LOWEST << 8) | 0x62, false);
	assert_true(has_vec(L(1)->irr, 0x62));
	assert_false(has_vec(L(2)->irr, 0x62));
	/* All but self, and self. */
	vlapic_reg_write(src, APIC_ICR_LO, (SH_OTHERS << 18) | 0x63, false);
	assert_false(has_vec(src->irr, 0x63));
	assert_true(has_vec(L(1)->irr, 0x63) && has_vec(L(2)->irr, 0x63));
	vlapic_reg_write(src, APIC_ICR_LO, (SH_SELF << 18) | 0x64, false);
	assert_true(has_vec(src->irr, 0x64));
	assert_false(has_vec(L(1)->irr, 0x64));
	/* Illegal vector: a send error, nothing delivered. */
	vlapic_reg_write(src, APIC_ICR_LO, (SH_ALL << 18) | 0x0f, false);
	vlapic_reg_write(src, APIC_ESR, 0, false);
	assert_int_equal(rd(src, APIC_ESR), APIC_ESR_SEND_ILLEGAL);
	/* NMI. */
	vlapic_reg_write(src, APIC_ICR_HI, 2u << 24, false);
	vlapic_reg_write(src, APIC_ICR_LO, DM_NMI << 8, false);
	assert_true(L(1)->nmi_pending);
	assert_true(vlapic_take_nmi(vc[1]));
	assert_false(vlapic_take_nmi(vc[1]));
}

static void test_init_sipi(void **state)
{
	struct vlapic *src = L(0);

	(void)state;
	vlapic_reg_write(src, APIC_ICR_HI, 2u << 24, false);
	/* SIPI without INIT: ignored. */
	vlapic_reg_write(src, APIC_ICR_LO, 0x4608, false);
	assert_int_equal(sipi_calls, 0);
	/* INIT level de-assert: nothing either. */
	vlapic_reg_write(src, APIC_ICR_LO, 0x8500, false);
	assert_false(L(1)->wait_sipi);
	vlapic_reg_write(src, APIC_ICR_LO, 0x4500, false);
	assert_true(L(1)->wait_sipi);
	vlapic_reg_write(src, APIC_ICR_LO, 0x4608, false);
	vlapic_reg_write(src, APIC_ICR_LO, 0x4609, false);
	assert_int_equal(sipi_calls, 1);
	assert_int_equal(sipi_vector[1], 8);
	/* An up vCPU ignores INIT and SIPI: a storm costs nothing. */
	for (int i = 0; i < 1000; i++)
		vlapic_reg_write(src, APIC_ICR_LO, (i & 1) ? 0x4500 : 0x4610, false);
	assert_int_equal(sipi_calls, 1);
	assert_false(L(1)->wait_sipi);
	/* Broadcast INIT-SIPI (all but self) starts the other down vCPU only. */
	vlapic_reg_write(src, APIC_ICR_LO, (SH_OTHERS << 18) | 0x4500, false);
	vlapic_reg_write(src, APIC_ICR_LO, (SH_OTHERS << 18) | 0x4612, false);
	assert_int_equal(sipi_calls, 2);
	assert_int_equal(sipi_vector[2], 0x12);
	/* Self INIT/SIPI: illegal, dropped. */
	vlapic_reg_write(src, APIC_ICR_LO, (SH_SELF << 18) | 0x4500, false);
	assert_false(src->wait_sipi);
}

static void test_mmio(void **state)
{
	struct hvm_io_range r;
	u64 val;

	(void)state;
	assert_true(hvm_io_lookup(&d->arch.mmio, 0xfee00abc, &r));
	assert_false(hvm_io_lookup(&d->arch.mmio, 0xfee01000, &r));
	assert_int_equal(r.ops->read(vc[1], r.priv, 0xfee00020, 4, &val), 0);
	assert_int_equal(val, 2u << 24);
	assert_int_equal(r.ops->read(vc[1], r.priv, 0xfee00023, 1, &val), 0);
	assert_int_equal(val, 2);
	assert_int_equal(r.ops->read(vc[1], r.priv, 0xfee00032, 2, &val), 0);
	assert_int_equal(val, 6);
	assert_int_equal(r.ops->read(vc[1], r.priv, 0xfee00024, 4, &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(r.ops->read(vc[1], r.priv, 0xfee00ffe, 2, &val), 0);
	assert_int_equal(val, 0);
	/* Odd writes are dropped; a whole aligned one lands. */
	assert_int_equal(r.ops->write(vc[1], r.priv, 0xfee00081, 1, 0xff), 0);
	assert_int_equal(r.ops->write(vc[1], r.priv, 0xfee00080, 2, 0xff), 0);
	assert_int_equal(r.ops->write(vc[1], r.priv, 0xfee00084, 4, 0xff), 0);
	assert_int_equal(L(1)->tpr, 0);
	assert_int_equal(r.ops->write(vc[1], r.priv, 0xfee00080, 4, 0x30), 0);
	assert_int_equal(L(1)->tpr, 0x30);
	assert_int_equal(r.ops->write(vc[1], r.priv, 0xfee00080, 8, 0xffffffff00000040ULL), 0);
	assert_int_equal(L(1)->tpr, 0x40);
	/* In x2APIC mode the page does not answer. */
	assert_int_equal(vlapic_msr_write(vc[1], 0x1b, 0xfee00000ULL | 0xc00), 0);
	assert_int_equal(r.ops->read(vc[1], r.priv, 0xfee00030, 4, &val), 0);
	assert_int_equal(val, ~0ULL);
	assert_int_equal(r.ops->write(vc[1], r.priv, 0xfee00080, 4, 0), 0);
	assert_int_equal(L(1)->tpr, 0x40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_highest_and_ppr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_eoi_reaches_ioapic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_device_dest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accept_disable_and_esr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timer_arithmetic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timer_oneshot_periodic_masked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tsc_deadline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_icr_decode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destinations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_apic_base_modes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_x2apic_gp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipis, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_init_sipi, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mmio, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
