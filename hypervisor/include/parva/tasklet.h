/*
 * tasklet.h - deferred work for a CPU that runs no vCPU, with interrupts on: Xen's tasklets in
 * idle-vCPU context, reduced.  Used for what must not run on the CPU that asked for it, such as
 * destroying a domain whose own vCPU shut it down (common/boot_domains.c).
 *
 * tasklet_schedule() may be called from any context (a hypercall, an interrupt handler, with
 * interrupts off or locks held).  The tasklet then runs once, in the idle loop of the first CPU
 * that passes through it: an idle CPU is kicked at once; if none is idle, the calling CPU is made
 * to reschedule, and its scheduler leaves its vCPU queued and goes idle to run the work (as Xen's
 * tasklet_work_scheduled), so work never waits for the machine to go idle.  Scheduling a queued
 * tasklet again does nothing.  One that is running may be scheduled again (by itself, say); it is then
 * queued anew and may run on another CPU while its first run is still finishing.
 *
 * The function runs on the idle stack with current == NULL, no lock held and interrupts on: it may
 * wait for other CPUs (cross-CPU calls, TLB flushes), and may take long.  A tasklet's memory must
 * stay valid until it has run (nothing cancels one).
 *
 * Locking: tasklet_lock (irq-safe, a leaf) protects the queue and the queued flags.
 */
#ifndef PARVA_TASKLET_H
#define PARVA_TASKLET_H

#include <parva/types.h>

struct tasklet {
    struct tasklet *next;           /* in the queue */
    bool queued;
    void (*fn)(void *data);
    void *data;
};

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data);
void tasklet_schedule(struct tasklet *t);

#define NO_TASKLET_CPU  (~0U)

/* For schedule(): should cpu go idle now to run queued work (it was named for it)?  A hint. */
bool tasklet_wants_cpu(unsigned int cpu);
/* For the idle loop (common/schedule.c): anything queued?  A lock-free hint, read with interrupts off. */
bool tasklet_work_pending(void);
/* For the idle loop, interrupts on, no vCPU: run every queued tasklet. */
void tasklet_run_pending(void);

#endif /* PARVA_TASKLET_H */
