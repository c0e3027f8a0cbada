/*
 * sched_credit.c - the credit scheduler: Xen's credit1 policy (weights, caps, BOOST, stealing).
 *
 * Design (docs/design/scheduler.md tells the whole story):
 *
 *  - Every CPU has one run queue of vCPUs that are runnable and not running, sorted by priority:
 *    BOOST (woke from blocking), UNDER (credit left), OVER (credit used up), then PARKED (a capped
 *    domain past its cap: runnable for the core, but held back here until it earns credit again).
 *    A vCPU goes in behind its equals (round robin); a yielding one also behind one lower one.
 *  - Credit is CPU time: 10 credits per ms, burnt from the running vCPU on every tick and every
 *    do_schedule.  Every 30 ms (one time slice, three ticks) the accounting hands out 300 credits
 *    per online CPU among the active domains in proportion to weight * active vCPUs, limited by
 *    each domain's cap, and sets every active vCPU UNDER (credit >= 0) or OVER; it parks the vCPUs
 *    of a capped domain that went further below zero than one period's cap allows, and unparks
 *    them once their credit is back to zero.  A vCPU becomes active when a tick finds it running,
 *    or (unlike Xen) when it leaves the CPU in debt, so that a vCPU that always blocks between
 *    ticks cannot escape its weight or cap; it stops being active (its credit halved) when it has
 *    saved more than one slice of credit.
 *  - There is no accounting timer: the first tick or do_schedule past a period boundary runs it.
 *    A CPU that idles with parked vCPUs queued asks to be scheduled again at the next boundary, so
 *    a capped domain alone on the machine still gets its share.  Periods missed while every CPU
 *    idled are replayed, at most ACCT_MAX_CATCHUP of them.
 *  - Accounting does not touch run queues (they belong to their CPUs' locks): it changes credits
 *    and the OVER/PARKED flags and bumps an epoch; each CPU re-derives the priorities of its own
 *    queue and re-sorts it at its next tick or do_schedule after the epoch changed.
 *  - A CPU about to idle, or to run an OVER vCPU, steals the first better vCPU that may run on it
 *    from another CPU's queue, soft-affine work first.  A waking vCPU tickles an idle CPU of its
 *    soft, then hard, affinity (which steals it if it is queued elsewhere), or its own CPU when it
 *    has a higher priority than what runs there.  Hard affinity is never broken: a vCPU is only
 *    ever returned to run on a CPU of its hard affinity.  The core keeps v->processor inside it
 *    (pick_cpu); a vCPU queued elsewhere waits there until a CPU of its affinity steals it.
 *
 * Locking (parva/sched.h): the core calls the hooks with the lock of the CPU they concern held.
 * That lock covers the CPU's struct credit_pcpu and, of every vCPU whose processor is that CPU,
 * the fields marked [cpu] below.  do_schedule takes another CPU's lock only by spin_trylock
 * (stealing).  The accounting lock prv.lock is a leaf inside any CPU lock; it covers the active
 * lists, weights and caps, the balance and the accounting clock.  Credits, the OVER/PARKED flags,
 * the epochs and the idle mask are atomics, read anywhere: credits are burnt by the running CPU
 * and granted by the accounting at the same time.  Reading another CPU's queue length, idleness
 * or current vCPU without its lock only gives hints (where to tickle, whom to try stealing from).
 * sched_tickle() is called with a CPU lock held, and after the accounting lock is dropped.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/mm.h>
#include <parva/printk.h>
#include <parva/sched.h>
#include <parva/spinlock.h>
#include <parva/domctl.h>           /* XEN_SCHEDULER_CREDIT */

#define NS_PER_MS           1000000ULL
#define CREDIT_TSLICE_NS    (3 * SCHED_TICK_NS)     /* 30 ms: time slice and accounting period */
#define CREDITS_PER_MS      10
#define CREDITS_PER_TSLICE  ((int)(CREDITS_PER_MS * (CREDIT_TSLICE_NS / NS_PER_MS)))   /* 300 */
#define ACCT_MAX_CATCHUP    10                  /* periods replayed after the whole machine idled */
#define ACCT_MAX_GROUPS     32                  /* distinct pinnings the accounting shares CPUs among */

/* Bounds that keep the arithmetic exact for any sane input and merely saturated for absurd ones. */
#define BURN_MAX_NS         (1ULL << 40)        /* charged at once (18 minutes) */
#define CREDIT_FLOOR        (-(1 << 30))        /* lowest credit a burn leaves */
#define CREDIT_GRANT_MAX    (1U << 20)          /* most credit one vCPU gets per period */
#define CREDIT_TOTAL_MAX    (1ULL << 40)        /* the accounting's credit pool */

/* Priorities, higher first.  IDLE is not a queue entry: it is "nothing to run". */
#define PRI_BOOST           0
#define PRI_UNDER           (-1)
#define PRI_OVER            (-2)
#define PRI_IDLE            (-64)
#define PRI_PARKED          (-128)

/* credit_vcpu.flags, written by the accounting. */
#define CF_OVER             (1U << 0)           /* its credit was negative at the last accounting */
#define CF_PARKED           (1U << 1)           /* capped and over: may not run until credit >= 0 */

/* Minimal intrusive circular list; a node off every list points to itself. */
struct clist {
    struct clist *next, *prev;
};

static inline void clist_init(struct clist *l) { l->next = l->prev = l; }
static inline bool clist_empty(const struct clist *l) { return l->next == l; }

static inline void clist_insert_before(struct clist *n, struct clist *pos)
{
    n->next = pos;
    n->prev = pos->prev;
    pos->prev->next = n;
    pos->prev = n;
}

static inline void clist_del(struct clist *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    clist_init(n);
}

struct credit_dom {
    struct domain *dom;
    struct clist active_vcpus;      /* [acct] its active vCPUs */
    struct clist active_link;       /* [acct] on prv.active_doms while it has active vCPUs */
    unsigned int nr_active;         /* [acct] */
    unsigned int weight;            /* [acct] 1..65535 */
    unsigned int cap;               /* [acct] percent of one CPU, 0: none */
};

struct credit_vcpu {
    struct vcpu *vcpu;
    struct credit_dom *sdom;
    struct clist runq_link;         /* [cpu] on its CPU's queue, or empty */
    int pri;                        /* [cpu] PRI_* it is queued (or runs) with */
    bool yielding;                  /* [cpu] SCHEDOP_yield until its next deschedule */
    uint64_t start;                 /* [cpu] running: charged up to this time */
    uint64_t residual;              /* [cpu] credits * ns not charged yet, < NS_PER_MS */
    unsigned int boost_epoch;       /* [cpu] the epoch when it was boosted */
    int credit;                     /* atomic */
    unsigned int flags;             /* atomic CF_*, written under the accounting lock */
    unsigned int acct_epoch;        /* atomic: the last accounting that saw it active */
    struct clist active_link;       /* [acct] on sdom->active_vcpus while active */
    bool active;                    /* [acct] on that list; read without the lock as a hint */
    uint64_t grant;                 /* [acct] credit of the accounting in progress */
    uint64_t share;                 /* [acct] its weight in that accounting (domain weight / n) */
    struct credit_vcpu *acct_next;  /* [acct] the next vCPU of its CPU in that accounting */
};

struct credit_pcpu {
    struct clist runq;              /* [cpu] */
    unsigned int nr_queued;         /* [cpu], read by peers as a hint */
    unsigned int epoch;             /* [cpu] accounting epoch the queue was sorted for */
    unsigned int steal_bias;        /* [cpu] peer last stolen from */
};

static struct credit_pcpu pcpus[NR_CPUS];

static struct {
    spinlock_t lock;                /* the accounting lock (a leaf) */
    struct clist active_doms;       /* [acct] domains with active vCPUs */
    uint64_t weight;                /* [acct] sum of weight * nr_active */
    int64_t balance;                /* [acct] sum of the active credits after the last accounting */
    uint64_t next_acct;             /* [acct], read as a hint: next accounting; 0: none yet */
    unsigned int epoch;             /* atomic: bumped by every accounting */
    cpumask_t idlers;               /* atomic: CPUs idle and not tickled */
    unsigned int tickle_bias;       /* atomic hint: the last idle CPU tickled */
} prv;

#define VCPU_DATA(v)        ((struct credit_vcpu *)(v)->sched_priv)
#define RUNQ_ENTRY(l)       container_of(l, struct credit_vcpu, runq_link)

/* ---- small helpers ---- */

#define load_relaxed(p)     __atomic_load_n(p, __ATOMIC_RELAXED)
#define store_relaxed(p, x) __atomic_store_n(p, x, __ATOMIC_RELAXED)

static unsigned int cpumask_cycle(unsigned int after, cpumask_t m)
{
    cpumask_t higher = (after >= 63) ? 0 : m & (~0ULL << (after + 1));

    return __builtin_ctzll(higher ? higher : m);        /* m is not empty */
}

/* a * b / c rounded up, saturated to UINT64_MAX; c > 0. */
static uint64_t mul_div_up(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t p;

    if ( __builtin_mul_overflow(a, b, &p) )
        return UINT64_MAX;
    return p / c + (p % c != 0);
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    uint64_t p;

    return __builtin_mul_overflow(a, b, &p) ? UINT64_MAX : p;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static int credit_add(struct credit_vcpu *svc, int delta)
{
    return __atomic_add_fetch(&svc->credit, delta, __ATOMIC_RELAXED);
}

static void credit_burn(struct credit_vcpu *svc, uint64_t credits)
{
    int old = load_relaxed(&svc->credit), new;

    do {
        new = (int64_t)old - CREDIT_FLOOR <= (int64_t)credits ? CREDIT_FLOOR : old - (int)credits;
    } while ( !__atomic_compare_exchange_n(&svc->credit, &old, new, false, __ATOMIC_RELAXED,
                                           __ATOMIC_RELAXED) );
}

/* Charge the running svc for the time since it was last charged. */
static void burn(struct credit_vcpu *svc, uint64_t now)
{
    uint64_t val;

    if ( now <= svc->start )
        return;
    val = min(now - svc->start, BURN_MAX_NS) * CREDITS_PER_MS + svc->residual;
    svc->residual = val % NS_PER_MS;
    svc->start = now;
    credit_burn(svc, val / NS_PER_MS);
}

/* Soft affinity matters when it leaves out part of the hard affinity, but not all of it. */
static cpumask_t soft_mask(const struct vcpu *v, cpumask_t online)
{
    cpumask_t hard = v->hard_affinity & online, soft = v->soft_affinity & hard;

    return soft != hard ? soft : 0;
}

/* The priority svc has by its credit; a boost lasts until an accounting sees the vCPU active. */
static int credit_pri(const struct credit_vcpu *svc)
{
    unsigned int flags = load_relaxed(&svc->flags);

    if ( flags & CF_PARKED )
        return PRI_PARKED;
    if ( flags & CF_OVER )
        return PRI_OVER;
    if ( svc->pri == PRI_BOOST && (int)(load_relaxed(&svc->acct_epoch) - svc->boost_epoch) <= 0 )
        return PRI_BOOST;
    return PRI_UNDER;
}

/* ---- run queues (the CPU's lock held) ---- */

static bool on_runq(const struct credit_vcpu *svc)
{
    return !clist_empty(&svc->runq_link);
}

/* Behind every vCPU of its priority or higher; a yielding one also behind one lower one. */
static void runq_insert(unsigned int cpu, struct credit_vcpu *svc)
{
    struct clist *runq = &pcpus[cpu].runq, *pos;

    for ( pos = runq->next; pos != runq; pos = pos->next )
        if ( RUNQ_ENTRY(pos)->pri < svc->pri )
            break;
    if ( svc->yielding && pos != runq && RUNQ_ENTRY(pos)->pri > PRI_IDLE )
        pos = pos->next;
    clist_insert_before(&svc->runq_link, pos);
    store_relaxed(&pcpus[cpu].nr_queued, pcpus[cpu].nr_queued + 1);
}

static void runq_remove(unsigned int cpu, struct credit_vcpu *svc)
{
    clist_del(&svc->runq_link);
    store_relaxed(&pcpus[cpu].nr_queued, pcpus[cpu].nr_queued - 1);
}

/* After an accounting: re-derive every queued priority and sort again (stable: keeps the rota). */
static void runq_resort(unsigned int cpu)
{
    struct credit_pcpu *pc = &pcpus[cpu];
    unsigned int epoch = __atomic_load_n(&prv.epoch, __ATOMIC_ACQUIRE);
    struct clist old;

    if ( pc->epoch == epoch )
        return;
    pc->epoch = epoch;
    if ( clist_empty(&pc->runq) )
        return;

    /* Move the queue to `old`, then insert its entries back in their order. */
    old = pc->runq;
    old.next->prev = old.prev->next = &old;
    clist_init(&pc->runq);
    pc->nr_queued = 0;
    while ( !clist_empty(&old) )
    {
        struct credit_vcpu *svc = RUNQ_ENTRY(old.next);

        clist_del(&svc->runq_link);
        svc->pri = credit_pri(svc);
        runq_insert(cpu, svc);
    }
}

/* The best queued vCPU that may run on cpu, or NULL; parked ones sit at the tail. */
static struct credit_vcpu *runq_first(unsigned int cpu)
{
    struct clist *runq = &pcpus[cpu].runq, *pos;

    for ( pos = runq->next; pos != runq; pos = pos->next )
    {
        struct credit_vcpu *svc = RUNQ_ENTRY(pos);

        if ( svc->pri == PRI_PARKED )
            break;
        if ( cpumask_has(svc->vcpu->hard_affinity, cpu) )
            return svc;
    }
    return NULL;
}

static bool runq_has_parked(unsigned int cpu)
{
    const struct clist *runq = &pcpus[cpu].runq;

    return !clist_empty(runq) && RUNQ_ENTRY(runq->prev)->pri == PRI_PARKED;
}

/* ---- accounting (the accounting lock held) ---- */

static void acct_start(struct credit_vcpu *svc)
{
    struct credit_dom *sdom = svc->sdom;

    if ( svc->active )
        return;
    WRITE_ONCE(svc->active, true);
    clist_insert_before(&svc->active_link, &sdom->active_vcpus);
    if ( sdom->nr_active++ == 0 )
        clist_insert_before(&sdom->active_link, prv.active_doms.next);
    prv.weight += sdom->weight;
}

static void acct_stop(struct credit_vcpu *svc)
{
    struct credit_dom *sdom = svc->sdom;

    if ( !svc->active )
        return;
    WRITE_ONCE(svc->active, false);
    clist_del(&svc->active_link);
    if ( --sdom->nr_active == 0 )
        clist_del(&sdom->active_link);
    BUG_ON(prv.weight < sdom->weight);
    prv.weight -= sdom->weight;
}

/* svc (running on its CPU, whose lock is held) has used the CPU: make it earn credit again. */
static void acct_activate(struct credit_vcpu *svc)
{
    unsigned long flags;

    if ( READ_ONCE(svc->active) )
        return;
    spin_lock_irqsave(&prv.lock, flags);
    acct_start(svc);
    spin_unlock_irqrestore(&prv.lock, flags);
}

/* Is v running now?  A hint, read without v's CPU lock. */
static bool running_hint(const struct vcpu *v, unsigned int *cpu)
{
    *cpu = READ_ONCE(v->processor);
    return *cpu < NR_CPUS && sched_curr(*cpu) == v;
}

/*
 * Water-fill a credit cap (credits of one period) among a list of active vCPUs (through
 * acct_next), by their shares, none getting more than the global pass granted it: if
 * their grants fit, nothing changes; otherwise the vCPUs whose grants are below their weighted
 * part keep them, and the rest split what remains by share.  Each round fixes at least one vCPU
 * or ends, so it takes at most as many rounds as there are vCPUs on the CPU.
 */
static void acct_fill(struct credit_vcpu *list, uint64_t cap)
{
    uint64_t want = 0, share_left = 0;
    struct credit_vcpu *svc;
    bool fixed;

    for ( svc = list; svc; svc = svc->acct_next )
    {
        want = add_sat(want, svc->grant);
        share_left += svc->share;
    }
    if ( want <= cap || !share_left )
        return;

    /* The vCPUs still to be filled have share != 0; fix the ones under the level. */
    do {
        fixed = false;
        for ( svc = list; svc; svc = svc->acct_next )
        {
            /* Below its part (grant <= cap * share / share_left): it keeps its grant. */
            if ( !svc->share || mul_sat(svc->grant, share_left) > mul_sat(cap, svc->share) )
                continue;
            cap -= svc->grant;
            share_left -= svc->share;
            svc->share = 0;
            fixed = true;
        }
    } while ( fixed && share_left );

    for ( svc = list; svc; svc = svc->acct_next )
        if ( svc->share )
            svc->grant = mul_div_up(cap, svc->share, share_left);
}

/* vCPUs pinned to the same CPUs (hard affinity, less than every online CPU), in one accounting. */
struct acct_group {
    cpumask_t mask;
    struct credit_vcpu *list;                   /* through acct_next */
};

/*
 * One accounting period: share out the period's credit among the active domains by weight, up
 * to what each can use (its active vCPUs for one slice, or its cap); what a domain cannot use
 * goes to the domains after it.  Then the vCPUs pinned to the same CPUs (same hard affinity, not
 * all online CPUs) may not get more than those CPUs' credit, one slice each: where their grants
 * add up to more, it goes to them by weight (acct_fill).  Without this, two vCPUs pinned to
 * one CPU of many would both get a whole slice of credit, stay UNDER, and share the CPU 1:1
 * whatever their weights (which is what Xen's credit1 does).  vCPUs free to run anywhere keep
 * their machine-wide shares: stealing moves them to where they get them.  Then set the vCPUs'
 * flags from their credit.  *tickle collects the CPUs that must reschedule: one running a
 * vCPU just parked, an idle one holding a vCPU just unparked.
 */
static void acct_period(cpumask_t *tickle)
{
    const uint64_t per_slice = CREDITS_PER_TSLICE;
    uint64_t weight_total = prv.weight, weight_left = weight_total, credit_total;
    unsigned int epoch = prv.epoch + 1;
    struct acct_group groups[ACCT_MAX_GROUPS];
    unsigned int nr_groups = 0;
    struct clist *dl, *dnext;
    int64_t balance = 0;
    bool extra = false;
    cpumask_t online = sched_online_cpus(), idle = load_relaxed(&prv.idlers);
    unsigned int ncpus = max(cpumask_weight(online), 1U);

    credit_total = per_slice * ncpus;
    /* Converge the balance to zero when the active vCPUs are in debt overall. */
    if ( prv.balance < 0 )
        credit_total = min(add_sat(credit_total, (uint64_t)-prv.balance), CREDIT_TOTAL_MAX);
    if ( weight_total == 0 )
    {
        prv.balance = 0;
        return;
    }

    /* 1. The machine-wide shares, by weight, cap and what each domain can use. */
    for ( dl = prv.active_doms.next; dl != &prv.active_doms; dl = dnext )
    {
        struct credit_dom *sdom = container_of(dl, struct credit_dom, active_link);
        uint64_t n = sdom->nr_active, w = sdom->weight * n, peak, fair, each;
        struct clist *vl;

        dnext = dl->next;
        weight_left -= min(w, weight_left);

        /* The most it can use: every active vCPU for a slice (more when the balance is in debt). */
        peak = n * per_slice;
        if ( prv.balance < 0 )
            peak = add_sat(peak, mul_div_up((uint64_t)-prv.balance, w, weight_total));
        if ( sdom->cap )
            peak = min(peak, DIV_ROUND_UP((uint64_t)sdom->cap * per_slice, 100));

        fair = min(mul_div_up(credit_total, w, weight_total), credit_total);
        if ( fair < peak )
            extra = true;
        else
        {
            /* Give what it cannot use to the domains still to come. */
            if ( weight_left )
                credit_total = min(add_sat(credit_total,
                                           mul_div_up(fair - peak, weight_total, weight_left)),
                                   CREDIT_TOTAL_MAX);
            /* Keep the ones that leave credit over at the head, so others get it next time. */
            if ( extra )
            {
                clist_del(&sdom->active_link);
                clist_insert_before(&sdom->active_link, prv.active_doms.next);
            }
            fair = peak;
        }
        each = min(DIV_ROUND_UP(fair, n), (uint64_t)CREDIT_GRANT_MAX);

        for ( vl = sdom->active_vcpus.next; vl != &sdom->active_vcpus; vl = vl->next )
        {
            struct credit_vcpu *svc = container_of(vl, struct credit_vcpu, active_link);
            cpumask_t hard = svc->vcpu->hard_affinity & online;
            unsigned int g;

            svc->grant = each;
            /* The domain's weight split among its active vCPUs, in 1/256ths (exact enough). */
            svc->share = max((uint64_t)sdom->weight * 256 / n, (uint64_t)1);
            svc->acct_next = NULL;
            if ( !hard || hard == online )
                continue;                       /* free to go anywhere: balancing's business */
            for ( g = 0; g < nr_groups && groups[g].mask != hard; g++ )
                ;
            if ( g == nr_groups )
            {
                if ( g == ACCT_MAX_GROUPS )
                    continue;                   /* that many pinnings: machine-wide shares only */
                groups[nr_groups++] = (struct acct_group){ .mask = hard };
            }
            svc->acct_next = groups[g].list;
            groups[g].list = svc;
        }
    }

    /* 2. No group of vCPUs pinned to the same CPUs gets more than those CPUs' part. */
    for ( unsigned int g = 0; g < nr_groups; g++ )
        if ( groups[g].list->acct_next )
            acct_fill(groups[g].list, per_slice * (uint64_t)cpumask_weight(groups[g].mask));

    /* 3. Grant, and set the flags (acct_stop may take a domain off the list). */
    for ( dl = prv.active_doms.next; dl != &prv.active_doms; dl = dnext )
    {
        struct credit_dom *sdom = container_of(dl, struct credit_dom, active_link);
        uint64_t cap_each = 0;
        struct clist *vl, *vnext;

        dnext = dl->next;
        if ( sdom->cap )
            cap_each = DIV_ROUND_UP(DIV_ROUND_UP((uint64_t)sdom->cap * per_slice, 100), sdom->nr_active);
        for ( vl = sdom->active_vcpus.next; vl != &sdom->active_vcpus; vl = vnext )
        {
            struct credit_vcpu *svc = container_of(vl, struct credit_vcpu, active_link);
            unsigned int flags = load_relaxed(&svc->flags), cpu;
            int credit = credit_add(svc, (int)svc->grant);

            vnext = vl->next;
            svc->acct_next = NULL;
            store_relaxed(&svc->acct_epoch, epoch);
            if ( credit < 0 )
            {
                flags |= CF_OVER;
                if ( cap_each && credit < -(int64_t)cap_each && !(flags & CF_PARKED) )
                {
                    flags |= CF_PARKED;
                    if ( running_hint(svc->vcpu, &cpu) )
                        *tickle |= 1ULL << cpu;
                }
                if ( credit < -CREDITS_PER_TSLICE )
                    credit = credit_add(svc, -CREDITS_PER_TSLICE - credit);
            }
            else
            {
                flags &= ~CF_OVER;
                if ( flags & CF_PARKED )
                {
                    flags &= ~CF_PARKED;
                    cpu = READ_ONCE(svc->vcpu->processor);
                    if ( cpu < NR_CPUS && cpumask_has(idle, cpu) )
                        *tickle |= 1ULL << cpu;
                }
                /* Saved more than a slice: stop earning, keep half as a head start. */
                if ( credit > CREDITS_PER_TSLICE )
                {
                    acct_stop(svc);
                    credit = credit_add(svc, credit / 2 - credit);
                }
            }
            store_relaxed(&svc->flags, flags);
            balance += credit;
        }
    }
    prv.balance = balance;
    __atomic_store_n(&prv.epoch, epoch, __ATOMIC_RELEASE);
}

/* Run the accounting if a period boundary has passed (any CPU lock may be held). */
static void acct_maybe(uint64_t now)
{
    uint64_t next = load_relaxed(&prv.next_acct);
    cpumask_t tickle = 0;
    unsigned long flags;
    unsigned int n;

    if ( next && now < next )
        return;
    spin_lock_irqsave(&prv.lock, flags);
    if ( !prv.next_acct )
        store_relaxed(&prv.next_acct, now + CREDIT_TSLICE_NS);
    for ( n = 0; n < ACCT_MAX_CATCHUP && now >= prv.next_acct; n++ )
    {
        acct_period(&tickle);
        store_relaxed(&prv.next_acct, prv.next_acct + CREDIT_TSLICE_NS);
    }
    if ( now >= prv.next_acct )
        store_relaxed(&prv.next_acct, now + CREDIT_TSLICE_NS);
    spin_unlock_irqrestore(&prv.lock, flags);

    for ( ; tickle; tickle &= tickle - 1 )
    {
        unsigned int cpu = __builtin_ctzll(tickle);

        __atomic_fetch_and(&prv.idlers, ~(1ULL << cpu), __ATOMIC_RELAXED);
        sched_tickle(cpu);
    }
}

/* ---- placement, tickling, stealing ---- */

static unsigned int credit_pick_cpu(const struct vcpu *v)
{
    cpumask_t online = sched_online_cpus(), hard = v->hard_affinity & online, soft, idle;
    unsigned int cpu = READ_ONCE(v->processor), best, best_load = ~0U;

    if ( cpu >= NR_CPUS )
        cpu = 0;
    if ( !hard )            /* none of its CPUs is online: stay inside the affinity anyway */
        hard = v->hard_affinity ? v->hard_affinity : 1ULL << cpu;
    if ( !cpumask_has(hard, cpu) )
        cpu = cpumask_cycle(cpu, hard);
    soft = soft_mask(v, online);

    /* An idle CPU, soft-affine first, its own first (idle too if v runs there alone). */
    idle = load_relaxed(&prv.idlers) & hard;
    if ( sched_curr(cpu) == v && !load_relaxed(&pcpus[cpu].nr_queued) )
        idle |= 1ULL << cpu;
    for ( int step = 0; step < 2; step++ )
    {
        cpumask_t cand = idle & (step == 0 ? soft : hard);

        if ( cand )
            return cpumask_has(cand, cpu) ? cpu : cpumask_cycle(cpu, cand);
    }

    /* No idle CPU: the least loaded, soft-affine ones first among equals, then its own. */
    best = cpu;
    for ( unsigned int i = 0; i < NR_CPUS; i++ )
    {
        unsigned int c = (cpu + i) % NR_CPUS, load;
        const struct vcpu *curr;

        if ( !cpumask_has(hard, c) )
            continue;
        curr = sched_curr(c);
        load = 2 * (load_relaxed(&pcpus[c].nr_queued) + (curr && curr != v)) +
               !cpumask_has(soft, c);
        if ( load < best_load )
        {
            best = c;
            best_load = load;
        }
    }
    return best;
}

/* svc was queued on its CPU: wake an idle CPU that may run it, or preempt its own CPU. */
static void runq_tickle(struct credit_vcpu *svc)
{
    const struct vcpu *v = svc->vcpu, *curr;
    unsigned int cpu = v->processor, target;
    cpumask_t online = sched_online_cpus(), hard = v->hard_affinity & online;
    cpumask_t idle = load_relaxed(&prv.idlers) & hard;
    int curr_pri;

    for ( int step = 0; step < 2; step++ )
    {
        cpumask_t cand = idle & (step == 0 ? soft_mask(v, online) : hard);

        if ( !cand )
            continue;
        target = cpumask_has(cand, cpu) ? cpu : cpumask_cycle(load_relaxed(&prv.tickle_bias), cand);
        store_relaxed(&prv.tickle_bias, target);
        __atomic_fetch_and(&prv.idlers, ~(1ULL << target), __ATOMIC_RELAXED);
        sched_tickle(target);
        return;
    }

    curr = sched_curr(cpu);
    curr_pri = curr ? VCPU_DATA(curr)->pri : PRI_IDLE;
    if ( svc->pri > curr_pri )
        sched_tickle(cpu);
}

/* On peer's queue (its lock held), the first vCPU better than pri that may run on cpu. */
static struct credit_vcpu *runq_steal(unsigned int peer, unsigned int cpu, int pri, bool soft_step)
{
    struct clist *runq = &pcpus[peer].runq, *pos;
    cpumask_t online = sched_online_cpus();

    for ( pos = runq->next; pos != runq; pos = pos->next )
    {
        struct credit_vcpu *svc = RUNQ_ENTRY(pos);
        const struct vcpu *v = svc->vcpu;

        if ( svc->pri == PRI_PARKED )
            break;
        if ( svc->pri <= pri || !cpumask_has(v->hard_affinity, cpu) )
            continue;
        if ( soft_step && !cpumask_has(soft_mask(v, online), cpu) )
            continue;
        return svc;
    }
    return NULL;
}

/* Take better work than pri from another CPU's queue; peers' locks by trylock only. */
static struct credit_vcpu *load_balance(unsigned int cpu, int pri)
{
    struct credit_pcpu *pc = &pcpus[cpu];
    cpumask_t peers = sched_online_cpus() & ~(1ULL << cpu);

    if ( !peers )
        return NULL;
    for ( int step = 0; step < 2; step++ )
    {
        unsigned int first = cpumask_cycle(pc->steal_bias, peers), peer = first;

        do {
            struct credit_vcpu *svc = NULL;
            spinlock_t *lock = sched_lock_of(peer);

            /* A peer that is busy, or has nothing queued, is skipped: never wait for a lock. */
            if ( load_relaxed(&pcpus[peer].nr_queued) && spin_trylock(lock) )
            {
                svc = runq_steal(peer, cpu, pri, step == 0);
                if ( svc )
                {
                    runq_remove(peer, svc);
                    WRITE_ONCE(svc->vcpu->processor, cpu);     /* both locks held */
                }
                spin_unlock(lock);
            }
            if ( svc )
            {
                pc->steal_bias = peer;
                return svc;
            }
            peer = cpumask_cycle(peer, peers);
        } while ( peer != first );
    }
    return NULL;
}

/* ---- the hooks ---- */

static int credit_init(cpumask_t cpus)
{
    memset(pcpus, 0, sizeof(pcpus));
    for ( unsigned int cpu = 0; cpu < NR_CPUS; cpu++ )
        clist_init(&pcpus[cpu].runq);
    memset(&prv, 0, sizeof(prv));
    spin_lock_init(&prv.lock);
    clist_init(&prv.active_doms);
    prv.idlers = cpus;
    return 0;
}

static int credit_alloc_domdata(struct domain *d)
{
    struct credit_dom *sdom = xzalloc(struct credit_dom);
    const struct sched_params *p = &d->sched_params;

    if ( !sdom )
        return -ENOMEM;
    sdom->dom = d;
    clist_init(&sdom->active_vcpus);
    clist_init(&sdom->active_link);
    sdom->weight = p->weight >= 1 && p->weight <= SCHED_MAX_WEIGHT ? p->weight
                                                                 : SCHED_DEFAULT_WEIGHT;
    sdom->cap = p->cap <= 100 * max(d->max_vcpus, 1U) ? p->cap : 0;
    d->sched_priv = sdom;
    return 0;
}

/* Every vCPU's data goes first (free_vdata), so none of its vCPUs is active any more. */
static void credit_free_domdata(struct domain *d)
{
    struct credit_dom *sdom = d->sched_priv;

    if ( !sdom )
        return;
    BUG_ON(sdom->nr_active);
    d->sched_priv = NULL;
    xfree(sdom);
}

static int credit_alloc_vdata(struct vcpu *v)
{
    struct credit_dom *sdom = v->domain ? v->domain->sched_priv : NULL;
    struct credit_vcpu *svc;

    if ( !sdom )
        return -EINVAL;
    svc = xzalloc(struct credit_vcpu);
    if ( !svc )
        return -ENOMEM;
    svc->vcpu = v;
    svc->sdom = sdom;
    clist_init(&svc->runq_link);
    clist_init(&svc->active_link);
    svc->pri = PRI_UNDER;
    v->sched_priv = svc;
    return 0;
}

static void credit_free_vdata(struct vcpu *v)
{
    struct credit_vcpu *svc = VCPU_DATA(v);
    unsigned long flags;

    if ( !svc )
        return;
    BUG_ON(on_runq(svc));
    spin_lock_irqsave(&prv.lock, flags);
    acct_stop(svc);
    spin_unlock_irqrestore(&prv.lock, flags);
    v->sched_priv = NULL;
    xfree(svc);
}

static void credit_wake(struct vcpu *v, uint64_t now)
{
    struct credit_vcpu *svc = VCPU_DATA(v);

    (void)now;                  /* priorities come from the last accounting, not from the time */
    if ( sched_curr(v->processor) == v || on_runq(svc) )
        return;
    svc->yielding = false;
    svc->pri = credit_pri(svc);
    /* Woken with credit left: BOOST, so that I/O-bound vCPUs preempt CPU hogs. */
    if ( svc->pri == PRI_UNDER )
    {
        svc->pri = PRI_BOOST;
        svc->boost_epoch = __atomic_load_n(&prv.epoch, __ATOMIC_ACQUIRE);
    }
    runq_insert(v->processor, svc);
    if ( svc->pri != PRI_PARKED )
        runq_tickle(svc);
}

static void credit_sleep(struct vcpu *v)
{
    struct credit_vcpu *svc = VCPU_DATA(v);

    if ( on_runq(svc) )
        runq_remove(v->processor, svc);
}

static void credit_yield(struct vcpu *v)
{
    VCPU_DATA(v)->yielding = true;
}

static struct sched_slice credit_do_schedule(unsigned int cpu, struct vcpu *prev,
                                             bool prev_runnable, uint64_t now, bool tasklet_work)
{
    struct credit_vcpu *sprev = prev ? VCPU_DATA(prev) : NULL, *snext, *stolen = NULL;
    struct sched_slice slice = { NULL, 0 };

    if ( sprev )
    {
        burn(sprev, now);
        /* Ran into debt without a tick seeing it: it uses the CPU, so account for it. */
        if ( load_relaxed(&sprev->credit) < 0 )
            acct_activate(sprev);
    }
    acct_maybe(now);
    runq_resort(cpu);
    if ( sprev )
    {
        BUG_ON(on_runq(sprev));
        if ( prev_runnable )
        {
            sprev->pri = credit_pri(sprev);
            runq_insert(cpu, sprev);
        }
        sprev->yielding = false;
    }

    /* Deferred work first: idle for it, but not idle for tickling (the core comes back soon). */
    if ( tasklet_work )
    {
        __atomic_fetch_and(&prv.idlers, ~(1ULL << cpu), __ATOMIC_RELAXED);
        return slice;
    }

    /* The best local vCPU; with nothing better than OVER, look for UNDER/BOOST work elsewhere. */
    snext = runq_first(cpu);
    if ( !snext || snext->pri <= PRI_OVER )
        stolen = load_balance(cpu, snext ? snext->pri : PRI_IDLE);
    if ( stolen )
        snext = stolen;
    else if ( snext )
        runq_remove(cpu, snext);

    if ( snext )
    {
        __atomic_fetch_and(&prv.idlers, ~(1ULL << cpu), __ATOMIC_RELAXED);
        snext->start = now;
        slice.next = snext->vcpu;
        slice.time = CREDIT_TSLICE_NS;
    }
    else
    {
        __atomic_fetch_or(&prv.idlers, 1ULL << cpu, __ATOMIC_RELAXED);
        /* Parked vCPUs here: come back when the accounting may unpark them. */
        if ( runq_has_parked(cpu) )
        {
            uint64_t next = load_relaxed(&prv.next_acct);

            slice.time = next > now ? next - now : CREDIT_TSLICE_NS;
        }
    }
    return slice;
}

static void credit_tick(unsigned int cpu, uint64_t now)
{
    struct vcpu *curr = sched_curr(cpu);
    struct credit_vcpu *svc = curr ? VCPU_DATA(curr) : NULL;

    if ( svc )
    {
        burn(svc, now);
        /* Found running: it uses real CPU time, so it earns credit and its boost ends. */
        if ( svc->pri == PRI_BOOST )
            svc->pri = PRI_UNDER;
        acct_activate(svc);
    }
    acct_maybe(now);
    runq_resort(cpu);
    if ( svc )
    {
        svc->pri = credit_pri(svc);
        if ( svc->pri == PRI_PARKED )
            sched_tickle(cpu);
    }
}

static int credit_adjust(struct domain *d, const struct sched_params *p)
{
    struct credit_dom *sdom = d->sched_priv;
    unsigned long flags;

    if ( !sdom || !p || p->weight < 1 || p->weight > SCHED_MAX_WEIGHT ||
         p->cap > 100 * max(d->max_vcpus, 1U) )
        return -EINVAL;
    spin_lock_irqsave(&prv.lock, flags);
    prv.weight -= (uint64_t)sdom->weight * sdom->nr_active;
    prv.weight += (uint64_t)p->weight * sdom->nr_active;
    sdom->weight = p->weight;
    sdom->cap = p->cap;
    spin_unlock_irqrestore(&prv.lock, flags);
    return 0;
}

static void dump_vcpu(const struct credit_vcpu *svc)
{
    const struct vcpu *v = svc->vcpu;

    printk("[%u.%u] pri=%d flags=%x cpu=%u credit=%d [w=%u,cap=%u]\n",
           (unsigned int)v->domain->domain_id, v->vcpu_id, svc->pri, load_relaxed(&svc->flags),
           v->processor, load_relaxed(&svc->credit), svc->sdom->weight, svc->sdom->cap);
}

static void credit_dump(unsigned int cpu)
{
    const struct credit_pcpu *pc = &pcpus[cpu];
    const struct vcpu *curr = sched_curr(cpu);
    const struct clist *pos;
    unsigned long flags;
    unsigned int n = 0;

    spin_lock_irqsave(&prv.lock, flags);        /* for the weights and caps */
    printk("CPU[%02u] nr_queued=%u sort=%u weight=%lu balance=%ld\n", cpu, pc->nr_queued,
           pc->epoch, (unsigned long)prv.weight, (long)prv.balance);
    if ( curr )
    {
        printk("\trun: ");
        dump_vcpu(VCPU_DATA(curr));
    }
    for ( pos = pc->runq.next; pos != &pc->runq; pos = pos->next )
    {
        printk("\t%3u: ", ++n);
        dump_vcpu(RUNQ_ENTRY(pos));
    }
    spin_unlock_irqrestore(&prv.lock, flags);
}

const struct sched_ops sched_credit_ops = {
    .name           = "credit",
    .opt_name       = "credit",
    .xen_id         = XEN_SCHEDULER_CREDIT,
    .init           = credit_init,
    .alloc_domdata  = credit_alloc_domdata,
    .free_domdata   = credit_free_domdata,
    .alloc_vdata    = credit_alloc_vdata,
    .free_vdata     = credit_free_vdata,
    .pick_cpu       = credit_pick_cpu,
    .wake           = credit_wake,
    .sleep          = credit_sleep,
    .yield          = credit_yield,
    .do_schedule    = credit_do_schedule,
    .tick           = credit_tick,
    .adjust         = credit_adjust,
    .dump           = credit_dump,
};
