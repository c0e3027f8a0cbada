/*
 * spinlock.h - ticket spinlocks.
 *
 * Fair (FIFO) locks: a CPU takes a ticket and waits until it is served.
 * The _irqsave variants also disable interrupts, for locks that an
 * interrupt handler takes.  Every lock is documented where it is declared,
 * with what it protects and its place in the lock order.
 */
#ifndef PARVA_SPINLOCK_H
#define PARVA_SPINLOCK_H

#include <parva/compiler.h>
#include <parva/printk.h>
#include <parva/types.h>
#include <asm/system.h>

typedef struct spinlock {
    uint16_t head;      /* ticket being served */
    uint16_t tail;      /* next ticket to hand out */
} spinlock_t;

#define SPIN_LOCK_UNLOCKED { 0, 0 }
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

static inline void spin_lock_init(spinlock_t *l) { l->head = l->tail = 0; }

static inline void spin_lock(spinlock_t *l)
{
    uint16_t me = __atomic_fetch_add(&l->tail, 1, __ATOMIC_RELAXED);

    while ( __atomic_load_n(&l->head, __ATOMIC_ACQUIRE) != me )
        cpu_relax();
}

static inline bool spin_trylock(spinlock_t *l)
{
    uint16_t head = __atomic_load_n(&l->head, __ATOMIC_RELAXED);
    uint16_t tail = head;

    if ( __atomic_load_n(&l->tail, __ATOMIC_RELAXED) != head )
        return false;
    return __atomic_compare_exchange_n(&l->tail, &tail, (uint16_t)(head + 1), false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->head, (uint16_t)(l->head + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return __atomic_load_n(&l->head, __ATOMIC_RELAXED) !=
           __atomic_load_n(&l->tail, __ATOMIC_RELAXED);
}

#define spin_lock_irqsave(l, f) do { local_irq_save(f); spin_lock(l); } while ( 0 )
#define spin_unlock_irqrestore(l, f) do { spin_unlock(l); local_irq_restore(f); } while ( 0 )
#define spin_lock_irq(l) do { local_irq_disable(); spin_lock(l); } while ( 0 )
#define spin_unlock_irq(l) do { spin_unlock(l); local_irq_enable(); } while ( 0 )

/*
 * A broken invariant found while holding `lock` (taken with spin_lock_irqsave): release it before
 * reporting, so the panic path (or a unit test expecting the failure) cannot deadlock on it.
 */
#define BUG_ON_LOCKED(c, lock, flags) do {                  \
    if ( unlikely(c) )                                      \
    {                                                       \
        spin_unlock_irqrestore(lock, flags);                \
        bug_fail(#c, __FILE__, __LINE__);                   \
    }                                                       \
} while ( 0 )

#endif /* PARVA_SPINLOCK_H */
