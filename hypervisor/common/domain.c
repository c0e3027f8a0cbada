/*
 * domain.c - creating, finding, crashing and destroying domains and their vCPUs.
 *
 * Design: domains sit on a list sorted by id.  A domain's reference count
 * starts at one (the list's reference); domain_kill() marks it dying and
 * drops that reference, and the last put_domain() destroys it: the arch code
 * tears down its page tables, every owned frame is relinquished (returning
 * to the heap once nothing maps it), and the structures are freed.
 *
 * Locking: domlist_lock (irq-safe) protects the list; see parva/domain.h for
 * the lock order.
 */
#include <parva/boot_domains.h>
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/grant_table.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <parva/shutdown.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <asm/system.h>
#include <asm/time.h>
#include <xen/sched.h>

static DEFINE_SPINLOCK(domlist_lock);
static struct domain *domain_list;

static struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v = xzalloc(struct vcpu);

    if ( !v )
        return NULL;
    v->vcpu_id = id;
    v->domain = d;
    if ( id < XEN_LEGACY_MAX_VCPUS )
        v->vcpu_info = &d->shared_info->vcpu_info[id];
    /* Down until brought up (vcpu_up places it on a CPU). */
    if ( sched_init_vcpu(v, 0) )
    {
        xfree(v);
        return NULL;
    }
    vcpu_timers_init(v);
    vcpu_block_init(v);
    if ( arch_vcpu_create(v) )
    {
        sched_destroy_vcpu(v);
        xfree(v);
        return NULL;
    }
    return v;
}

struct domain *domain_create(domid_t id, unsigned int max_vcpus, bool privileged, int *rc)
{
    struct domain *d, **pp;
    unsigned long flags;
    unsigned int i;

    *rc = -EINVAL;
    if ( id >= DOMID_FIRST_RESERVED || max_vcpus == 0 || max_vcpus > MAX_VIRT_CPUS )
        return NULL;
    *rc = -ENOMEM;
    d = xzalloc(struct domain);
    if ( !d )
        return NULL;
    d->domain_id = id;
    d->refcnt = 1;
    d->is_privileged = privileged;
    d->shutdown_code = ~0U;         /* no code yet: Xen's SHUTDOWN_CODE_INVALID */
    spin_lock_init(&d->page_alloc_lock);
    page_list_init(&d->page_list);
    d->max_vcpus = max_vcpus;
    d->shared_info = alloc_xenheap_pages(0);
    d->vcpu = xzalloc_array(struct vcpu *, max_vcpus);
    if ( !d->shared_info || !d->vcpu || sched_init_domain(d) )
        goto fail;
    d->shared_info_mfn = virt_to_mfn(d->shared_info);
    share_xen_page_with_guest(mfn_to_page(d->shared_info_mfn), d);
    for ( i = 0; i < XEN_LEGACY_MAX_VCPUS; i++ )
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    time_set_wallclock(d->shared_info);
    for ( i = 0; i < max_vcpus; i++ )
        if ( !(d->vcpu[i] = vcpu_create(d, i)) )
            goto fail;
    if ( (*rc = evtchn_init(d)) != 0 )
        goto fail;
    if ( (*rc = gnttab_domain_init(d)) != 0 )
        goto fail;

    spin_lock_irqsave(&domlist_lock, flags);
    for ( pp = &domain_list; *pp && (*pp)->domain_id < id; pp = &(*pp)->next_in_list )
        ;
    if ( *pp && (*pp)->domain_id == id )
    {
        spin_unlock_irqrestore(&domlist_lock, flags);
        *rc = -EEXIST;
        goto fail;
    }
    d->next_in_list = *pp;
    *pp = d;
    spin_unlock_irqrestore(&domlist_lock, flags);
    *rc = 0;
    return d;

 fail:
    gnttab_domain_destroy(d);
    evtchn_destroy(d);
    for ( i = 0; d->vcpu && i < max_vcpus; i++ )
        if ( d->vcpu[i] )
        {
            sched_destroy_vcpu(d->vcpu[i]);
            xfree(d->vcpu[i]);
        }
    xfree(d->vcpu);
    sched_destroy_domain(d);
    if ( d->shared_info )
    {
        unshare_xen_page(mfn_to_page(d->shared_info_mfn));
        free_xenheap_pages(d->shared_info, 0);
    }
    xfree(d);
    return NULL;
}

bool get_domain(struct domain *d)
{
    unsigned int x = __atomic_load_n(&d->refcnt, __ATOMIC_RELAXED);

    do {
        if ( x == 0 )
            return false;       /* already being destroyed */
    } while ( !__atomic_compare_exchange_n(&d->refcnt, &x, x + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED) );
    return true;
}

struct domain *domain_lookup_from(domid_t id)
{
    struct domain *d;
    unsigned long flags;

    spin_lock_irqsave(&domlist_lock, flags);
    for ( d = domain_list; d && (d->domain_id < id || d->is_dying || !get_domain(d)); d = d->next_in_list )
        ;
    spin_unlock_irqrestore(&domlist_lock, flags);
    return d;
}

struct domain *domain_lookup(domid_t id)
{
    struct domain *d;
    unsigned long flags;

    spin_lock_irqsave(&domlist_lock, flags);
    for ( d = domain_list; d && d->domain_id != id; d = d->next_in_list )
        ;
    if ( d && (d->is_dying || !get_domain(d)) )
        d = NULL;
    spin_unlock_irqrestore(&domlist_lock, flags);
    return d;
}

static void domain_destroy(struct domain *d)
{
    struct page_info *pg;
    unsigned int i;

    /*
     * Its vCPUs are off the scheduler (VPF_dying); one may still be finishing its last moment on
     * some CPU, which has been asked to switch it out: wait for that.
     */
    for ( i = 0; i < d->max_vcpus; i++ )
    {
        struct vcpu *v = d->vcpu[i];

        if ( !v )
            continue;
        vcpu_pause_flag_set(v, VPF_dying);
        BUG_ON(v == current);
        while ( sched_curr(v->processor) == v )
            cpu_relax();
        vcpu_timers_kill(v);
    }
    evtchn_destroy(d);      /* before vcpu_info mappings go: peers may still raise our ports until then */
    arch_domain_destroy(d);
    gnttab_domain_destroy(d);   /* after its page tables: undo its grant mappings, detach its table */
    /*
     * Give up every frame.  Each leaves the domain's list and loses its owner first, so a frame
     * another domain still maps (dom0's tools) outlives this struct domain safely and returns to
     * the heap when that mapping's reference goes.
     */
    while ( (pg = page_list_first(&d->page_list)) != NULL )
    {
        unsigned long flags;

        spin_lock_irqsave(&d->page_alloc_lock, flags);
        page_list_del(pg, &d->page_list);
        d->tot_pages--;
        pg->v.owner = NULL;
        spin_unlock_irqrestore(&d->page_alloc_lock, flags);
        drop_allocation_ref(pg);
    }
    domain_page_release_pending();
    for ( i = 0; i < d->max_vcpus; i++ )
        if ( d->vcpu[i] )
        {
            sched_destroy_vcpu(d->vcpu[i]);
            xfree(d->vcpu[i]);
        }
    xfree(d->vcpu);
    sched_destroy_domain(d);
    unshare_xen_page(mfn_to_page(d->shared_info_mfn));
    free_xenheap_pages(d->shared_info, 0);
    printk(XENLOG_INFO "Domain %u destroyed\n", d->domain_id);
    xfree(d);
}

void put_domain(struct domain *d)
{
    if ( __atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_ACQ_REL) == 0 )
        domain_destroy(d);
}

void domain_kill(struct domain *d)
{
    struct domain **pp;
    unsigned long flags;

    spin_lock_irqsave(&domlist_lock, flags);
    if ( d->is_dying )
    {
        spin_unlock_irqrestore(&domlist_lock, flags);
        return;
    }
    d->is_dying = true;
    for ( pp = &domain_list; *pp && *pp != d; pp = &(*pp)->next_in_list )
        ;
    if ( *pp )
        *pp = d->next_in_list;
    spin_unlock_irqrestore(&domlist_lock, flags);
    put_domain(d);          /* the list's reference */
}

static void kill_from_tasklet(void *data)
{
    struct domain *d = data, *hwdom;
    domid_t id = d->domain_id;

    domain_kill(d);
    put_domain(d);                  /* the tasklet's reference: the last one frees it */
    printk(XENLOG_INFO "Domain %u destroyed by the control domain\n", id);
    hwdom = domain_lookup(0);
    if ( hwdom )
    {
        send_guest_global_virq(hwdom, VIRQ_DOM_EXC);
        put_domain(hwdom);
    }
}

int domain_destroy_by_controller(struct domain *d)
{
    int rc = boot_domain_destroy(d);
    struct vcpu *v;

    if ( rc != -EOPNOTSUPP )
        return rc;
    if ( __atomic_exchange_n(&d->destroy_requested, true, __ATOMIC_ACQ_REL) )
        return 0;                   /* already on its way */
    for_each_vcpu ( d, v )
    {
        vcpu_pause_flag_set(v, VPF_dying);
        vcpu_timers_stop(v);
        stop_timer(&v->poll_timer);
    }
    if ( !get_domain(d) )
        return -ESRCH;
    tasklet_init(&d->kill_tasklet, kill_from_tasklet, d);
    tasklet_schedule(&d->kill_tasklet);
    return 0;
}

domid_t domain_next_free_id(void)
{
    static domid_t rover;
    unsigned long flags;
    domid_t id = 0;
    unsigned int n;

    spin_lock_irqsave(&domlist_lock, flags);
    for ( n = 0; n < DOMID_FIRST_RESERVED - 1; n++ )
    {
        struct domain *d;

        id = rover + 1U < DOMID_FIRST_RESERVED ? rover + 1 : 1;
        rover = id;
        for ( d = domain_list; d && d->domain_id != id; d = d->next_in_list )
            ;
        if ( !d )
            break;
        id = 0;
    }
    spin_unlock_irqrestore(&domlist_lock, flags);
    return id;
}

/* Debug key 'q': every domain and the state of its vCPUs, as Xen's dump of domain info. */
void domain_dump(void)
{
    struct domain *d;
    struct vcpu *v;
    unsigned long flags;
    static const char *const states[] = { "running", "runnable", "blocked", "offline" };

    spin_lock_irqsave(&domlist_lock, flags);
    for ( d = domain_list; d; d = d->next_in_list )
    {
        printk("Domain %u: refs %u, pages %lu/%lu%s%s, weight %u cap %u\n", d->domain_id, d->refcnt,
               d->tot_pages, d->max_pages, d->is_shut_down ? ", shut down" : "",
               d->is_dying ? ", dying" : "", d->sched_params.weight, d->sched_params.cap);
        for_each_vcpu ( d, v )
            printk("  VCPU%u: CPU%u %s pause_flags=%#x upcall_pend=%d upcall_mask=%d%s\n", v->vcpu_id,
                   v->processor, states[v->runstate & 3], v->pause_flags,
                   v->vcpu_info ? v->vcpu_info->evtchn_upcall_pending : -1,
                   v->vcpu_info ? v->vcpu_info->evtchn_upcall_mask : -1, v->polling ? " polling" : "");
    }
    spin_unlock_irqrestore(&domlist_lock, flags);
}

void domain_crash(struct domain *d, const char *why)
{
    if ( d->is_shut_down )
        return;
    printk(XENLOG_ERR "Domain %u crashed: %s\n", d->domain_id, why);
    arch_domain_crash_report(d);
    domain_shutdown(d, SHUTDOWN_crash);
}

/*
 * Another domain than dom0 has shut down: tell dom0, as Xen does, with VIRQ_DOM_EXC (a toolstack
 * would then look at it); a boot-time domain has no toolstack to clean up after it, and is
 * destroyed by the hypervisor (common/boot_domains.c, from a tasklet).
 */
static void domain_shutdown_notify(struct domain *d)
{
    struct domain *hwdom = domain_lookup(0);

    if ( hwdom )
    {
        send_guest_global_virq(hwdom, VIRQ_DOM_EXC);
        put_domain(hwdom);
    }
    boot_domain_shutdown(d);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    struct vcpu *v;

    if ( d->is_shut_down )
        return;
    d->is_shut_down = true;
    d->shutdown_code = reason;
    /* Its vCPUs stop for good: off the scheduler, no more timer events. */
    for_each_vcpu ( d, v )
    {
        vcpu_pause_flag_set(v, VPF_dying);
        vcpu_timers_stop(v);
        stop_timer(&v->poll_timer);
    }
    arch_domain_shutdown(d);
    if ( d->is_privileged && d->domain_id == 0 )
        hwdom_shutdown(reason);
    domain_shutdown_notify(d);
}
