/* Guest library: pvclock arithmetic and the version-checked snapshot read (no hardware access). */
#include "pvclock.h"

uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift >= 0)
		delta = shift >= 64 ? 0 : delta << shift;
	else
		delta = shift <= -64 ? 0 : delta >> -shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t pvclock_read(const volatile struct vcpu_time_info *t, uint64_t (*read_tsc)(void))
{
	uint32_t version, mul;
	uint64_t stamp, system_time, tsc;
	int8_t shift;

	do {
		version = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		stamp = t->tsc_timestamp;
		system_time = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		tsc = read_tsc();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || t->version != version);
	/* A TSC older than the stamp (another vCPU's record, skew) counts as no progress. */
	return system_time + (tsc > stamp ? pvclock_scale_delta(tsc - stamp, mul, shift) : 0);
}
