/*
 * tasklet.c - deferred work run from the idle loop (parva/tasklet.h).
 *
 * Design: one FIFO queue for the machine.  tasklet_schedule() appends and
 * kicks one CPU that looks idle (sched_curr() is NULL: a hint; if it picks
 * up a vCPU meanwhile, the next CPU to idle runs the work).  The idle loop
 * checks tasklet_work_pending() with interrupts off just before halting, as
 * it checks need_resched, so a kick between the check and the HLT is not
 * lost.  tasklet_run_pending() pops one tasklet at a time and runs it with
 * the lock dropped; several idle CPUs may run different tasklets at once.
 *
 * Locking: tasklet_lock (irq-safe) protects the queue and t->queued/next; a
 * leaf (nothing else is taken under it; the kick is sent after dropping it).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/sched.h>
#include <parva/spinlock.h>
#include <parva/tasklet.h>
#include <parva/timer.h>

static DEFINE_SPINLOCK(tasklet_lock);
static struct tasklet *queue_head, **queue_tail = &queue_head;

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->data = data;
}

/* Interrupt one CPU that runs no vCPU, unless it is this one (its idle loop checks on its own). */
static void kick_an_idle_cpu(void)
{
    cpumask_t online = sched_online_cpus();
    unsigned int cpu, me = timer_this_cpu();

    for ( cpu = 0; cpu < 8 * sizeof(cpumask_t); cpu++ )
        if ( cpumask_has(online, cpu) && !sched_curr(cpu) )
        {
            if ( cpu != me )
                arch_kick_cpu(cpu);
            return;
        }
}

void tasklet_schedule(struct tasklet *t)
{
    unsigned long flags;
    bool added = false;

    spin_lock_irqsave(&tasklet_lock, flags);
    if ( !t->queued )
    {
        t->queued = true;
        t->next = NULL;
        *queue_tail = t;
        queue_tail = &t->next;
        added = true;
    }
    spin_unlock_irqrestore(&tasklet_lock, flags);
    if ( added )
        kick_an_idle_cpu();
}

bool tasklet_work_pending(void)
{
    return __atomic_load_n(&queue_head, __ATOMIC_ACQUIRE) != NULL;
}

void tasklet_run_pending(void)
{
    for ( ; ; )
    {
        unsigned long flags;
        struct tasklet *t;

        spin_lock_irqsave(&tasklet_lock, flags);
        t = queue_head;
        if ( t )
        {
            queue_head = t->next;
            if ( !queue_head )
                queue_tail = &queue_head;
            t->next = NULL;
            t->queued = false;      /* from here on it may be scheduled again */
        }
        spin_unlock_irqrestore(&tasklet_lock, flags);
        if ( !t )
            return;
        t->fn(t->data);
    }
}
