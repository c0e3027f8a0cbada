/*
 * sched_rr.c - the round-robin scheduler (`sched=rr`): the simplest policy the core can run.
 *
 * Each CPU has a FIFO of runnable vCPUs; a vCPU runs for RR_SLICE_NS, then
 * goes to the back of its queue.  A waking vCPU joins the back of its CPU's
 * queue and tickles that CPU if it is idle, or else an idle CPU it may run
 * on, which takes it over.  A CPU with an empty queue takes the head of
 * another CPU's queue (trylock only).  No weights, no caps: it exists to
 * debug the core and as a reference for writing a policy; credit is the
 * default (common/sched_credit.c).
 *
 * Locking: a CPU's queue is protected by its scheduler lock (parva/sched.h).
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/sched.h>
#include <parva/mm.h>

#define RR_SLICE_NS     30000000ULL

struct rr_vcpu {
    struct vcpu *v;
    struct rr_vcpu *next;
    bool queued;
};

static struct rr_queue {
    struct rr_vcpu *head, *tail;
    unsigned int len;
} queues[NR_CPUS];

static struct rr_vcpu *rv(const struct vcpu *v)
{
    return v->sched_priv;
}

static void enqueue(unsigned int cpu, struct rr_vcpu *r)
{
    struct rr_queue *q = &queues[cpu];

    BUG_ON(r->queued);
    r->next = NULL;
    if ( q->tail )
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->len++;
    r->queued = true;
}

static void dequeue(unsigned int cpu, struct rr_vcpu *r)
{
    struct rr_queue *q = &queues[cpu];
    struct rr_vcpu **pp, *prev = NULL;

    for ( pp = &q->head; *pp; prev = *pp, pp = &(*pp)->next )
        if ( *pp == r )
        {
            *pp = r->next;
            if ( q->tail == r )
                q->tail = prev;
            q->len--;
            r->queued = false;
            r->next = NULL;
            return;
        }
}

/* The first queued vCPU of cpu's queue that may run on `to`, dequeued; NULL if none. */
static struct rr_vcpu *take_for(unsigned int cpu, unsigned int to)
{
    struct rr_vcpu *r;

    for ( r = queues[cpu].head; r; r = r->next )
        if ( cpumask_has(r->v->hard_affinity, to) )
        {
            dequeue(cpu, r);
            return r;
        }
    return NULL;
}

static int rr_init(cpumask_t cpus)
{
    (void)cpus;
    return 0;
}

static int rr_alloc_domdata(struct domain *d)
{
    (void)d;
    return 0;
}

static void rr_free_domdata(struct domain *d)
{
    (void)d;
}

static int rr_alloc_vdata(struct vcpu *v)
{
    struct rr_vcpu *r = xzalloc(struct rr_vcpu);

    if ( !r )
        return -ENOMEM;
    r->v = v;
    v->sched_priv = r;
    return 0;
}

static void rr_free_vdata(struct vcpu *v)
{
    xfree(v->sched_priv);
    v->sched_priv = NULL;
}

/* An idle CPU v may run on, the least loaded otherwise (ties: v's own CPU first). */
static unsigned int rr_pick_cpu(const struct vcpu *v)
{
    cpumask_t ok = v->hard_affinity & sched_online_cpus();
    unsigned int cpu, best = v->processor, best_load = ~0U;

    if ( !ok )
        return v->processor;
    for ( cpu = 0; cpu < NR_CPUS; cpu++ )
    {
        unsigned int load;

        if ( !cpumask_has(ok, cpu) )
            continue;
        load = queues[cpu].len + (sched_curr(cpu) ? 1 : 0);
        if ( load < best_load || (load == best_load && cpu == v->processor) )
        {
            best = cpu;
            best_load = load;
        }
    }
    return best;
}

static void rr_wake(struct vcpu *v, uint64_t now)
{
    unsigned int cpu = v->processor, c;
    cpumask_t ok = v->hard_affinity & sched_online_cpus();

    (void)now;
    enqueue(cpu, rv(v));
    if ( !sched_curr(cpu) )
    {
        sched_tickle(cpu);
        return;
    }
    for ( c = 0; c < NR_CPUS; c++ )
        if ( cpumask_has(ok, c) && !sched_curr(c) )
        {
            sched_tickle(c);            /* an idle CPU takes it over */
            return;
        }
}

static void rr_sleep(struct vcpu *v)
{
    if ( rv(v)->queued )
        dequeue(v->processor, rv(v));
}

static void rr_yield(struct vcpu *v)
{
    (void)v;                            /* do_schedule puts it at the back anyway */
}

static struct sched_slice rr_do_schedule(unsigned int cpu, struct vcpu *prev, bool prev_runnable, uint64_t now,
                                         bool tasklet_work)
{
    struct sched_slice s = { .next = NULL, .time = 0 };
    struct rr_vcpu *r;
    unsigned int other;

    (void)now;
    if ( prev && prev_runnable )
        enqueue(cpu, rv(prev));
    if ( tasklet_work )
        return s;                       /* idle for deferred work; the core reschedules after it */
    r = take_for(cpu, cpu);
    for ( other = 0; !r && other < NR_CPUS; other++ )
    {
        spinlock_t *lock = sched_lock_of(other);

        if ( other == cpu || !cpumask_has(sched_online_cpus(), other) || !queues[other].len ||
             !spin_trylock(lock) )
            continue;
        r = take_for(other, cpu);
        if ( r )
            __atomic_store_n(&r->v->processor, cpu, __ATOMIC_RELEASE);
        spin_unlock(lock);
    }
    if ( r )
    {
        s.next = r->v;
        s.time = RR_SLICE_NS;           /* even alone: a vCPU woken meanwhile waits one slice at most */
    }
    /* Work left waiting here while another CPU idles: that CPU takes it. */
    for ( other = 0; queues[cpu].len && other < NR_CPUS; other++ )
        if ( other != cpu && cpumask_has(sched_online_cpus(), other) && !sched_curr(other) )
        {
            sched_tickle(other);
            break;
        }
    return s;
}

static void rr_tick(unsigned int cpu, uint64_t now)
{
    (void)cpu;
    (void)now;
}

static int rr_adjust(struct domain *d, const struct sched_params *p)
{
    (void)d;
    (void)p;
    return 0;                           /* accepted, and ignored: round robin has no shares */
}

static void rr_dump(unsigned int cpu)
{
    const struct rr_vcpu *r;

    for ( r = queues[cpu].head; r; r = r->next )
        printk("  queued: d%uv%u\n", r->v->domain->domain_id, r->v->vcpu_id);
}

const struct sched_ops sched_rr_ops = {
    .name = "round robin",
    .opt_name = "rr",
    .init = rr_init,
    .alloc_domdata = rr_alloc_domdata,
    .free_domdata = rr_free_domdata,
    .alloc_vdata = rr_alloc_vdata,
    .free_vdata = rr_free_vdata,
    .pick_cpu = rr_pick_cpu,
    .wake = rr_wake,
    .sleep = rr_sleep,
    .yield = rr_yield,
    .do_schedule = rr_do_schedule,
    .tick = rr_tick,
    .adjust = rr_adjust,
    .dump = rr_dump,
};
