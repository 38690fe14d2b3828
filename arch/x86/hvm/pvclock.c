/* The PV clock on x86: system time = Keel's now_ns(), derived from the host TSC guests also read. */
#include <asm/cpu.h>
#include <asm/time.h>
#include <keel/compiler.h>
#include <keel/pvclock.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

/* The guest computes ns = ((delta << shift or >> -shift) * mul) >> 32 with a 32-bit mul. */
static void scale(u32 *mul, s8 *shift)
{
	u64 m = tsc_mul; /* ns per TSC tick, 32.32 fixed point */
	int s = 0;

	while (m > 0xffffffffULL) {
		m >>= 1;
		s++;
	}
	while (m && m < 0x80000000ULL && s > -31) {
		m <<= 1;
		s--;
	}
	*mul = (u32)m;
	*shift = (s8)s;
}

void pvclock_update(struct vcpu *v)
{
	struct vcpu_time_info *t;
	u32 mul;
	s8 shift;
	u64 tsc, ns;

	if (!v->vcpu_info)
		return;
	t = &v->vcpu_info->time;
	scale(&mul, &shift);
	tsc = rdtsc();
	ns = now_ns();
	WRITE_ONCE(t->version, t->version + 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->tsc_timestamp = tsc;
	t->system_time = ns;
	t->tsc_to_system_mul = mul;
	t->tsc_shift = shift;
	t->flags = PVCLOCK_TSC_STABLE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	WRITE_ONCE(t->version, t->version + 1);
}
