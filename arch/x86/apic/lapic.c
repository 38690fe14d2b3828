/* Local APIC driver: xAPIC (MMIO) and x2APIC (MSR) access, EOI, IPIs, timer programming. */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <keel/cmdline.h>
#include <keel/panic.h>
#include <keel/printk.h>

#define APIC_BASE_ENABLE (1ULL << 11)
#define APIC_BASE_X2APIC (1ULL << 10)

#define REG_ID	     0x020
#define REG_EOI	     0x0b0
#define REG_SVR	     0x0f0
#define REG_ESR	     0x280
#define REG_ICR_LO   0x300
#define REG_ICR_HI   0x310
#define REG_LVT_TMR  0x320
#define REG_TMR_INIT 0x380
#define REG_TMR_CUR  0x390
#define REG_TMR_DIV  0x3e0

#define ICR_PENDING    (1u << 12)
#define ICR_ASSERT     (1u << 14)
#define ICR_ALLBUTSELF (3u << 18)
#define LVT_MASKED     (1u << 16)
#define LVT_PERIODIC   (1u << 17)

static bool opt_nox2apic;
KEEL_PARAM_BOOL(nox2apic, opt_nox2apic, "use the xAPIC (MMIO) even where the x2APIC is available");

static bool x2apic;
static volatile u8 *xapic_mmio;
u64 lapic_timer_khz; /* timer ticks per millisecond at divide-by-16 */

static u32 apic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(0x800 + (reg >> 4));
	return mmio_read32(xapic_mmio + reg);
}

static void apic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio_write32(xapic_mmio + reg, v);
}

bool lapic_is_x2apic(void)
{
	return x2apic;
}

u32 lapic_id(void)
{
	return x2apic ? apic_read(REG_ID) : apic_read(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	apic_write(REG_EOI, 0);
}

static void lapic_choose_mode(void)
{
	struct cpuid_regs r;

	cpuid(1, &r);
	x2apic = (r.ecx & (1u << 21)) && !opt_nox2apic;
	if (!x2apic)
		xapic_mmio = ioremap(rdmsr(MSR_APIC_BASE) & 0xffffff000ULL, 0x1000);
	pr_info("apic: using %s", x2apic ? "x2APIC" : "xAPIC");
}

void lapic_init_cpu(void)
{
	u64 base;

	if (!x2apic && !xapic_mmio)
		lapic_choose_mode();
	base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_APIC_BASE, base);
	apic_write(REG_SVR, 0x100 | VEC_SPURIOUS);
	apic_write(REG_LVT_TMR, LVT_MASKED | VEC_LAPIC_TIMER);
	apic_write(REG_ESR, 0);
	apic_write(REG_ESR, 0);
}

static void icr_write(u32 dest, u32 low)
{
	if (x2apic) {
		wrmsr(0x830, ((u64)dest << 32) | low);
		return;
	}
	apic_write(REG_ICR_HI, dest << 24);
	apic_write(REG_ICR_LO, low);
	for (int i = 0; i < 1000000 && (apic_read(REG_ICR_LO) & ICR_PENDING); i++)
		cpu_relax();
}

void lapic_send_ipi(u32 apic_id, u32 mode, u8 vector)
{
	u32 low = mode | ICR_ASSERT;

	if (mode == APIC_DM_FIXED || mode == APIC_DM_SIPI)
		low |= vector;
	icr_write(apic_id, low);
}

void lapic_send_nmi_allbutself(void)
{
	icr_write(0, APIC_DM_NMI | ICR_ASSERT | ICR_ALLBUTSELF);
}

void lapic_timer_periodic(unsigned int hz)
{
	BUG_ON(!lapic_timer_khz || !hz);
	apic_write(REG_TMR_DIV, 0x3); /* divide by 16 */
	apic_write(REG_LVT_TMR, LVT_PERIODIC | VEC_LAPIC_TIMER);
	apic_write(REG_TMR_INIT, (u32)MAX(1ULL, lapic_timer_khz * 1000 / hz));
}

void lapic_timer_oneshot_ns(u64 ns)
{
	u64 ticks = lapic_timer_khz * ns / 1000000;

	apic_write(REG_TMR_DIV, 0x3);
	apic_write(REG_LVT_TMR, VEC_LAPIC_TIMER);
	apic_write(REG_TMR_INIT, (u32)MIN(MAX(ticks, 1ULL), 0xffffffffULL));
}

void lapic_timer_stop(void)
{
	apic_write(REG_LVT_TMR, LVT_MASKED | VEC_LAPIC_TIMER);
	apic_write(REG_TMR_INIT, 0);
}

/* Count timer ticks across a reference interval measured by the platform clock. */
void lapic_timer_calibrate(void)
{
	u64 ref_ns;
	u32 start = 0xffffffff, end;

	apic_write(REG_TMR_DIV, 0x3);
	apic_write(REG_LVT_TMR, LVT_MASKED | VEC_LAPIC_TIMER);
	apic_write(REG_TMR_INIT, start);
	ref_ns = platform_clock_wait_ms(10);
	end = apic_read(REG_TMR_CUR);
	apic_write(REG_TMR_INIT, 0);
	lapic_timer_khz = (u64)(start - end) * 1000000 / ref_ns;
	if (!lapic_timer_khz)
		panic("apic: timer calibration measured no ticks");
	pr_info("apic: timer %llu kHz (divide by 16)", lapic_timer_khz);
}
