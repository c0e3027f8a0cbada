/*
 * tasklet.c - deferred work run from the idle loop (parva/tasklet.h).
 *
 * Design: one FIFO queue for the machine, and one CPU that owes it a visit (tasklet_cpu).
 * tasklet_schedule() appends and picks that CPU: this one if it runs no vCPU (its idle loop
 * checks on its own), else the first other CPU that runs none (kicked out of HLT: sched_curr()
 * is NULL, a hint), else, with every CPU busy, this one, told to reschedule.  A CPU whose
 * schedule() finds work pending and itself named (tasklet_wants_cpu) has the policy queue its
 * vCPU again and pick nothing (Xen's tasklet_work_scheduled), so it reaches the idle loop,
 * which runs the work and then reschedules: deferred work waits for no CPU to go idle on its
 * own.  A CPU that idles runs pending work whether named or not.  The idle loop checks
 * tasklet_work_pending() with interrupts off just before halting, as it checks need_resched, so
 * a kick between the check and the HLT is not lost.  tasklet_run_pending() pops one tasklet at a
 * time and runs it with the lock dropped; several idle CPUs may run different tasklets at once.
 *
 * Locking: tasklet_lock (irq-safe) protects the queue, t->queued/next and tasklet_cpu (also read
 * without it as a hint); a leaf (nothing else is taken under it; kicks are sent after dropping it).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/sched.h>
#include <parva/spinlock.h>
#include <parva/tasklet.h>
#include <parva/timer.h>

static DEFINE_SPINLOCK(tasklet_lock);
static struct tasklet *queue_head, **queue_tail = &queue_head;
static unsigned int tasklet_cpu = NO_TASKLET_CPU;      /* the CPU that owes the queue a visit */

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->data = data;
}

/* The CPU to run newly queued work: this one if idle, another idle one, else this one. */
static unsigned int pick_cpu(bool *this_busy)
{
    cpumask_t online = sched_online_cpus();
    unsigned int cpu, me = timer_this_cpu();

    *this_busy = false;
    if ( !sched_curr(me) )
        return me;
    for ( cpu = 0; cpu < 8 * sizeof(cpumask_t); cpu++ )
        if ( cpumask_has(online, cpu) && !sched_curr(cpu) )
            return cpu;
    *this_busy = true;
    return me;
}

void tasklet_schedule(struct tasklet *t)
{
    unsigned long flags;
    unsigned int cpu = NO_TASKLET_CPU;
    bool busy = false;

    spin_lock_irqsave(&tasklet_lock, flags);
    if ( !t->queued )
    {
        t->queued = true;
        t->next = NULL;
        *queue_tail = t;
        queue_tail = &t->next;
        cpu = pick_cpu(&busy);
        __atomic_store_n(&tasklet_cpu, cpu, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&tasklet_lock, flags);
    if ( cpu == NO_TASKLET_CPU )
        return;
    if ( busy )
        sched_tickle(cpu);                  /* this CPU: it leaves its vCPU on its way out */
    else if ( cpu != timer_this_cpu() )
        arch_kick_cpu(cpu);                 /* out of HLT, into its idle loop's check */
}

bool tasklet_wants_cpu(unsigned int cpu)
{
    return tasklet_work_pending() && __atomic_load_n(&tasklet_cpu, __ATOMIC_ACQUIRE) == cpu;
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
        else
            __atomic_store_n(&tasklet_cpu, NO_TASKLET_CPU, __ATOMIC_RELEASE);
        spin_unlock_irqrestore(&tasklet_lock, flags);
        if ( !t )
            return;
        t->fn(t->data);
    }
}
