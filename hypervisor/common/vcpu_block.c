/*
 * vcpu_block.c - a vCPU waiting for events (SCHEDOP_block, SCHEDOP_poll, HLT), and waking it.
 *
 * Blocking sets VPF_blocked: the vCPU leaves the scheduler (common/schedule.c) and its CPU runs
 * something else or idles.  The hypercall itself returns at once, as in Xen; the guest resumes
 * after it once woken.  The condition is checked again after the flag is set, so an event that
 * arrived in between is not missed (Xen's "wakeup waiting race").  A kick (vcpu_kick, from event
 * delivery) clears the flag, and interrupts the CPU the vCPU runs on so that it delivers the
 * upcall promptly.  Polling additionally marks the ports it waits for (event_channel.c) and arms
 * a timeout; the mark and the timer go when the vCPU is woken.
 */
#include <parva/domain.h>
#include <parva/event.h>
#include <parva/sched.h>
#include <asm/current.h>

static bool events_deliverable(const struct vcpu *v)
{
    return v->vcpu_info && v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask;
}

static void wake(struct vcpu *v)
{
    if ( __atomic_exchange_n(&v->polling, false, __ATOMIC_ACQ_REL) )
    {
        evtchn_poll_stop(v);
        stop_timer(&v->poll_timer);
    }
    vcpu_unblock(v);
}

void vcpu_kick(struct vcpu *v)
{
    wake(v);
    if ( v->processor != smp_processor_id() && sched_curr(v->processor) == v )
        arch_kick_cpu(v->processor);    /* running elsewhere: enter the hypervisor and take the upcall */
}

void vcpu_block(struct vcpu *v)
{
    vcpu_pause_flag_set(v, VPF_blocked);
    if ( events_deliverable(v) )
        vcpu_unblock(v);
}

static void poll_timeout(void *data)
{
    wake(data);
}

void vcpu_block_init(struct vcpu *v)
{
    init_timer(&v->poll_timer, poll_timeout, v, v->processor);
}

long vcpu_poll(struct vcpu *v, const uint32_t *ports, unsigned int nr, uint64_t timeout)
{
    struct domain *d = v->domain;
    unsigned int i;

    for ( i = 0; i < nr; i++ )
        if ( ports[i] >= EVTCHN_NR_PORTS )
            return -EINVAL;

    /* Blocked and marked first, then look: a port raised in between wakes us. */
    vcpu_pause_flag_set(v, VPF_blocked);
    v->polling = true;
    evtchn_poll_start(v, nr == 1 ? (int)ports[0] : EVTCHN_POLL_ANY);
    if ( events_deliverable(v) )
        goto wake;
    for ( i = 0; i < nr; i++ )
        if ( evtchn_port_pending(d, ports[i]) )
            goto wake;
    if ( timeout )
        set_timer(&v->poll_timer, timeout);
    return 0;

 wake:
    wake(v);
    return 0;
}
