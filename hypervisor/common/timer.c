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
 * change only under its CPU's queue lock.  migrate_timer() needs the timer
 * inactive and no concurrent set_timer() (its owner vCPU's CPU is the only
 * one arming it).  kill_timer() waits out a callback running elsewhere, so
 * the timer's memory may be freed after it.
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
    struct timer_queue *q = &queues[t->cpu];
    unsigned long flags;
    bool changed = false;

    spin_lock_irqsave(&q->lock, flags);
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
    struct timer_queue *q = &queues[t->cpu];
    unsigned long flags;

    spin_lock_irqsave(&q->lock, flags);
    if ( t->active && dequeue(q, t) )
        head_changed(q, t->cpu);
    spin_unlock_irqrestore(&q->lock, flags);
}

void kill_timer(struct timer *t)
{
    struct timer_queue *q = &queues[t->cpu];
    unsigned long flags;

    spin_lock_irqsave(&q->lock, flags);
    t->killed = true;
    if ( t->active && dequeue(q, t) )
        head_changed(q, t->cpu);
    spin_unlock_irqrestore(&q->lock, flags);
    while ( __atomic_load_n(&q->running, __ATOMIC_ACQUIRE) == t )
        cpu_relax();
}

void migrate_timer(struct timer *t, unsigned int cpu)
{
    BUG_ON(t->active || cpu >= NR_CPUS);
    t->cpu = cpu;
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
