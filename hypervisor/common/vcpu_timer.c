/*
 * vcpu_timer.c - a vCPU's two timers: the one-shot it sets itself (VCPUOP_set_singleshot_timer,
 * HYPERVISOR_set_timer_op) and the periodic one (VCPUOP_set_periodic_timer).  Both raise VIRQ_TIMER.
 *
 * As in Xen, every vCPU starts with a 10 ms periodic timer, which Linux
 * stops at once and replaces with one-shots.  A deadline already past fires
 * promptly (Linux relies on set_singleshot_timer returning 0 then).  The
 * timers live on the CPU the vCPU runs on.
 */
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/lib.h>
#include <parva/timer.h>
#include <asm/pv.h>
#include <xen/vcpu.h>

#define DEFAULT_PERIOD_NS   10000000ULL
#define MIN_PERIOD_NS       1000000ULL      /* Xen refuses faster periodic timers */
#define MAX_DELTA_NS        (~0ULL >> 2)    /* and longer ones (STIME_DELTA_MAX) */

static void singleshot_fn(void *data)
{
    send_guest_vcpu_virq(data, VIRQ_TIMER);
}

static void move_timer(struct timer *t, unsigned int cpu);

/*
 * The periodic tick (Xen's vcpu_periodic_timer_work): an event if a period has passed since the
 * last one, then the timer armed for the next.  It runs when the timer fires, when the vCPU
 * starts running or wakes from a block, and when the period is set; a blocked vCPU has its
 * periodic timer stopped, as in Xen, where it only ticks while the vCPU runs.  Missed ticks are
 * not replayed: one event, and the next a period later.
 */
static void periodic_work(struct vcpu *v)
{
    uint64_t now = timer_now(), next = v->periodic_last_event + v->periodic_period;

    if ( !v->periodic_period || v->domain->is_shut_down || v->domain->is_dying )
        return;
    if ( now >= next )
    {
        send_guest_vcpu_virq(v, VIRQ_TIMER);
        v->periodic_last_event = now;
        next = now + v->periodic_period;
    }
    move_timer(&v->periodic_timer, v->processor);
    set_timer(&v->periodic_timer, next);
}

static void periodic_fn(void *data)
{
    periodic_work(data);
}

void vcpu_timers_init(struct vcpu *v)
{
    init_timer(&v->singleshot_timer, singleshot_fn, v, v->processor);
    init_timer(&v->periodic_timer, periodic_fn, v, v->processor);
    v->periodic_period = DEFAULT_PERIOD_NS;
}

void vcpu_timers_start(struct vcpu *v)
{
    periodic_work(v);
}

void vcpu_timers_block(struct vcpu *v)
{
    stop_timer(&v->periodic_timer);
}

void vcpu_timers_unblock(struct vcpu *v)
{
    periodic_work(v);
}

void vcpu_timers_stop(struct vcpu *v)
{
    stop_timer(&v->singleshot_timer);
    stop_timer(&v->periodic_timer);
}

void vcpu_timers_kill(struct vcpu *v)
{
    kill_timer(&v->singleshot_timer);
    kill_timer(&v->periodic_timer);
    kill_timer(&v->poll_timer);
}

/* Put t on cpu's queue, keeping its expiry if it is armed. */
static void move_timer(struct timer *t, unsigned int cpu)
{
    bool armed = t->active;
    uint64_t at = t->expires;

    if ( t->cpu == cpu )
        return;
    stop_timer(t);
    migrate_timer(t, cpu);
    if ( armed )
        set_timer(t, at);
}

/* The vCPU runs on another CPU now: its timers follow it. */
void vcpu_timers_migrate(struct vcpu *v, unsigned int cpu)
{
    move_timer(&v->singleshot_timer, cpu);
    move_timer(&v->periodic_timer, cpu);
    move_timer(&v->poll_timer, cpu);
}

/* Arm a timer of the current vCPU on the CPU it runs on: timers fire where their vCPU is. */
static void arm_here(struct vcpu *v, struct timer *t, uint64_t at)
{
    move_timer(t, v->processor);
    set_timer(t, at);
}

static void set_periodic(struct vcpu *v, uint64_t period)
{
    stop_timer(&v->periodic_timer);
    v->periodic_period = period;
    periodic_work(v);
}

long vcpu_timer_op(struct vcpu *v, unsigned long cmd, const void *arg)
{
    switch ( cmd )
    {
    case VCPUOP_set_singleshot_timer:
    {
        const struct vcpu_set_singleshot_timer *s = arg;

        if ( v != current )
            return -EINVAL;
        /* VCPU_SSHOTTMR_future is ignored, as in Xen 4.17: a deadline already past fires now. */
        if ( s->timeout_abs_ns < timer_now() )
        {
            stop_timer(&v->singleshot_timer);
            send_guest_vcpu_virq(v, VIRQ_TIMER);
            return 0;
        }
        arm_here(v, &v->singleshot_timer, s->timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if ( v != current )
            return -EINVAL;
        stop_timer(&v->singleshot_timer);
        return 0;
    case VCPUOP_set_periodic_timer:
    {
        const struct vcpu_set_periodic_timer *p = arg;

        if ( p->period_ns < MIN_PERIOD_NS || p->period_ns > MAX_DELTA_NS )
            return -EINVAL;
        set_periodic(v, p->period_ns);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        set_periodic(v, 0);
        return 0;
    default:
        return -ENOSYS;
    }
}

/*
 * HYPERVISOR_set_timer_op: 0 stops the one-shot.  As Xen, a deadline that wrapped negative or
 * lies more than 2^50 ns (13 days) ahead -- old Linux's jiffies arithmetic produces both, also
 * when it has no timer at all -- becomes an event in 100 ms.
 */
long vcpu_set_timer_op(struct vcpu *v, uint64_t timeout)
{
    uint64_t now = timer_now();

    if ( timeout == 0 )
        stop_timer(&v->singleshot_timer);
    else if ( (int64_t)timeout < 0 || (timeout > now && timeout - now >= (1ULL << 50)) )
        arm_here(v, &v->singleshot_timer, now + 100000000ULL);
    else
        arm_here(v, &v->singleshot_timer, timeout);
    return 0;
}
