/*
 * sched.h - scheduling vCPUs on physical CPUs: the core (common/schedule.c) and the policy
 * interface a scheduler implements (the credit scheduler: common/sched_credit.c).
 *
 * The core owns the mechanism: which vCPU runs on each CPU (sched_curr),
 * why a vCPU cannot run (its pause flags), runstate accounting, the
 * per-CPU time-slice and tick timers, context switches (an arch hook), and
 * the per-CPU scheduler lock.  The policy owns the decisions: run queues,
 * priorities, credits, weights and caps, placement and load balancing.
 *
 * A vCPU is runnable when its pause_flags are 0; it is then either running
 * on v->processor (sched_curr(v->processor) == v) or queued by the policy on
 * v->processor's run queue.  Idle is "no vCPU": the core halts the CPU.
 *
 * Locking: each CPU has a scheduler lock (irq-safe), sched_lock_of(cpu).
 * It protects that CPU's run queue (policy data), sched_curr(cpu), and the
 * scheduling state of every vCPU whose processor is that CPU (its pause
 * flags changes go through the core with it held, its policy data, its
 * processor field).  vcpu_sched_lock(v) takes the lock of v->processor,
 * re-checking that processor did not change meanwhile.  A vCPU changes
 * processor only with both the old and the new CPU's lock held.  Two CPU
 * locks are taken only by trylock of the second (load balancing), never
 * by blocking on it.  The policy's hooks are called with the lock named
 * in their comment held and interrupts off; they take no other lock but
 * their own leaf locks (the credit scheduler's accounting lock).
 */
#ifndef PARVA_SCHED_H
#define PARVA_SCHED_H

#include <parva/types.h>
#include <parva/spinlock.h>

struct vcpu;
struct domain;

/* Why a vCPU cannot run (v->pause_flags); runnable when none is set. */
#define VPF_blocked     (1U << 0)   /* SCHEDOP_block / poll: waiting for an event */
#define VPF_down        (1U << 1)   /* not brought up (VCPUOP_up), or taken down */
#define VPF_dying       (1U << 2)   /* its domain shut down or is being destroyed */
#define VPF_paused      (1U << 3)   /* its domain is paused by the controller (XEN_DOMCTL_pausedomain) */
#define VPF_migrating   (1U << 4)   /* moving to a CPU of its new hard affinity (vcpu_set_affinity) */

/* CPU sets: one bit per CPU (NR_CPUS is 64). */
typedef uint64_t cpumask_t;
#define CPUMASK_ALL     (~0ULL)
#define cpumask_has(m, cpu)     (((m) >> (cpu)) & 1)

/* The number of CPUs in m (no popcnt: the hypervisor is built for any x86-64). */
static inline unsigned int cpumask_weight(cpumask_t m)
{
    unsigned int n = 0;

    for ( ; m; m &= m - 1 )
        n++;
    return n;
}

/* Scheduling parameters of a domain (XEN_DOMCTL_SCHEDOP_putinfo for credit). */
#define SCHED_DEFAULT_WEIGHT    256
#define SCHED_MAX_WEIGHT        65535
struct sched_params {
    unsigned int weight;        /* 1..65535, relative share */
    unsigned int cap;           /* percent of one CPU the whole domain may use; 0: no cap */
};

/* What do_schedule decided. */
struct sched_slice {
    struct vcpu *next;          /* NULL: idle */
    uint64_t time;              /* ns it may run before the core asks again; 0: until an event */
};

struct sched_ops {
    const char *name;                   /* "credit" */
    const char *opt_name;               /* its sched= name */
    unsigned int xen_id;                /* XEN_SCHEDULER_* of the public domctl.h; 0: none */
    /* Once at boot, before any CPU schedules; cpus: the online ones. */
    int  (*init)(cpumask_t cpus);
    /* A domain's and a vCPU's policy data (d->sched_priv, v->sched_priv); no lock held. */
    int  (*alloc_domdata)(struct domain *d);
    void (*free_domdata)(struct domain *d);
    int  (*alloc_vdata)(struct vcpu *v);        /* v is down (VPF_down) and not queued */
    void (*free_vdata)(struct vcpu *v);         /* v is not runnable, not queued, not running */
    /* A CPU in v's hard affinity to put v on (placement, load spreading); no lock held. */
    unsigned int (*pick_cpu)(const struct vcpu *v);
    /* v became runnable; lock of v->processor held: queue it, and tickle a CPU that should run it. */
    void (*wake)(struct vcpu *v, uint64_t now);
    /* v stopped being runnable; lock of v->processor held: dequeue it if it is queued (if it is
     * running, the core reschedules that CPU itself). */
    void (*sleep)(struct vcpu *v);
    /* v, running, yields (SCHEDOP_yield): it should go behind its peers; lock of v->processor held. */
    void (*yield)(struct vcpu *v);
    /*
     * Choose what cpu runs next; cpu's lock held.  prev is what ran (NULL: idle); when
     * prev_runnable, prev must stay schedulable (queue it again, or return it).  The returned
     * vCPU is taken off the run queues; the policy may take it from another CPU's queue (that
     * CPU's lock by trylock only), then it sets next->processor = cpu itself.  With
     * tasklet_work, the CPU must go idle to run deferred work (parva/tasklet.h): queue prev
     * again if runnable and return no vCPU (the core reschedules once the work is done).
     */
    struct sched_slice (*do_schedule)(unsigned int cpu, struct vcpu *prev, bool prev_runnable,
                                      uint64_t now, bool tasklet_work);
    /* Every SCHED_TICK_NS on each CPU that runs a vCPU: accounting; cpu's lock held. */
    void (*tick)(unsigned int cpu, uint64_t now);
    /* New weight/cap for d (already checked: weight 1..65535, cap 0..100 * nr vCPUs); no lock. */
    int  (*adjust)(struct domain *d, const struct sched_params *p);
    /* Debug key 'r': print cpu's queue; cpu's lock held. */
    void (*dump)(unsigned int cpu);
};

#define SCHED_TICK_NS   10000000ULL     /* 10 ms, Xen's credit tick */

/* ---- The core (common/schedule.c) ---- */

void sched_init(cpumask_t online);              /* boot, after the timers */
int  sched_init_vcpu(struct vcpu *v, unsigned int cpu); /* at creation: down, on cpu */
void sched_destroy_vcpu(struct vcpu *v);
int  sched_init_domain(struct domain *d);
void sched_destroy_domain(struct domain *d);
int  sched_adjust(struct domain *d, const struct sched_params *p);
/* The policy's XEN_SCHEDULER_* (XEN_SYSCTL_sched_id, XEN_DOMCTL_scheduler_op); 0 for none. */
unsigned int sched_xen_id(void);
/* New hard and soft affinity (XEN_DOMCTL_setvcpuaffinity): -EINVAL if hard has no online CPU.
 * A vCPU outside its new hard affinity moves to a CPU inside it. */
int  vcpu_set_affinity(struct vcpu *v, cpumask_t hard, cpumask_t soft);

/* Set and clear pause flags (VPF_*): the vCPU leaves or re-enters the scheduler as needed. */
void vcpu_pause_flag_set(struct vcpu *v, unsigned int flag);
void vcpu_pause_flag_clear(struct vcpu *v, unsigned int flag);
/* Clear VPF_blocked: the wake-up path of event delivery (vcpu_kick). */
void vcpu_unblock(struct vcpu *v);
/* SCHEDOP_yield. */
void vcpu_yield(struct vcpu *v);
/* Bring a vCPU up (VCPUOP_up, the builders): clears VPF_down. */
void vcpu_up(struct vcpu *v);

/* This CPU: reschedule before returning to a guest (or from idle). */
void schedule(void);
bool sched_need_resched(void);
/* The CPU's idle loop: halts until there is something to run; never returns. */
__noreturn void sched_idle_loop(void);

/* ---- Services for policies ---- */

spinlock_t *sched_lock_of(unsigned int cpu);
/* Make cpu call do_schedule soon (now if it is this CPU, else an IPI). */
void sched_tickle(unsigned int cpu);
/* What runs on cpu (NULL: idle). */
struct vcpu *sched_curr(unsigned int cpu);
cpumask_t sched_online_cpus(void);

/* The policy in use, and the credit scheduler. */
extern const struct sched_ops *sched_policy;
extern const struct sched_ops sched_credit_ops;
extern const struct sched_ops sched_rr_ops;
/* Debug key 'r'. */
void sched_dump(void);

/* vCPU affinity and domain parameters live in struct vcpu / struct domain (parva/domain.h):
 * v->hard_affinity, v->soft_affinity, v->sched_priv, v->pause_flags, v->processor;
 * d->sched_priv, d->sched_params. */

#endif /* PARVA_SCHED_H */
