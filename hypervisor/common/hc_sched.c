/*
 * hc_sched.c - HYPERVISOR_sched_op and HYPERVISOR_vm_assist: yielding, blocking, shutting down,
 * and the guest's optional "assists".
 *
 * Blocking (common/vcpu_block.c): SCHEDOP_block unmasks events and sleeps
 * until one is pending; SCHEDOP_poll sleeps, events masked or not, until one
 * of the given ports is pending, an event is delivered, or the timeout.
 * Yielding lets the other runnable vCPUs of the CPU go first.
 */
#include <parva/domain.h>
#include <parva/lib.h>
#include <parva/printk.h>
#include <asm/guest_access.h>
#include <asm/hypercall.h>
#include <asm/pv.h>
#include <xen/sched.h>

/* The assists a 64-bit PV guest may turn on (Xen's VM_ASSIST_VALID for PV). */
#define VM_ASSIST_VALID ((1UL << VMASST_TYPE_4gb_segments) | (1UL << VMASST_TYPE_4gb_segments_notify) | \
                         (1UL << VMASST_TYPE_writable_pagetables) | (1UL << VMASST_TYPE_pae_extended_cr3) | \
                         (1UL << VMASST_TYPE_architectural_iopl) | (1UL << VMASST_TYPE_runstate_update_flag) | \
                         (1UL << VMASST_TYPE_m2p_strict))

#define SCHED_POLL_MAX_PORTS    128     /* Xen's (fairly arbitrary) limit */

long do_sched_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    switch ( cmd )
    {
    case SCHEDOP_yield:
        vcpu_yield(v);
        return 0;

    case SCHEDOP_block:
        v->vcpu_info->evtchn_upcall_mask = 0;
        vcpu_block(v);
        return 0;

    case SCHEDOP_poll:
    {
        struct sched_poll p;
        uint32_t ports[SCHED_POLL_MAX_PORTS];

        if ( copy_from_guest_va(&p, arg, sizeof(p)) )
            return -EFAULT;
        if ( p.nr_ports > SCHED_POLL_MAX_PORTS )
            return -EINVAL;
        if ( copy_from_guest_va(ports, (unsigned long)p.ports.p, p.nr_ports * sizeof(ports[0])) )
            return -EFAULT;
        return vcpu_poll(v, ports, p.nr_ports, p.timeout);
    }

    case SCHEDOP_shutdown:
    {
        struct sched_shutdown s;

        if ( copy_from_guest_va(&s, arg, sizeof(s)) )
            return -EFAULT;
        printk(XENLOG_INFO "Domain %u shut down (reason %u)\n", d->domain_id, s.reason);
        domain_shutdown(d, s.reason);
        return 0;
    }
    case SCHEDOP_shutdown_code:
    {
        struct sched_shutdown s;

        if ( copy_from_guest_va(&s, arg, sizeof(s)) )
            return -EFAULT;
        d->shutdown_code = s.reason;
        return 0;
    }
    case SCHEDOP_remote_shutdown:
    {
        struct sched_remote_shutdown rs;
        struct domain *t;

        if ( !d->is_privileged )
            return -EPERM;
        if ( copy_from_guest_va(&rs, arg, sizeof(rs)) )
            return -EFAULT;
        t = domain_lookup(rs.domain_id);
        if ( !t )
            return -ESRCH;
        domain_shutdown(t, rs.reason);
        put_domain(t);
        return 0;
    }
    default:
        return -ENOSYS;
    }
}

/* HYPERVISOR_set_timer_op: the vCPU's one-shot timer (absolute system time, 0 stops it). */
long do_set_timer_op(unsigned long timeout)
{
    return vcpu_set_timer_op(current, timeout);
}

long do_vm_assist(unsigned long cmd, unsigned long type)
{
    struct domain *d = current->domain;

    if ( type >= 64 || !(VM_ASSIST_VALID & (1UL << type)) )
        return -EINVAL;
    switch ( cmd )
    {
    case VMASST_CMD_enable:
        __atomic_or_fetch(&d->vm_assist, 1UL << type, __ATOMIC_RELAXED);
        return 0;
    case VMASST_CMD_disable:
        __atomic_and_fetch(&d->vm_assist, ~(1UL << type), __ATOMIC_RELAXED);
        return 0;
    default:
        return -ENOSYS;
    }
}
