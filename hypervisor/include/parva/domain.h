/*
 * domain.h - domains and vCPUs: the objects every later subsystem hangs off.
 *
 * A domain owns frames (its page list), vCPUs and a shared_info page; it is
 * found by id through domain_lookup(), which takes a reference that the
 * caller drops with put_domain().  A domain is destroyed (its memory freed)
 * when it is dying and its last reference goes.
 *
 * Locking:
 *  - domlist_lock (irq-safe) protects the list of domains and id allocation.
 *  - d->page_alloc_lock (irq-safe) protects d->page_list, tot_pages and the
 *    ownership fields of the frames on it.  It nests inside domlist_lock and
 *    outside heap_lock.  Two domains' locks: lower domain id first.
 *  - Reference counts are atomic and need no lock.
 */
#ifndef PARVA_DOMAIN_H
#define PARVA_DOMAIN_H

#include <parva/mm.h>
#include <parva/public.h>
#include <parva/spinlock.h>
#include <parva/sched.h>
#include <parva/tasklet.h>
#include <parva/timer.h>
#include <asm/domain.h>

struct evtchn_domain;
struct grant_table;

#define MAX_VIRT_CPUS       128     /* vCPUs per domain (vcpu_info beyond 32 must be registered) */

enum vcpu_runstate {                /* as RUNSTATE_* in the public vcpu.h */
    VCPU_RUNNING = 0,
    VCPU_RUNNABLE = 1,
    VCPU_BLOCKED = 2,
    VCPU_OFFLINE = 3,
};

struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    unsigned int processor;         /* physical CPU it runs on */
    bool is_up;                     /* initialised and not taken down */
    unsigned int pause_flags;       /* VPF_* (parva/sched.h): why it cannot run; 0: runnable */
    cpumask_t hard_affinity;        /* CPUs it may run on */
    cpumask_t soft_affinity;        /* CPUs it prefers */
    void *sched_priv;               /* the scheduling policy's data */
    enum vcpu_runstate runstate;
    uint64_t runstate_entry;        /* system time (ns) the current state began */
    uint64_t runstate_time[4];      /* ns spent in each state, up to runstate_entry */
    struct vcpu_info *vcpu_info;    /* hypervisor mapping: in shared_info, or registered by the guest */
    unsigned long vcpu_info_mfn;    /* frame registered with VCPUOP_register_vcpu_info, or 0 */
    struct timer singleshot_timer;  /* common/vcpu_timer.c */
    struct timer periodic_timer;
    uint64_t periodic_period;       /* ns, 0: stopped */
    uint64_t periodic_last_event;   /* system time of the last periodic tick */
    struct timer poll_timer;        /* SCHEDOP_poll's timeout (common/vcpu_block.c) */
    bool polling;                   /* in SCHEDOP_poll: its ports are marked (event_channel.c) */
    bool is_initialised;            /* has a context (builder, VCPUOP_initialise) */
    struct arch_vcpu arch;
};

struct domain {
    domid_t domain_id;
    unsigned int refcnt;            /* atomic: lookups, running vCPUs, the domain list itself */
    bool is_privileged;             /* dom0: may name other domains, has I/O rights */
    bool is_dying;
    bool is_shut_down;
    unsigned int shutdown_code;     /* SHUTDOWN_* of the public sched.h */
    unsigned int controller_pause_count;    /* atomic: XEN_DOMCTL_pausedomain's, at most 255 */
    bool destroy_requested;         /* XEN_DOMCTL_destroydomain ran (kill_tasklet) */
    bool vcpus_hidden;              /* created by the controller, before XEN_DOMCTL_max_vcpus */
    struct tasklet kill_tasklet;    /* the controller's destruction of a domain it built */
    xen_domain_handle_t handle;     /* the toolstack's UUID of it (zero: none given) */
    struct domain *next_in_list;

    spinlock_t page_alloc_lock;
    struct page_list_head page_list;
    unsigned long tot_pages;        /* frames owned */
    unsigned long max_pages;        /* the most it may own */

    struct shared_info *shared_info;
    unsigned long shared_info_mfn;
    unsigned long vm_assist;        /* VMASST_TYPE_* bits */

    unsigned int max_vcpus;
    struct vcpu **vcpu;
    struct sched_params sched_params;   /* weight and cap */
    void *sched_priv;                   /* the scheduling policy's data */

    struct evtchn_domain *evtchn;   /* event channels (common/event_channel.c) */
    struct grant_table *grant_table;    /* grant table and maptrack (common/grant_table.c) */

    struct arch_domain arch;
};

#define for_each_vcpu(d, v) \
    for ( unsigned int _i = 0; _i < (d)->max_vcpus; _i++ ) if ( !((v) = (d)->vcpu[_i]) ) continue; else

/* Create a domain with max_vcpus vCPUs (all down); NULL and *rc on failure. */
struct domain *domain_create(domid_t id, unsigned int max_vcpus, bool privileged, int *rc);
/* A reference to domain id (DOMID_SELF is not accepted here), or NULL. */
struct domain *domain_lookup(domid_t id);
/* The domain with the lowest id >= id that is not dying, with a reference; NULL if none. */
struct domain *domain_lookup_from(domid_t id);
bool get_domain(struct domain *d);
void put_domain(struct domain *d);
/* Debug key 'q': the domains and their vCPUs. */
void domain_dump(void);
/* Mark it dying: vCPUs never run again; memory goes when the last reference does. */
void domain_kill(struct domain *d);
/* XEN_DOMCTL_destroydomain: stop d's vCPUs for good and kill it from a tasklet (dom0 is told
   with VIRQ_DOM_EXC when it is gone).  Boot-time domains go their own way (boot_domains.c). */
int domain_destroy_by_controller(struct domain *d);
/* A free domain id for XEN_DOMCTL_createdomain, after the last one handed out; 0 if none. */
domid_t domain_next_free_id(void);
/* Guest misbehaviour: report why (first reason wins) and shut it down as crashed. */
void domain_crash(struct domain *d, const char *why);
/* Stop the domain's vCPUs for good with a SHUTDOWN_* reason; dom0's decides the machine's fate. */
void domain_shutdown(struct domain *d, unsigned int reason);

/* vCPU timers (common/vcpu_timer.c). */
void vcpu_timers_init(struct vcpu *v);
void vcpu_timers_start(struct vcpu *v);
void vcpu_timers_stop(struct vcpu *v);
void vcpu_timers_block(struct vcpu *v);     /* the periodic tick pauses while a vCPU is blocked */
void vcpu_timers_unblock(struct vcpu *v);
void vcpu_timers_kill(struct vcpu *v);      /* for good, waiting out running callbacks */
void vcpu_timers_migrate(struct vcpu *v, unsigned int cpu);
long vcpu_timer_op(struct vcpu *v, unsigned long cmd, const void *arg);
long vcpu_set_timer_op(struct vcpu *v, uint64_t timeout);

/* Blocking and waking (common/vcpu_block.c). */
/* Make v notice an event that became pending: wake it, or interrupt the CPU it runs on. */
void vcpu_kick(struct vcpu *v);
/* Arch hook: interrupt cpu so that a vCPU halted there re-checks why it sleeps. */
void arch_kick_cpu(unsigned int cpu);
/* v (current) waits until it has an event to deliver: it stops running when the hypercall returns. */
void vcpu_block(struct vcpu *v);
void vcpu_block_init(struct vcpu *v);
/* SCHEDOP_poll over ports already copied in (nr <= 128); timeout: system time, 0 for none. */
long vcpu_poll(struct vcpu *v, const uint32_t *ports, unsigned int nr, uint64_t timeout);

/*
 * Frames owned by domains (common/domain_page.c).  A frame owned by a
 * domain has PGC_allocated set and one reference held for it; get_page()
 * takes a further reference if the frame belongs to d, put_page() drops one,
 * and the frame returns to the heap when the last one goes.
 */
struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order, unsigned int memflags);
/* Take the domain's ownership reference away (decrease_reservation, destruction). */
void relinquish_page(struct domain *d, struct page_info *pg);
/* XENMEM_exchange: take a frame nothing else uses from its owner; give it back, or free it. */
bool steal_domain_page(struct domain *d, struct page_info *pg);
void return_stolen_page(struct domain *d, struct page_info *pg);
void free_stolen_page(struct page_info *pg);
/* The same without the owner check, for a frame already taken off its owner's list. */
void drop_allocation_ref(struct page_info *pg);
/* Flush all TLBs and return freed domain frames to the heap (needs interrupts on); true if any. */
bool domain_page_release_pending(void);
/* Arch hook: flush every CPU's TLB, global entries included (waits for the other CPUs). */
void arch_flush_tlb_all(void);
bool get_page(struct page_info *pg, const struct domain *d);
/* A hypervisor (xenheap) page the guest may map, e.g. shared_info; not counted in tot_pages. */
void share_xen_page_with_guest(struct page_info *pg, struct domain *d);
/* Take it back before freeing it (no mapping may remain). */
void unshare_xen_page(struct page_info *pg);
void put_page(struct page_info *pg);
static inline struct domain *page_get_owner(const struct page_info *pg)
{
    return pg->v.owner;
}

#endif /* PARVA_DOMAIN_H */
