/*
 * event-channel - the 2-level event channel ABI as dom0 uses it: bind_virq (VIRQ_TIMER per vCPU,
 * VIRQ_CONSOLE and VIRQ_DEBUG; binding one twice is -EEXIST), bind_ipi, send on an IPI port sets the
 * pending bit, the vCPU's pending_sel bit and upcall_pending; with events masked nothing is delivered,
 * unmasking plus any hypercall delivers one upcall to the event callback; a masked port stays
 * silent until EVTCHNOP_unmask; status reports each port; close frees it; a loopback interdomain
 * channel (alloc_unbound + bind_interdomain to ourselves; binding marks the new port pending) signals
 * the other end.
 */
#include "guest.h"

const char test_title[] = "event channels (2-level)";

static unsigned int upcalls;

static bool event_handler(struct cpu_regs *regs)
{
    upcalls++;
    vcpu0_info->evtchn_upcall_pending = 0;
    return true;
}

static bool pending(evtchn_port_t p)
{
    return shared_info->evtchn_pending[p / 64] & (1ul << (p % 64));
}

static void clear_pending(evtchn_port_t p)
{
    __atomic_and_fetch(&shared_info->evtchn_pending[p / 64], ~(1ul << (p % 64)), __ATOMIC_SEQ_CST);
    __atomic_and_fetch(&vcpu0_info->evtchn_pending_sel, ~(1ul << (p / 64)), __ATOMIC_SEQ_CST);
    vcpu0_info->evtchn_upcall_pending = 0;
}

static long send(evtchn_port_t p)
{
    struct evtchn_send s = { .port = p };

    return hypercall_event_channel_op(EVTCHNOP_send, &s);
}

static long status(evtchn_port_t p, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = p;
    return hypercall_event_channel_op(EVTCHNOP_status, st);
}

void test_main(start_info_t *si)
{
    struct evtchn_bind_virq timer = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct evtchn_bind_virq console = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
    struct evtchn_bind_virq debug = { .virq = VIRQ_DEBUG, .vcpu = 0 };
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    struct evtchn_alloc_unbound unbound = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain inter = { .remote_dom = DOMID_SELF };
    struct evtchn_unmask unmask;
    struct evtchn_close cl;
    struct evtchn_status st;

    event_hook = event_handler;

    check_rc("bind VIRQ_TIMER", hypercall_event_channel_op(EVTCHNOP_bind_virq, &timer), 0);
    check_rc("bind VIRQ_CONSOLE", hypercall_event_channel_op(EVTCHNOP_bind_virq, &console), 0);
    check_rc("bind VIRQ_DEBUG", hypercall_event_channel_op(EVTCHNOP_bind_virq, &debug), 0);
    check_rc("bind VIRQ_TIMER again", hypercall_event_channel_op(EVTCHNOP_bind_virq, &timer), -EEXIST);
    if ( !check_rc("bind_ipi", hypercall_event_channel_op(EVTCHNOP_bind_ipi, &ipi), 0) )
        return;
    printf("ports: timer %u console %u debug %u ipi %u\n", timer.port, console.port, debug.port, ipi.port);
    check(timer.port && console.port && debug.port && ipi.port, "port 0 was handed out");

    if ( check_rc("status of the IPI port", status(ipi.port, &st), 0) )
    {
        check_eq("status: IPI", st.status, EVTCHNSTAT_ipi);
        check_eq("status: vcpu", st.vcpu, 0);
    }
    if ( check_rc("status of the timer port", status(timer.port, &st), 0) )
    {
        check_eq("status: virq", st.status, EVTCHNSTAT_virq);
        check_eq("status: which virq", st.u.virq, VIRQ_TIMER);
    }

    /* Send with the upcall mask set: pending bits, no upcall. */
    upcalls = 0;
    check_rc("send on the IPI port", send(ipi.port), 0);
    check(pending(ipi.port), "the IPI port is not pending");
    check(vcpu0_info->evtchn_pending_sel & (1ul << (ipi.port / 64)), "pending_sel bit not set");
    check_eq("upcall_pending", vcpu0_info->evtchn_upcall_pending, 1);
    check_eq("upcalls while masked", upcalls, 0);

    /* Unmask; the next return to the guest (any hypercall) delivers it. */
    vcpu0_info->evtchn_upcall_mask = 0;
    hypercall_xen_version(XENVER_version, NULL);
    check_eq("upcalls after unmasking", upcalls, 1);
    check_eq("mask after the upcall returned", vcpu0_info->evtchn_upcall_mask, 0);
    vcpu0_info->evtchn_upcall_mask = 1;
    clear_pending(ipi.port);

    /* A masked port: send sets pending only; EVTCHNOP_unmask raises the upcall. */
    __atomic_or_fetch(&shared_info->evtchn_mask[ipi.port / 64], 1ul << (ipi.port % 64), __ATOMIC_SEQ_CST);
    check_rc("send on the masked port", send(ipi.port), 0);
    check(pending(ipi.port), "the masked port is not pending");
    check_eq("upcall_pending for a masked port", vcpu0_info->evtchn_upcall_pending, 0);
    unmask.port = ipi.port;
    check_rc("EVTCHNOP_unmask", hypercall_event_channel_op(EVTCHNOP_unmask, &unmask), 0);
    check(!(shared_info->evtchn_mask[ipi.port / 64] & (1ul << (ipi.port % 64))), "the port is still masked");
    check_eq("upcall_pending after unmask", vcpu0_info->evtchn_upcall_pending, 1);
    clear_pending(ipi.port);

    /* Loopback interdomain channel. */
    if ( check_rc("alloc_unbound", hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &unbound), 0) )
    {
        inter.remote_port = unbound.port;
        if ( check_rc("bind_interdomain to ourselves", hypercall_event_channel_op(EVTCHNOP_bind_interdomain,
                                                                                   &inter), 0) )
        {
            /* Binding marks the new port pending (notifications to the unbound port may be lost). */
            check(pending(inter.local_port), "the newly bound interdomain port is not pending");
            clear_pending(inter.local_port);
            check_rc("send on one end", send(inter.local_port), 0);
            check(pending(unbound.port), "the other end is not pending");
            check(!pending(inter.local_port), "the sending end became pending");
            clear_pending(unbound.port);
            if ( check_rc("status of the interdomain port", status(inter.local_port, &st), 0) )
                check_eq("status: interdomain", st.status, EVTCHNSTAT_interdomain);
        }
    }

    cl.port = ipi.port;
    check_rc("close the IPI port", hypercall_event_channel_op(EVTCHNOP_close, &cl), 0);
    if ( check_rc("status of the closed port", status(ipi.port, &st), 0) )
        check_eq("status: closed", st.status, EVTCHNSTAT_closed);
    check_rc("send on the closed port", send(ipi.port), -EINVAL);
    check_rc("send on port 4095 (never allocated)", send(4095), -EINVAL);
    check_rc("event_channel_op 99", hypercall_event_channel_op(99, NULL), -ENOSYS);
}
