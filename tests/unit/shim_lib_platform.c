/* Host shim for printk's platform needs: now_ns, spinlocks and panic (via cmocka's mock_assert). */
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the headers above. */
#include <cmocka.h>

/* The time printk stamps messages with; tests set it. */
u64 shim_now_ns;

u64 now_ns(void)
{
	return shim_now_ns;
}

void udelay(u64 us)
{
	(void)us;
}

/* Ticket locks as on the target, with host atomics; interrupts do not exist here. */
void spin_lock(spinlock_t *lock)
{
	u16 ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		;
}

void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->owner, (u16)(lock->owner + 1), __ATOMIC_RELEASE);
}

bool spin_trylock(spinlock_t *lock)
{
	u16 owner = __atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE);
	u16 expected = owner;

	return __atomic_compare_exchange_n(&lock->next, &expected, (u16)(owner + 1), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

bool spin_trylock_irqsave(spinlock_t *lock, unsigned long *flags)
{
	*flags = 0;
	return spin_trylock(lock);
}

bool spin_is_locked(const spinlock_t *lock)
{
	return lock->next != lock->owner;
}

unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	spin_lock(lock);
	return 0;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	(void)flags;
	spin_unlock(lock);
}

/* A Keel panic becomes a cmocka assertion failure (expect_assert_failure() can catch it). */
void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort();
}
