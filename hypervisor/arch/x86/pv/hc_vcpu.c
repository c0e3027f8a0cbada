/*
 * hc_vcpu.c (pv) - HYPERVISOR_vcpu_op: asking about vCPUs, and placing their per-vCPU shared data.
 *
 * VCPUOP_register_vcpu_info moves a vCPU's vcpu_info out of shared_info into
 * a page of the guest's choosing (Linux puts it in its per-CPU area).  The
 * page keeps a writable type reference for as long as it is used, the old
 * contents are carried over, and every event is flagged pending so that
 * nothing raised in between is lost (Xen's map_vcpu_info).  It works once
 * per vCPU.  The runstate area is a guest address the hypervisor writes the
 * vCPU's run state and times to.  Bringing vCPUs up and down and their timers
 * come with the scheduler.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/mm.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/time.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

/* Fill in the run-state information of v (time spent in each state so far). */
static void runstate_info(const struct vcpu *v, struct vcpu_runstate_info *ri)
{
    uint64_t now = now_ns();

    memset(ri, 0, sizeof(*ri));
    ri->state = v->runstate;
    ri->state_entry_time = v->runstate_entry;
    ri->time[v->runstate] = v->runstate_time[v->runstate] + (now - v->runstate_entry);
    for ( unsigned int s = 0; s < 4; s++ )
        if ( s != (unsigned int)v->runstate )
            ri->time[s] = v->runstate_time[s];
}

void pv_update_runstate_area(struct vcpu *v)
{
    struct vcpu_runstate_info ri;

    if ( !v->arch.runstate_guest )
        return;
    runstate_info(v, &ri);
    /* A guest that unmapped its area just stops getting updates. */
    (void)copy_to_guest_va(v->arch.runstate_guest, &ri, sizeof(ri));
}

static long register_vcpu_info(struct vcpu *v, const struct vcpu_register_vcpu_info *r)
{
    struct domain *d = v->domain;
    struct page_info *pg;
    struct vcpu_info *new;

    /* rsvd is not checked: Linux leaves it uninitialised, and Xen ignores it. */
    if ( r->offset > PAGE_SIZE - sizeof(struct vcpu_info) )
        return -ENXIO;                      /* as Xen: it must fit in the page */
    if ( r->offset & 7 )
        return -ENXIO;                      /* as Xen: aligned for struct vcpu_info */
    if ( v->vcpu_info_mfn )
        return -EINVAL;                     /* once only, as Xen */
    if ( v != current && !(v->pause_flags & VPF_down) )
        return -EINVAL;                     /* as Xen: for itself, or for a vCPU that is down */
    if ( !mfn_valid(r->mfn) )
        return -EINVAL;
    pg = mfn_to_page(r->mfn);
    if ( !get_page_and_type(pg, d, PGT_writable_page) )
        return -EINVAL;
    new = (struct vcpu_info *)((char *)mfn_to_virt(r->mfn) + r->offset);
    if ( v->vcpu_info )
        *new = *v->vcpu_info;
    else
    {
        memset(new, 0, sizeof(*new));
        new->evtchn_upcall_mask = 1;
    }
    /* Anything raised while moving shows up: all selector bits and the upcall flag set. */
    new->evtchn_pending_sel = ~0UL;
    new->evtchn_upcall_pending = 1;
    v->vcpu_info = new;
    v->vcpu_info_mfn = r->mfn;
    return 0;
}

/* Domain destruction: give back the frame a registered vcpu_info holds (a writable reference). */
void pv_release_vcpu_info(struct vcpu *v)
{
    if ( !v->vcpu_info_mfn )
        return;
    v->vcpu_info = v->vcpu_id < XEN_LEGACY_MAX_VCPUS ? &v->domain->shared_info->vcpu_info[v->vcpu_id] : NULL;
    put_page_and_type(mfn_to_page(v->vcpu_info_mfn));
    v->vcpu_info_mfn = 0;
}

long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg)
{
    struct domain *d = current->domain;
    struct vcpu *v;

    if ( vcpuid >= d->max_vcpus || !(v = d->vcpu[vcpuid]) )
        return -ENOENT;

    switch ( cmd )
    {
    case VCPUOP_is_up:
        return !(v->pause_flags & VPF_down);

    case VCPUOP_initialise:
    {
        struct vcpu_guest_context *c;
        long rc;

        if ( !v->vcpu_info )
            return -EINVAL;             /* beyond the legacy 32 without a registered vcpu_info (Xen) */
        c = xmalloc(struct vcpu_guest_context);
        if ( !c )
            return -ENOMEM;
        rc = copy_from_guest_va(c, arg, sizeof(*c)) ? -EFAULT : pv_vcpu_initialise(v, c);
        xfree(c);
        return rc;
    }
    case VCPUOP_up:
        if ( !v->is_initialised )
            return -EINVAL;
        if ( v->pause_flags & VPF_down )
            vcpu_up(v);
        return 0;

    case VCPUOP_down:
    {
        struct vcpu *w;
        unsigned int others_up = 0;

        /* Taking down the last vCPU that is up shuts the domain down instead (poweroff), as Xen. */
        for_each_vcpu ( d, w )
            others_up += w != v && !(w->pause_flags & VPF_down);
        if ( !others_up )
        {
            domain_shutdown(d, SHUTDOWN_poweroff);
            return 0;
        }
        vcpu_pause_flag_set(v, VPF_down);
        return 0;
    }

    case VCPUOP_get_runstate_info:
    {
        struct vcpu_runstate_info ri;

        runstate_info(v, &ri);
        return copy_to_guest_va(arg, &ri, sizeof(ri)) ? -EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area:
    {
        struct vcpu_register_runstate_memory_area area;

        if ( copy_from_guest_va(&area, arg, sizeof(area)) )
            return -EFAULT;
        if ( area.addr.p && !guest_range_ok(area.addr.p, sizeof(struct vcpu_runstate_info)) )
            return -EINVAL;
        v->arch.runstate_guest = area.addr.p;
        pv_update_runstate_area(v);
        return 0;
    }
    case VCPUOP_register_vcpu_time_memory_area:
    {
        struct vcpu_register_time_memory_area area;

        /* As Xen: the address must be guest memory (0 unregisters); -EFAULT otherwise. */
        if ( copy_from_guest_va(&area, arg, sizeof(area)) )
            return -EFAULT;
        if ( area.addr.p && !guest_range_ok(area.addr.p, sizeof(struct vcpu_time_info)) )
            return -EFAULT;
        v->arch.time_guest = area.addr.p;
        if ( v == current )
            pv_time_update_guest_copy(v);       /* another vCPU's copy comes when it next runs */
        return 0;
    }
    case VCPUOP_set_periodic_timer:
    {
        struct vcpu_set_periodic_timer p;

        if ( copy_from_guest_va(&p, arg, sizeof(p)) )
            return -EFAULT;
        return vcpu_timer_op(v, cmd, &p);
    }
    case VCPUOP_set_singleshot_timer:
    {
        struct vcpu_set_singleshot_timer t;

        if ( v != current )
            return -EINVAL;             /* before touching the argument, as Xen */
        if ( copy_from_guest_va(&t, arg, sizeof(t)) )
            return -EFAULT;
        return vcpu_timer_op(v, cmd, &t);
    }
    case VCPUOP_stop_periodic_timer:
    case VCPUOP_stop_singleshot_timer:
        return vcpu_timer_op(v, cmd, NULL);

    case VCPUOP_register_vcpu_info:
    {
        struct vcpu_register_vcpu_info r;

        if ( copy_from_guest_va(&r, arg, sizeof(r)) )
            return -EFAULT;
        return register_vcpu_info(v, &r);
    }
    default:
        return -ENOSYS;
    }
}
