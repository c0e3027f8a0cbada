/*
 * schedule.c - the scheduler core: which vCPU each physical CPU runs, and switching between them.
 *
 * Design (the interface and the locking rules are in parva/sched.h): a
 * vCPU is runnable when its pause flags are clear.  Setting a flag on a
 * queued vCPU takes it off its run queue (the policy's sleep hook); on a
 * running one it asks its CPU to reschedule.  Clearing the last flag hands
 * the vCPU to the policy's wake hook, which queues it and tickles a CPU.
 * A CPU reschedules when it is tickled (need_resched), on its way back to a
 * guest or in its idle loop: schedule() asks the policy for the next vCPU
 * and a time slice, keeps the runstates, arms the slice and tick timers,
 * and switches context through the arch hooks.  The outgoing vCPU's state
 * is saved before the CPU's lock is dropped, so another CPU that takes it
 * from the run queue always finds its state complete.  Idle is no vCPU at
 * all: the CPU halts in sched_idle_loop().
 *
 * The policy is chosen with `sched=` (credit, the default, or rr).
 *
 * Locking: one irq-safe lock per CPU (struct sched_cpu.lock), see
 * parva/sched.h.  need_resched is atomic.  Runstate fields of a vCPU change
 * under the lock of its processor.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/param.h>
#include <parva/printk.h>
#include <parva/sched.h>
#include <parva/tasklet.h>
#include <parva/timer.h>
#include <asm/sched.h>

struct sched_cpu {
    spinlock_t lock;
    struct vcpu *curr;              /* running here; NULL: idle */
    bool need_resched;              /* atomic: call schedule() before returning to a guest */
    struct timer slice_timer;       /* the end of curr's time slice */
    struct timer tick_timer;        /* the policy's accounting tick while a vCPU runs */
    uint64_t switches;              /* context switches (debug key 'r') */
};

static struct sched_cpu sched_cpus[NR_CPUS];
static cpumask_t online_cpus;
const struct sched_ops *sched_policy;

static char opt_sched[16] = "credit";
string_param("sched", opt_sched);

spinlock_t *sched_lock_of(unsigned int cpu)
{
    return &sched_cpus[cpu].lock;
}

struct vcpu *sched_curr(unsigned int cpu)
{
    return __atomic_load_n(&sched_cpus[cpu].curr, __ATOMIC_ACQUIRE);
}

cpumask_t sched_online_cpus(void)
{
    return online_cpus;
}

bool sched_need_resched(void)
{
    return __atomic_load_n(&sched_cpus[timer_this_cpu()].need_resched, __ATOMIC_ACQUIRE);
}

void sched_tickle(unsigned int cpu)
{
    __atomic_store_n(&sched_cpus[cpu].need_resched, true, __ATOMIC_RELEASE);
    if ( cpu != timer_this_cpu() )
        arch_kick_cpu(cpu);
}

/* Take the lock of v's processor, which may change until we hold it; returns that CPU. */
static unsigned int vcpu_lock(struct vcpu *v, unsigned long *flags)
{
    for ( ; ; )
    {
        unsigned int cpu = __atomic_load_n(&v->processor, __ATOMIC_ACQUIRE);

        spin_lock_irqsave(&sched_cpus[cpu].lock, *flags);
        if ( v->processor == cpu )
            return cpu;
        spin_unlock_irqrestore(&sched_cpus[cpu].lock, *flags);
    }
}

static void vcpu_unlock(unsigned int cpu, unsigned long flags)
{
    spin_unlock_irqrestore(&sched_cpus[cpu].lock, flags);
}

/* Account the time in the old state and enter the new one; v's processor lock held. */
static void runstate_change(struct vcpu *v, enum vcpu_runstate s, uint64_t now)
{
    if ( now > v->runstate_entry )
        v->runstate_time[v->runstate] += now - v->runstate_entry;
    v->runstate_entry = now;
    v->runstate = s;
}

/* The state a vCPU that is not running is in (as Xen: paused and not blocked is offline). */
static enum vcpu_runstate idle_state(const struct vcpu *v)
{
    if ( !(v->pause_flags & ~VPF_migrating) )
        return VCPU_RUNNABLE;           /* moving between CPUs is waiting to run */
    if ( v->pause_flags & (VPF_down | VPF_dying) )
        return VCPU_OFFLINE;
    return (v->pause_flags & VPF_blocked) ? VCPU_BLOCKED : VCPU_OFFLINE;
}

void vcpu_pause_flag_set(struct vcpu *v, unsigned int flag)
{
    unsigned long flags;
    unsigned int cpu = vcpu_lock(v, &flags);
    bool was_runnable = !v->pause_flags;

    v->pause_flags |= flag;
    if ( was_runnable )
    {
        if ( sched_cpus[cpu].curr == v )
            sched_tickle(cpu);          /* it runs: its CPU switches it out */
        else
        {
            sched_policy->sleep(v);
            runstate_change(v, idle_state(v), timer_now());
        }
    }
    else if ( sched_cpus[cpu].curr != v )
        runstate_change(v, idle_state(v), timer_now());
    vcpu_unlock(cpu, flags);
}

void vcpu_pause_flag_clear(struct vcpu *v, unsigned int flag)
{
    unsigned long flags;
    unsigned int cpu = vcpu_lock(v, &flags);

    if ( (v->pause_flags & flag) )
    {
        v->pause_flags &= ~flag;
        /* Still on its CPU (it blocked and was not switched out yet): it simply goes on. */
        if ( sched_cpus[cpu].curr != v )
        {
            uint64_t now = timer_now();

            runstate_change(v, idle_state(v), now);
            if ( !v->pause_flags )
                sched_policy->wake(v, now);
        }
    }
    vcpu_unlock(cpu, flags);
}

void vcpu_unblock(struct vcpu *v)
{
    if ( __atomic_load_n(&v->pause_flags, __ATOMIC_ACQUIRE) & VPF_blocked )
        vcpu_pause_flag_clear(v, VPF_blocked);
}

void vcpu_yield(struct vcpu *v)
{
    unsigned long flags;
    unsigned int cpu = vcpu_lock(v, &flags);

    if ( sched_cpus[cpu].curr == v )
    {
        sched_policy->yield(v);
        sched_tickle(cpu);
    }
    vcpu_unlock(cpu, flags);
}

void vcpu_up(struct vcpu *v)
{
    unsigned int cpu = sched_policy->pick_cpu(v);
    unsigned long flags;

    /* A down vCPU is on no run queue: it may move to the chosen CPU freely. */
    if ( (v->pause_flags & VPF_down) && cpu != v->processor )
    {
        unsigned int old = vcpu_lock(v, &flags);

        if ( v->pause_flags & VPF_down )
            __atomic_store_n(&v->processor, cpu, __ATOMIC_RELEASE);
        vcpu_unlock(old, flags);
    }
    v->is_up = true;
    vcpu_pause_flag_clear(v, VPF_down);
}

/* Move v, which is on no run queue and not running, to a CPU of its hard affinity, and queue it
   there if it is runnable.  No lock held. */
static void vcpu_move(struct vcpu *v)
{
    unsigned long flags;
    unsigned int cpu = vcpu_lock(v, &flags), to;
    cpumask_t usable = v->hard_affinity & online_cpus;

    if ( usable && !cpumask_has(usable, cpu) && sched_cpus[cpu].curr != v )
    {
        to = sched_policy->pick_cpu(v);
        if ( !cpumask_has(usable, to) )
            to = __builtin_ctzll(usable);
        __atomic_store_n(&v->processor, to, __ATOMIC_RELEASE);
    }
    vcpu_unlock(cpu, flags);
}

int vcpu_set_affinity(struct vcpu *v, cpumask_t hard, cpumask_t soft)
{
    cpumask_t usable = hard & online_cpus;
    unsigned int cpu;
    unsigned long flags;
    bool running;

    if ( !usable )
        return -EINVAL;
    cpu = vcpu_lock(v, &flags);
    v->hard_affinity = hard;
    v->soft_affinity = soft;
    running = sched_cpus[cpu].curr == v;
    if ( running && !cpumask_has(usable, cpu) )
        sched_tickle(cpu);              /* its CPU's schedule() moves it (see schedule()) */
    vcpu_unlock(cpu, flags);
    if ( running || cpumask_has(usable, cpu) )
        return 0;
    /* Queued or waiting on a CPU it may no longer use: off the queue, over, and back on. */
    vcpu_pause_flag_set(v, VPF_migrating);
    vcpu_move(v);
    vcpu_pause_flag_clear(v, VPF_migrating);
    return 0;
}

unsigned int sched_xen_id(void)
{
    return sched_policy ? sched_policy->xen_id : 0;
}

int sched_init_vcpu(struct vcpu *v, unsigned int cpu)
{
    v->processor = cpu;
    v->pause_flags = VPF_down;
    v->hard_affinity = CPUMASK_ALL;
    v->soft_affinity = CPUMASK_ALL;
    v->runstate = VCPU_OFFLINE;
    v->runstate_entry = timer_now();
    return sched_policy ? sched_policy->alloc_vdata(v) : 0;
}

void sched_destroy_vcpu(struct vcpu *v)
{
    if ( sched_policy && v->sched_priv )
        sched_policy->free_vdata(v);
}

int sched_init_domain(struct domain *d)
{
    d->sched_params.weight = SCHED_DEFAULT_WEIGHT;
    d->sched_params.cap = 0;
    return sched_policy ? sched_policy->alloc_domdata(d) : 0;
}

void sched_destroy_domain(struct domain *d)
{
    if ( sched_policy && d->sched_priv )
        sched_policy->free_domdata(d);
}

int sched_adjust(struct domain *d, const struct sched_params *p)
{
    int rc;

    if ( p->weight < 1 || p->weight > SCHED_MAX_WEIGHT || p->cap > 100 * d->max_vcpus )
        return -EINVAL;
    rc = sched_policy->adjust(d, p);
    if ( !rc )
        d->sched_params = *p;
    return rc;
}

static void slice_expired(void *data)
{
    (void)data;
    sched_tickle(timer_this_cpu());
}

static void tick(void *data)
{
    struct sched_cpu *sc = data;
    unsigned int cpu = timer_this_cpu();
    uint64_t now = timer_now();
    unsigned long flags;

    spin_lock_irqsave(&sc->lock, flags);
    if ( sc->curr )
    {
        sched_policy->tick(cpu, now);
        set_timer(&sc->tick_timer, now + SCHED_TICK_NS);
    }
    spin_unlock_irqrestore(&sc->lock, flags);
}

/*
 * Switch this CPU to what the policy picks.  Interrupts off.  Returns when the CPU runs a vCPU
 * (perhaps the same one), or stays idle; a vCPU's CPU that has nothing left to run continues
 * in the idle loop instead of returning.
 */
void schedule(void)
{
    unsigned int cpu = timer_this_cpu();
    struct sched_cpu *sc = &sched_cpus[cpu];
    struct vcpu *prev, *next;
    struct sched_slice slice;
    bool prev_runnable, migrate;
    uint64_t now;

    spin_lock(&sc->lock);
    __atomic_store_n(&sc->need_resched, false, __ATOMIC_RELEASE);
    now = timer_now();
    prev = sc->curr;
    prev_runnable = prev && !prev->pause_flags;
    /* A vCPU whose hard affinity no longer has this CPU leaves it for one that does (below). */
    migrate = prev_runnable && !cpumask_has(prev->hard_affinity & online_cpus, cpu) &&
              (prev->hard_affinity & online_cpus);
    slice = sched_policy->do_schedule(cpu, prev, prev_runnable && !migrate, now, tasklet_wants_cpu(cpu));
    next = slice.next;
    BUG_ON(next && (next->pause_flags || next->processor != cpu));
    if ( slice.time )
        set_timer(&sc->slice_timer, now + slice.time);
    else
        stop_timer(&sc->slice_timer);
    if ( next && !sc->tick_timer.active )
        set_timer(&sc->tick_timer, now + SCHED_TICK_NS);
    if ( prev == next )
    {
        spin_unlock(&sc->lock);
        return;
    }
    sc->switches++;
    if ( prev )
    {
        /* All of prev is saved before the lock goes: another CPU may take it from the queue next. */
        runstate_change(prev, idle_state(prev), now);
        vcpu_timers_block(prev);        /* its periodic tick pauses while it does not run (Xen) */
        arch_save_vcpu(prev);
    }
    if ( next )
        runstate_change(next, VCPU_RUNNING, now);
    __atomic_store_n(&sc->curr, next, __ATOMIC_RELEASE);
    spin_unlock(&sc->lock);
    if ( migrate )
    {
        /* prev is saved and on no queue: move it, then wake it where it now belongs. */
        vcpu_pause_flag_set(prev, VPF_migrating);
        vcpu_move(prev);
        vcpu_pause_flag_clear(prev, VPF_migrating);
    }
    if ( !next )
        arch_enter_idle();              /* does not return: the idle loop */
    arch_load_vcpu(next);
}

__noreturn void sched_idle_loop(void)
{
    for ( ; ; )
    {
        local_irq_disable();
        if ( sched_need_resched() )
        {
            schedule();
            if ( sched_curr(timer_this_cpu()) )
                arch_run_current();     /* into the guest; it comes back here only through idling */
            continue;
        }
        if ( tasklet_work_pending() )
        {
            local_irq_enable();
            tasklet_run_pending();      /* deferred work: no vCPU here, interrupts on (tasklet.h) */
            sched_tickle(timer_this_cpu());     /* its queue may hold vCPUs it left for the work */
            continue;
        }
        safe_halt();
    }
}

void sched_init(cpumask_t online)
{
    unsigned int cpu;

    if ( !strcmp(opt_sched, "rr") )
        sched_policy = &sched_rr_ops;
    else
    {
        if ( strcmp(opt_sched, "credit") )
            printk(XENLOG_WARNING "sched=%s: no such scheduler, using credit\n", opt_sched);
        sched_policy = &sched_credit_ops;
    }

    online_cpus = online;
    for ( cpu = 0; cpu < NR_CPUS; cpu++ )
    {
        spin_lock_init(&sched_cpus[cpu].lock);
        init_timer(&sched_cpus[cpu].slice_timer, slice_expired, NULL, cpu);
        init_timer(&sched_cpus[cpu].tick_timer, tick, &sched_cpus[cpu], cpu);
    }
    if ( sched_policy->init(online) )
        panic("the %s scheduler cannot start\n", sched_policy->name);
    printk("Scheduler: %s\n", sched_policy->name);
}

/* Debug key 'r': what each CPU runs and its queue. */
void sched_dump(void)
{
    unsigned int cpu;
    unsigned long flags;

    printk("Scheduler: %s\n", sched_policy ? sched_policy->name : "not started");
    if ( !sched_policy )
        return;
    for ( cpu = 0; cpu < NR_CPUS; cpu++ )
    {
        struct sched_cpu *sc = &sched_cpus[cpu];

        if ( !cpumask_has(online_cpus, cpu) )
            continue;
        spin_lock_irqsave(&sc->lock, flags);
        if ( sc->curr )
            printk("CPU%u: running d%uv%u, %lu switches\n", cpu, sc->curr->domain->domain_id,
                   sc->curr->vcpu_id, (unsigned long)sc->switches);
        else
            printk("CPU%u: idle, %lu switches\n", cpu, (unsigned long)sc->switches);
        sched_policy->dump(cpu);
        spin_unlock_irqrestore(&sc->lock, flags);
    }
}
