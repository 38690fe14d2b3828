/* The PV clock on x86: system time = Keel's now_ns(), derived from the host TSC guests also read. */
#include <asm/cpu.h>
#include <asm/time.h>
#include <keel/compiler.h>
#include <keel/pvclock.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

void pvclock_update(struct vcpu *v)
{
	struct vcpu_time_info *t;
	u64 tsc, ns;

	if (!v->vcpu_info)
		return;
	t = &v->vcpu_info->time;
	tsc = rdtsc();
	ns = now_ns();
	WRITE_ONCE(t->version, t->version + 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->tsc_timestamp = tsc;
	t->system_time = ns;
	t->tsc_to_system_mul = tsc_pv_mul;
	t->tsc_shift = tsc_pv_shift;
	t->flags = PVCLOCK_TSC_STABLE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	WRITE_ONCE(t->version, t->version + 1);
}
