/* The virtual local APIC timer: one-shot, periodic and TSC-deadline modes on Keel's timers. */
#include <asm/cpu.h>
#include <asm/vlapic.h>
#include <keel/arch.h>
#include <keel/compiler.h>
#include <keel/time.h>
#include <keel/vcpu.h>

/* Guest TSC ticks to nanoseconds (the guest's TSC is the host's: no offset, no scaling). */
static u64 tsc_to_ns(u64 ticks)
{
	u64 khz = tsc_khz ? tsc_khz : 1, ms = ticks / khz;

	if (ms > (1ULL << 42))
		return 1ULL << 62; /* centuries away: as good as never */
	return ms * 1000000u + (ticks % khz) * 1000000u / khz;
}

static unsigned int timer_mode(u32 lvt)
{
	return (lvt >> APIC_TIMER_MODE_SHIFT) & 3;
}

unsigned int vlapic_timer_divisor(u32 tdcr)
{
	unsigned int code = (tdcr & 3) | ((tdcr >> 1) & 4);

	return code == 7 ? 1 : 2u << code;
}

u32 vlapic_timer_count(u32 tmict, unsigned int divisor, bool periodic, u64 elapsed_ns)
{
	u64 ticks = elapsed_ns / (divisor ? divisor : 1);

	if (!tmict)
		return 0;
	if (!periodic)
		return ticks >= tmict ? 0 : tmict - (u32)ticks;
	return tmict - (u32)(ticks % tmict);
}

/* Arm for @deadline_ns (timer_lock held); 0 disarms (a late callback then finds nothing). */
static void arm(struct vlapic *l, u64 deadline_ns)
{
	l->armed_ns = deadline_ns;
	if (deadline_ns)
		timer_set(&l->timer, deadline_ns, arch_cpu_id());
}

static void fired(struct timer *t)
{
	struct vlapic *l = container_of(t, struct vlapic, timer);
	u64 now = now_ns();
	u32 lvt;

	spin_lock(&l->timer_lock);
	if (!l->armed_ns || now < l->armed_ns) {
		if (l->armed_ns) /* moved later since: wait for it */
			timer_set(&l->timer, l->armed_ns, arch_cpu_id());
		spin_unlock(&l->timer_lock);
		return;
	}
	lvt = l->lvt[LVT_TIMER];
	if (timer_mode(lvt) == APIC_TIMER_PERIODIC && l->timer_period_ns) {
		u64 next = l->armed_ns + l->timer_period_ns;

		if (next <= now) /* missed periods are not made up for */
			next = now + l->timer_period_ns;
		l->armed_ns = next;
		timer_set(&l->timer, next, arch_cpu_id());
	} else {
		l->armed_ns = 0;
		if (timer_mode(lvt) == APIC_TIMER_TSC_DL)
			l->tsc_deadline = 0;
	}
	spin_unlock(&l->timer_lock);
	if (lvt & APIC_LVT_MASKED)
		return;
	l->n_timer_irq++;
	if (vlapic_accept_fixed(l, (u8)lvt))
		vcpu_kick(l->v);
}

void vlapic_timer_init(struct vlapic *l)
{
	l->timer_lock = (spinlock_t)SPINLOCK_INIT;
	timer_init(&l->timer, fired);
}

void vlapic_timer_stop(struct vlapic *l)
{
	spin_lock(&l->timer_lock);
	l->armed_ns = 0;
	spin_unlock(&l->timer_lock);
	timer_stop(&l->timer); /* outside the lock: the callback takes it */
}

/* Load @tmict counts now (timer_lock held). */
static void load_count(struct vlapic *l, u32 tmict)
{
	u64 period = (u64)tmict * vlapic_timer_divisor(l->tdcr) * (1000000000ULL / VLAPIC_BUS_HZ);

	l->tmict = tmict;
	l->timer_start_ns = now_ns();
	l->timer_period_ns = 0;
	if (!tmict) {
		arm(l, 0);
		return;
	}
	if (timer_mode(l->lvt[LVT_TIMER]) == APIC_TIMER_PERIODIC && period < VLAPIC_MIN_PERIOD_NS)
		period = VLAPIC_MIN_PERIOD_NS;
	l->timer_period_ns = period;
	arm(l, l->timer_start_ns + period);
}

void vlapic_timer_write_lvt(struct vlapic *l, u32 val)
{
	spin_lock(&l->timer_lock);
	if (timer_mode(val) != timer_mode(l->timer_lvt_mode)) {
		/* A mode change stops the timer: counts and the deadline are dropped. */
		l->tmict = 0;
		l->timer_period_ns = 0;
		l->tsc_deadline = 0;
		arm(l, 0);
	}
	l->timer_lvt_mode = val;
	spin_unlock(&l->timer_lock);
}

void vlapic_timer_write_tmict(struct vlapic *l, u32 val)
{
	if (timer_mode(l->lvt[LVT_TIMER]) == APIC_TIMER_TSC_DL)
		return; /* ignored in TSC-deadline mode */
	spin_lock(&l->timer_lock);
	load_count(l, val);
	spin_unlock(&l->timer_lock);
}

void vlapic_timer_write_tdcr(struct vlapic *l, u32 val)
{
	/* The new divisor applies from the next load of the count. */
	l->tdcr = val & 0xb;
}

u32 vlapic_timer_read_tmcct(struct vlapic *l)
{
	u32 count;

	if (timer_mode(l->lvt[LVT_TIMER]) == APIC_TIMER_TSC_DL)
		return 0;
	spin_lock(&l->timer_lock);
	count = vlapic_timer_count(l->tmict, vlapic_timer_divisor(l->tdcr),
				   timer_mode(l->lvt[LVT_TIMER]) == APIC_TIMER_PERIODIC,
				   now_ns() - l->timer_start_ns);
	spin_unlock(&l->timer_lock);
	return count;
}

void vlapic_timer_write_deadline(struct vlapic *l, u64 tsc)
{
	u64 now_tsc, now;

	if (timer_mode(l->lvt[LVT_TIMER]) != APIC_TIMER_TSC_DL)
		return; /* ignored outside TSC-deadline mode */
	now_tsc = rdtsc();
	now = now_ns();
	spin_lock(&l->timer_lock);
	l->tsc_deadline = tsc;
	if (!tsc)
		arm(l, 0);
	else
		arm(l, tsc > now_tsc ? now + tsc_to_ns(tsc - now_tsc) : now); /* past: fires now */
	spin_unlock(&l->timer_lock);
}

u64 vlapic_timer_read_deadline(struct vlapic *l)
{
	if (timer_mode(l->lvt[LVT_TIMER]) != APIC_TIMER_TSC_DL)
		return 0;
	return READ_ONCE(l->tsc_deadline);
}
