/*
 * timer.c - per-CPU software timers: sorted queues, one hardware one-shot per CPU.
 *
 * Design: a timer sits on its CPU's queue, sorted by expiry, while active.
 * Changing the head of another CPU's queue asks that CPU (arch_timer_kick)
 * to reprogram its one-shot; its own head is programmed directly.  The
 * timer interrupt pops every expired timer and runs it with no lock held,
 * then programs the next expiry.  Queues are short (a few timers per vCPU),
 * so sorted insertion is cheap and keeps the code obvious.
 *
 * Locking: each queue has an irq-safe lock, a leaf.  A timer's fields
 * change only under the lock of the queue its `cpu` names, and `cpu` itself
 * only under the old queue's lock (migrate_timer), so every operation
 * locks the queue and re-checks `cpu` (lock_timer).  An armed timer keeps
 * its expiry across a migration.  kill_timer() waits out a callback
 * running elsewhere, so the timer's memory may be freed after it.
 */
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/spinlock.h>
#include <parva/timer.h>
#include <asm/config.h>

static struct timer_queue {
    spinlock_t lock;
    struct timer *head;
    struct timer *running;      /* whose callback runs now (kill_timer waits for it) */
} queues[NR_CPUS];

/* Lock the queue t is on; t->cpu changes only under that lock, so re-check after taking it. */
static struct timer_queue *lock_timer(struct timer *t, unsigned long *flags)
{
    for ( ; ; )
    {
        unsigned int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
        struct timer_queue *q = &queues[cpu];

        spin_lock_irqsave(&q->lock, *flags);
        if ( t->cpu == cpu )
            return q;
        spin_unlock_irqrestore(&q->lock, *flags);
    }
}

void init_timer(struct timer *t, void (*fn)(void *data), void *data, unsigned int cpu)
{
    BUG_ON(cpu >= NR_CPUS);
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->data = data;
    t->cpu = cpu;
}

/* Take t off its queue; called with the queue locked.  True if it was the head. */
static bool dequeue(struct timer_queue *q, struct timer *t)
{
    struct timer **pp;
    bool was_head = q->head == t;

    for ( pp = &q->head; *pp; pp = &(*pp)->next )
        if ( *pp == t )
        {
            *pp = t->next;
            break;
        }
    t->next = NULL;
    t->active = false;
    return was_head;
}

/* Insert t in expiry order (after equal ones); true if it became the head. */
static bool enqueue(struct timer_queue *q, struct timer *t)
{
    struct timer **pp = &q->head;

    while ( *pp && (*pp)->expires <= t->expires )
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    t->active = true;
    return q->head == t;
}

static void head_changed(struct timer_queue *q, unsigned int cpu)
{
    if ( cpu == timer_this_cpu() )
        arch_timer_program(q->head ? q->head->expires : 0);
    else
        arch_timer_kick(cpu);
}

void set_timer(struct timer *t, uint64_t expires)
{
    unsigned long flags;
    struct timer_queue *q = lock_timer(t, &flags);
    bool changed = false;

    if ( t->killed )
    {
        spin_unlock_irqrestore(&q->lock, flags);
        return;
    }
    if ( t->active )
        changed = dequeue(q, t);
    t->expires = expires;
    changed |= enqueue(q, t);
    if ( changed )
        head_changed(q, t->cpu);
    spin_unlock_irqrestore(&q->lock, flags);
}

void stop_timer(struct timer *t)
{
    unsigned long flags;
    struct timer_queue *q = lock_timer(t, &flags);

    if ( t->active && dequeue(q, t) )
        head_changed(q, t->cpu);
    spin_unlock_irqrestore(&q->lock, flags);
}

void kill_timer(struct timer *t)
{
    unsigned long flags;
    struct timer_queue *q = lock_timer(t, &flags);

    t->killed = true;
    if ( t->active && dequeue(q, t) )
        head_changed(q, t->cpu);
    spin_unlock_irqrestore(&q->lock, flags);
    while ( __atomic_load_n(&q->running, __ATOMIC_ACQUIRE) == t )
        cpu_relax();
}

void migrate_timer(struct timer *t, unsigned int cpu)
{
    struct timer_queue *from, *to = &queues[cpu];
    unsigned long flags;
    unsigned int old;

    BUG_ON(cpu >= NR_CPUS);
    /* Both queues locked, lower CPU first, with t->cpu re-checked once they are held. */
    for ( ; ; )
    {
        old = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
        if ( old == cpu )
            return;
        from = &queues[old];
        local_irq_save(flags);
        spin_lock(old < cpu ? &from->lock : &to->lock);
        spin_lock(old < cpu ? &to->lock : &from->lock);
        if ( t->cpu == old )
            break;
        spin_unlock(&to->lock);
        spin_unlock(&from->lock);
        local_irq_restore(flags);
    }
    if ( t->active )
    {
        if ( dequeue(from, t) )
            head_changed(from, old);
        __atomic_store_n(&t->cpu, cpu, __ATOMIC_RELEASE);
        if ( enqueue(to, t) )
            head_changed(to, cpu);
    }
    else
        __atomic_store_n(&t->cpu, cpu, __ATOMIC_RELEASE);
    spin_unlock(&to->lock);
    spin_unlock(&from->lock);
    local_irq_restore(flags);
}

void timer_interrupt(void)
{
    unsigned int cpu = timer_this_cpu();
    struct timer_queue *q = &queues[cpu];
    unsigned long flags;
    struct timer *t;

    spin_lock_irqsave(&q->lock, flags);
    while ( (t = q->head) != NULL && t->expires <= timer_now() )
    {
        dequeue(q, t);
        q->running = t;
        spin_unlock_irqrestore(&q->lock, flags);
        t->fn(t->data);                 /* may re-arm t, or others */
        spin_lock_irqsave(&q->lock, flags);
        __atomic_store_n(&q->running, NULL, __ATOMIC_RELEASE);
    }
    arch_timer_program(q->head ? q->head->expires : 0);
    spin_unlock_irqrestore(&q->lock, flags);
}

uint64_t timer_next_expiry(unsigned int cpu)
{
    struct timer_queue *q = &queues[cpu];
    unsigned long flags;
    uint64_t e;

    spin_lock_irqsave(&q->lock, flags);
    e = q->head ? q->head->expires : 0;
    spin_unlock_irqrestore(&q->lock, flags);
    return e;
}
