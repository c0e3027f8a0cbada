/*
 * sched-op - HYPERVISOR_sched_op: yield returns 0; block with a single-shot timer bound to VIRQ_TIMER
 * sleeps until the timer fires, unmasks event delivery (the upcall mask is 0 when it returns, the
 * event having been delivered to the event callback), and takes at least the time asked for; poll of
 * a port that is not pending times out; shutdown_code is accepted; unknown commands are -ENOSYS.
 */
#include "guest.h"

const char test_title[] = "sched_op";

static unsigned int timer_port, timer_events;

static bool event_handler(struct cpu_regs *regs)
{
    unsigned int w = timer_port / 64;
    unsigned long bit = 1ul << (timer_port % 64);

    vcpu0_info->evtchn_upcall_pending = 0;
    __atomic_and_fetch(&vcpu0_info->evtchn_pending_sel, ~(1ul << w), __ATOMIC_SEQ_CST);
    if ( shared_info->evtchn_pending[w] & bit )
    {
        __atomic_and_fetch(&shared_info->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST);
        timer_events++;
    }
    return true;
}

void test_main(start_info_t *si)
{
    struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct vcpu_set_singleshot_timer sst = { 0 };
    struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
    struct sched_poll poll;
    evtchn_port_t port;
    uint64_t t0, t1;
    long rc;

    check_rc("SCHEDOP_yield", hypercall_sched_op(SCHEDOP_yield, NULL), 0);
    check_rc("SCHEDOP_shutdown_code", hypercall_sched_op(SCHEDOP_shutdown_code, &sd), 0);
    check_rc("sched_op 99", hypercall_sched_op(99, NULL), -ENOSYS);

    if ( !check_rc("bind VIRQ_TIMER", hypercall_event_channel_op(EVTCHNOP_bind_virq, &bind), 0) )
        return;
    timer_port = bind.port;
    event_hook = event_handler;

    /* block: wakes on the timer's event; delivery is enabled by the block itself. */
    t0 = guest_system_time();
    sst.timeout_abs_ns = t0 + 20 * 1000 * 1000;
    if ( check_rc("set_singleshot_timer(+20 ms)",
                  hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst), 0) )
    {
        rc = hypercall_sched_op(SCHEDOP_block, NULL);
        t1 = guest_system_time();
        check_rc("SCHEDOP_block", rc, 0);
        check_eq("timer events delivered during the block", timer_events, 1);
        check_eq("upcall mask after the block", vcpu0_info->evtchn_upcall_mask, 0);
        check(t1 >= sst.timeout_abs_ns, "block returned %lu ns before the deadline", sst.timeout_abs_ns - t1);
        printf("blocked for %lu us\n", (t1 - t0) / 1000);
        vcpu0_info->evtchn_upcall_mask = 1;
    }

    /* poll: the port is not pending; the timeout ends it. */
    port = timer_port;
    set_xen_guest_handle(poll.ports, &port);
    poll.nr_ports = 1;
    t0 = guest_system_time();
    poll.timeout = t0 + 10 * 1000 * 1000;
    rc = hypercall_sched_op(SCHEDOP_poll, &poll);
    t1 = guest_system_time();
    check_rc("SCHEDOP_poll of a quiet port", rc, 0);
    check(t1 >= poll.timeout, "poll returned %lu ns before its timeout", poll.timeout - t1);
    poll.nr_ports = 129;
    check_rc("SCHEDOP_poll of 129 ports", hypercall_sched_op(SCHEDOP_poll, &poll), -EINVAL);
}
