/*
 * vcpu_block.c - a vCPU waiting for events (SCHEDOP_block, SCHEDOP_poll, HLT), and waking it.
 *
 * Each running vCPU owns its physical CPU (there is no scheduler yet), so
 * blocking halts that CPU with interrupts on until the vCPU is kicked: an
 * event became pending for it (Xen's vcpu_mark_events_pending), a port it
 * polls was raised, its poll timed out, or its domain stops.  A kick is a
 * generation count the sleeper compares, so a kick between the sleeper's
 * check of its condition and its halt cannot be lost: interrupts are off
 * from the check to `sti; hlt`, which halts atomically, and a kick from
 * another CPU is an IPI (EVENT_CHECK) that ends the halt.
 */
#include <parva/domain.h>
#include <parva/event.h>
#include <asm/current.h>
#include <asm/system.h>
#include <asm/time.h>

static void set_runstate(struct vcpu *v, enum vcpu_runstate s)
{
    uint64_t now = now_ns();

    v->runstate_time[v->runstate] += now - v->runstate_entry;
    v->runstate_entry = now;
    v->runstate = s;
}

void vcpu_kick(struct vcpu *v)
{
    __atomic_add_fetch(&v->wake_seq, 1, __ATOMIC_SEQ_CST);
    if ( v->processor != smp_processor_id() && v->runstate == VCPU_BLOCKED )
        arch_kick_cpu(v->processor);
}

static bool domain_stopping(const struct domain *d)
{
    return d->is_shut_down || d->is_dying;
}

/* Halt until v is kicked after `seq` was read (or the domain stops).  Interrupts are off on entry. */
static void wait_for_kick(struct vcpu *v, unsigned int seq)
{
    set_runstate(v, VCPU_BLOCKED);
    vcpu_timers_block(v);
    while ( __atomic_load_n(&v->wake_seq, __ATOMIC_SEQ_CST) == seq && !domain_stopping(v->domain) )
    {
        safe_halt();
        local_irq_disable();
    }
    set_runstate(v, domain_stopping(v->domain) ? VCPU_OFFLINE : VCPU_RUNNING);
    vcpu_timers_unblock(v);
}

void vcpu_block(struct vcpu *v)
{
    unsigned long flags;
    unsigned int seq;

    local_irq_save(flags);
    seq = __atomic_load_n(&v->wake_seq, __ATOMIC_SEQ_CST);
    /* An event already waiting (and deliverable) ends the block at once, as in Xen. */
    if ( !(v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask) )
        wait_for_kick(v, seq);
    local_irq_restore(flags);
}

static void poll_timeout(void *data)
{
    vcpu_kick(data);
}

void vcpu_block_init(struct vcpu *v)
{
    init_timer(&v->poll_timer, poll_timeout, v, v->processor);
}

long vcpu_poll(struct vcpu *v, const uint32_t *ports, unsigned int nr, uint64_t timeout)
{
    struct domain *d = v->domain;
    unsigned long flags;
    unsigned int i, seq;
    long rc = 0;

    for ( i = 0; i < nr; i++ )
        if ( ports[i] >= EVTCHN_NR_PORTS )
            return -EINVAL;

    local_irq_save(flags);
    seq = __atomic_load_n(&v->wake_seq, __ATOMIC_SEQ_CST);
    /* Mark first, then look: a port raised in between kicks us and ends the wait. */
    evtchn_poll_start(v, nr == 1 ? (int)ports[0] : EVTCHN_POLL_ANY);
    if ( v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask )
        goto out;
    for ( i = 0; i < nr; i++ )
        if ( evtchn_port_pending(d, ports[i]) )
            goto out;
    if ( timeout )
        set_timer(&v->poll_timer, timeout);     /* on v's CPU: vcpu_timers_migrate() moves it */
    wait_for_kick(v, seq);
    stop_timer(&v->poll_timer);
 out:
    evtchn_poll_stop(v);
    local_irq_restore(flags);
    return rc;
}
