/* Host shim: spinlocks for tests with threads, and a gate to force an interleaving. */
#ifndef SHIM_SPINLOCK_MT_H
#define SHIM_SPINLOCK_MT_H

#include <keel/spinlock.h>
#include <keel/types.h>

/* Called after every spin_unlock (NULL: none): a test pauses a thread at a chosen point. */
extern void (*shim_spin_unlock_hook)(spinlock_t *lock);
/* Locks the calling thread holds. */
unsigned int shim_spin_held_here(void);

/* One thread stops at the gate until another opens it; the other can wait for it to arrive. */
struct shim_gate {
	bool arrived, opened;
};
void shim_gate_init(struct shim_gate *g);
void shim_gate_wait_here(struct shim_gate *g);
void shim_gate_await_arrival(struct shim_gate *g);
void shim_gate_open(struct shim_gate *g);

#endif
