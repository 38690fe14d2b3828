/* Guest library: the 2-level event-channel scan (pure logic on a shared_info image). */
#include "events.h"

unsigned int events_scan(volatile struct shared_info *si, unsigned int vcpu, event_handler_t fn,
			 void *ctx)
{
	return events_scan_info(si, &si->vcpu_info[vcpu], fn, ctx);
}

unsigned int events_scan_info(volatile struct shared_info *si, volatile struct vcpu_info *vi,
			      event_handler_t fn, void *ctx)
{
	unsigned int handled = 0;
	uint64_t sel;

	vi->upcall_pending = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned int word = (unsigned int)__builtin_ctzll(sel);
		uint64_t ready;

		sel &= sel - 1;
		if (word >= EVTCHN_2L_WORDS)
			continue;
		ready = si->evtchn_pending[word] & ~si->evtchn_mask[word];
		while (ready) {
			unsigned int bit = (unsigned int)__builtin_ctzll(ready);
			uint64_t m = 1ull << bit;

			ready &= ready - 1;
			/* Only the vCPU that clears the bit handles the event. */
			if (!(__atomic_fetch_and(&si->evtchn_pending[word], ~m, __ATOMIC_SEQ_CST) &
			      m))
				continue;
			handled++;
			if (fn)
				fn((evtchn_port_t)(word * 64 + bit), ctx);
		}
	}
	return handled;
}
