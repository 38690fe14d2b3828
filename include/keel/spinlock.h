/* Ticket spinlocks, with interrupt-saving variants for locks also taken in interrupt context. */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/types.h>

typedef struct {
	volatile u16 next;
	volatile u16 owner;
} spinlock_t;

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
bool spin_trylock(spinlock_t *lock);
/* Try to take @lock with interrupts disabled; on failure interrupts are as they were. */
bool spin_trylock_irqsave(spinlock_t *lock, unsigned long *flags);
bool spin_is_locked(const spinlock_t *lock);
unsigned long spin_lock_irqsave(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);

#endif
