/* Host shim: ticket spinlocks that really spin (tests with threads); a hook runs at each unlock. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <keel/spinlock.h>

#include "shim_spinlock_mt.h"

#define SHIM_IRQ_FLAGS 0x200UL /* "interrupts were enabled" */
#define SHIM_MAX_HELD  8

void (*shim_spin_unlock_hook)(spinlock_t *lock);

static pthread_t main_thread;
static _Thread_local spinlock_t *held[SHIM_MAX_HELD];
static _Thread_local unsigned int nr_held;

__attribute__((constructor)) static void remember_main_thread(void)
{
	main_thread = pthread_self();
}

/* A misuse fails the test on the cmocka thread; elsewhere it can only abort the program. */
static void misuse(const char *what)
{
	if (pthread_equal(pthread_self(), main_thread))
		mock_assert(0, what, __FILE__, __LINE__);
	fprintf(stderr, "shim_spinlock_mt: %s (in a test thread)\n", what);
	abort();
}

static bool held_here(const spinlock_t *lock)
{
	for (unsigned int i = 0; i < nr_held; i++)
		if (held[i] == lock)
			return true;
	return false;
}

static void push(spinlock_t *lock)
{
	if (nr_held == SHIM_MAX_HELD)
		misuse("spinlock: too many locks held");
	held[nr_held++] = lock;
}

void spin_lock(spinlock_t *lock)
{
	u16 ticket;

	if (held_here(lock))
		misuse("spin_lock: this thread already holds it (deadlock)");
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		sched_yield();
	push(lock);
}

bool spin_trylock(spinlock_t *lock)
{
	u16 owner = __atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE), expected = owner;

	if (held_here(lock))
		return false;
	if (!__atomic_compare_exchange_n(&lock->next, &expected, (u16)(owner + 1), false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	push(lock);
	return true;
}

void spin_unlock(spinlock_t *lock)
{
	unsigned int i;

	for (i = 0; i < nr_held && held[i] != lock; i++)
		;
	if (i == nr_held)
		misuse("spin_unlock: not held by this thread");
	held[i] = held[--nr_held];
	__atomic_store_n(&lock->owner, (u16)(lock->owner + 1), __ATOMIC_RELEASE);
	if (shim_spin_unlock_hook)
		shim_spin_unlock_hook(lock);
}

bool spin_trylock_irqsave(spinlock_t *lock, unsigned long *flags)
{
	*flags = SHIM_IRQ_FLAGS;
	return spin_trylock(lock);
}

bool spin_is_locked(const spinlock_t *lock)
{
	return __atomic_load_n(&lock->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
}

unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	spin_lock(lock);
	return SHIM_IRQ_FLAGS;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	if (flags != SHIM_IRQ_FLAGS)
		misuse("spin_unlock_irqrestore: flags not from spin_lock_irqsave");
	spin_unlock(lock);
}

unsigned int shim_spin_held_here(void)
{
	return nr_held;
}

/* ---- a one-shot rendezvous for forcing an interleaving ---- */

void shim_gate_init(struct shim_gate *g)
{
	__atomic_store_n(&g->arrived, false, __ATOMIC_SEQ_CST);
	__atomic_store_n(&g->opened, false, __ATOMIC_SEQ_CST);
}

void shim_gate_wait_here(struct shim_gate *g)
{
	__atomic_store_n(&g->arrived, true, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&g->opened, __ATOMIC_SEQ_CST))
		sched_yield();
}

void shim_gate_await_arrival(struct shim_gate *g)
{
	while (!__atomic_load_n(&g->arrived, __ATOMIC_SEQ_CST))
		sched_yield();
}

void shim_gate_open(struct shim_gate *g)
{
	__atomic_store_n(&g->opened, true, __ATOMIC_SEQ_CST);
}
