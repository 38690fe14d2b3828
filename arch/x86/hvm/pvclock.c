/* The PV clock on x86: system time = Keel's now_ns(), derived from the host TSC guests also read. */
#include <asm/cpu.h>
#include <asm/time.h>
#include <keel/compiler.h>
#include <keel/pvclock.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <public/shared_info.h>

/*
 * One record: the version is odd while it is written and even after, whatever it held before
 * (a freshly registered area may hold anything), so a reader never takes a half-written one.
 */
static void write_time(struct vcpu_time_info *t, u64 tsc, u64 ns)
{
	u32 version = READ_ONCE(t->version) | 1;

	WRITE_ONCE(t->version, version);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->tsc_timestamp = tsc;
	t->system_time = ns;
	t->tsc_to_system_mul = tsc_pv_mul;
	t->tsc_shift = tsc_pv_shift;
	t->flags = PVCLOCK_TSC_STABLE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	WRITE_ONCE(t->version, version + 1);
}

void pvclock_update(struct vcpu *v)
{
	struct vcpu_info *info = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);
	struct vcpu_time_info *area = __atomic_load_n(&v->pv.time_area, __ATOMIC_ACQUIRE);
	u64 tsc, ns;

	if (!info && !area)
		return;
	tsc = rdtsc();
	ns = now_ns();
	if (info)
		write_time(&info->time, tsc, ns);
	/* The second copy (VCPUOP_register_vcpu_time_memory_area), for the guest's vDSO. */
	if (area)
		write_time(area, tsc, ns);
}
