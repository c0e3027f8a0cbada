/* evtchn.c - event-channel ports with handlers, and the per-vCPU upcall (see evtchn.h). */
#include "guest.h"

struct evtchn_port_info evtchn_ports[EVTCHN_MAX_PORTS];

#define WORD(p)     ((p) / 64)
#define BIT(p)      (1ul << ((p) % 64))

void evtchn_init(void)
{
    event_hook = evtchn_upcall;
}

bool evtchn_is_pending(evtchn_port_t port)
{
    return ACCESS_ONCE(shared_info->evtchn_pending[WORD(port)]) & BIT(port);
}

bool evtchn_is_masked(evtchn_port_t port)
{
    return ACCESS_ONCE(shared_info->evtchn_mask[WORD(port)]) & BIT(port);
}

void evtchn_mask(evtchn_port_t port)
{
    __atomic_or_fetch(&shared_info->evtchn_mask[WORD(port)], BIT(port), __ATOMIC_SEQ_CST);
}

void evtchn_clear_pending(evtchn_port_t port)
{
    __atomic_and_fetch(&shared_info->evtchn_pending[WORD(port)], ~BIT(port), __ATOMIC_SEQ_CST);
}

void evtchn_set_handler(evtchn_port_t port, unsigned int vcpu, evtchn_handler_t h, void *arg)
{
    struct evtchn_port_info *pi;

    if ( port >= EVTCHN_MAX_PORTS )
        return;
    pi = &evtchn_ports[port];
    pi->handler = h;
    pi->arg = arg;
    pi->vcpu = vcpu;
    pi->count = 0;
    __atomic_store_n(&pi->bound, true, __ATOMIC_SEQ_CST);
}

long evtchn_bind_ipi(unsigned int vcpu, evtchn_handler_t h, void *arg)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_ipi, &b);

    if ( rc )
        return rc;
    evtchn_set_handler(b.port, vcpu, h, arg);
    return b.port;
}

long evtchn_bind_virq(unsigned int virq, unsigned int vcpu, evtchn_handler_t h, void *arg)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
    long rc = hypercall_event_channel_op(EVTCHNOP_bind_virq, &b);

    if ( rc )
        return rc;
    evtchn_set_handler(b.port, vcpu, h, arg);
    return b.port;
}

long evtchn_send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };

    return hypercall_event_channel_op(EVTCHNOP_send, &s);
}

long evtchn_close(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };
    long rc = hypercall_event_channel_op(EVTCHNOP_close, &c);

    if ( !rc && port < EVTCHN_MAX_PORTS )
        evtchn_ports[port].bound = false;
    return rc;
}

long evtchn_unmask_hypercall(evtchn_port_t port)
{
    struct evtchn_unmask u = { .port = port };

    return hypercall_event_channel_op(EVTCHNOP_unmask, &u);
}

void evtchn_enable(void)
{
    vcpu_info_t *vi = this_vcpu_info();

    vi->evtchn_upcall_mask = 0;
    barrier();
    /* What became pending while masked is delivered on the way back from any hypercall. */
    if ( ACCESS_ONCE(vi->evtchn_upcall_pending) )
        hypercall_xen_version(XENVER_version, NULL);
}

void evtchn_disable(void)
{
    this_vcpu_info()->evtchn_upcall_mask = 1;
    barrier();
}

void evtchn_unmask(evtchn_port_t port)
{
    unsigned int me = smp_id();
    vcpu_info_t *vi = this_vcpu_info();
    bool masked = vi->evtchn_upcall_mask;

    if ( port >= EVTCHN_MAX_PORTS || evtchn_ports[port].vcpu != me )
    {
        evtchn_unmask_hypercall(port);
        return;
    }
    vi->evtchn_upcall_mask = 1;
    barrier();
    /* Clear the mask before looking at pending: an event raised in between is then not lost. */
    __atomic_and_fetch(&shared_info->evtchn_mask[WORD(port)], ~BIT(port), __ATOMIC_SEQ_CST);
    if ( evtchn_is_pending(port) &&
         !(__atomic_fetch_or(&vi->evtchn_pending_sel, 1ul << WORD(port), __ATOMIC_SEQ_CST) &
           (1ul << WORD(port))) )
        vi->evtchn_upcall_pending = 1;
    if ( !masked )
        evtchn_enable();
}

bool evtchn_upcall(struct cpu_regs *regs)
{
    unsigned int me = smp_id();
    struct smp_vcpu *sv = &smp_vcpus[me];
    vcpu_info_t *vi = this_vcpu_info();
    bool found = false;

    __atomic_add_fetch(&sv->upcalls, 1, __ATOMIC_RELAXED);
    do
    {
        unsigned long sel;

        vi->evtchn_upcall_pending = 0;
        sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while ( sel )
        {
            unsigned int w = __builtin_ctzl(sel);
            unsigned long ready;

            sel &= sel - 1;
            ready = ACCESS_ONCE(shared_info->evtchn_pending[w]) & ~ACCESS_ONCE(shared_info->evtchn_mask[w]);
            while ( ready )
            {
                unsigned int b = __builtin_ctzl(ready);
                evtchn_port_t port = w * 64 + b;
                struct evtchn_port_info *pi;

                ready &= ready - 1;
                if ( port >= EVTCHN_MAX_PORTS || !evtchn_ports[port].bound )
                    continue;           /* not ours to handle: left pending */
                pi = &evtchn_ports[port];
                if ( pi->vcpu != me )
                    continue;           /* another vCPU's port */
                /* Edge: clear pending first; only the vCPU that cleared it runs the handler. */
                if ( !(__atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1ul << b), __ATOMIC_SEQ_CST) &
                       (1ul << b)) )
                    continue;
                found = true;
                __atomic_add_fetch(&pi->count, 1, __ATOMIC_SEQ_CST);
                if ( pi->handler )
                    pi->handler(port, pi->arg);
            }
        }
    } while ( ACCESS_ONCE(vi->evtchn_upcall_pending) );
    if ( !found )
        __atomic_add_fetch(&sv->spurious, 1, __ATOMIC_RELAXED);
    return true;
}
