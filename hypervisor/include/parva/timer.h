/*
 * timer.h - per-CPU software timers on system time (ns since boot).
 *
 * Each CPU keeps its timers sorted by expiry; the local APIC is programmed
 * for the earliest one (arch hook), and its interrupt runs whatever has
 * expired.  A timer belongs to one CPU (its `cpu`), set with set_timer()
 * from any CPU.  Callbacks run in interrupt context on that CPU, with no
 * lock held.
 */
#ifndef PARVA_TIMER_H
#define PARVA_TIMER_H

#include <parva/types.h>

struct timer {
    uint64_t expires;               /* system time, ns */
    void (*fn)(void *data);
    void *data;
    unsigned int cpu;
    bool active;                    /* queued */
    bool killed;                    /* kill_timer(): never armed again */
    struct timer *next;
};

void init_timer(struct timer *t, void (*fn)(void *data), void *data, unsigned int cpu);
/* (Re)arm t for expires; a time in the past fires at the next timer interrupt (promptly). */
void set_timer(struct timer *t, uint64_t expires);
void stop_timer(struct timer *t);
/* Stop t for good and wait until its callback is not running anywhere; then it may be freed. */
void kill_timer(struct timer *t);
/* Move a timer to another CPU's queue (armed or not; an armed one keeps its expiry). */
void migrate_timer(struct timer *t, unsigned int cpu);
/* From the timer interrupt: run this CPU's expired timers and program the next expiry. */
void timer_interrupt(void);
/* Earliest expiry queued on cpu, 0 for none (tests, debug keys). */
uint64_t timer_next_expiry(unsigned int cpu);

/* Arch hooks: system time, and arming this CPU's one-shot interrupt (0: none). */
uint64_t timer_now(void);
void arch_timer_program(uint64_t deadline);
/* Arch hook: make cpu re-read its queue (an IPI), after another CPU changed its head. */
void arch_timer_kick(unsigned int cpu);
unsigned int timer_this_cpu(void);

#endif /* PARVA_TIMER_H */
