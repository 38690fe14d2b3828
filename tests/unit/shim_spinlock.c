/* Host shim: single-threaded ticket spinlocks for unit tests; misuse (deadlock, double unlock) fails the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <keel/spinlock.h>

#define SHIM_IRQ_FLAGS 0x200UL /* "interrupts were enabled" */

/* One thread: taking a held lock would deadlock on the machine, so it fails the test. */
void spin_lock(spinlock_t *lock)
{
	if (lock->next != lock->owner)
		mock_assert(0, "spin_lock: lock already held (deadlock)", __FILE__, __LINE__);
	lock->next++;
}

void spin_unlock(spinlock_t *lock)
{
	if (lock->next == lock->owner)
		mock_assert(0, "spin_unlock: lock not held", __FILE__, __LINE__);
	lock->owner++;
}

bool spin_trylock(spinlock_t *lock)
{
	if (lock->next != lock->owner)
		return false;
	lock->next++;
	return true;
}

bool spin_trylock_irqsave(spinlock_t *lock, unsigned long *flags)
{
	*flags = SHIM_IRQ_FLAGS;
	return spin_trylock(lock);
}

bool spin_is_locked(const spinlock_t *lock)
{
	return lock->next != lock->owner;
}

unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	spin_lock(lock);
	return SHIM_IRQ_FLAGS;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	if (flags != SHIM_IRQ_FLAGS)
		mock_assert(0, "spin_unlock_irqrestore: flags not from spin_lock_irqsave", __FILE__,
			    __LINE__);
	spin_unlock(lock);
}
