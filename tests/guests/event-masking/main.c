/*
 * event-masking - the 2-level event channel bits as Xen 4.17 sets them (evtchn_2l_set_pending and
 * evtchn_2l_unmask), the upcall mask as a virtual interrupt flag, and VIRQs on the right vCPU. Two
 * vCPUs (hv-args dom0_max_vcpus=2) on one CPU; event-channel (the test) covers binding, status,
 * close and the plain send/unmask path.
 *
 * On vCPU 0, with ports p (word 0), q (word 1) and r (word 2), all bound to vCPU 0:
 * - A port masked in shared_info, raised: only its evtchn_pending bit (no selector bit, no
 *   upcall_pending, no upcall even with events enabled). EVTCHNOP_unmask of it with events enabled
 *   delivers the upcall at once (on the way back from that hypercall).
 * - Linux's own unmask (clear the mask bit, then set the selector bit and upcall_pending itself):
 *   the next hypercall delivers it. An upcall_pending the guest set with nothing pending is delivered
 *   too (an upcall that finds nothing).
 * - evtchn_upcall_mask as the virtual IF: with it set, a raised port sets pending, selector and
 *   upcall_pending but hypercalls deliver nothing; cleared, the next hypercall delivers exactly one
 *   upcall, which returns with the mask clear again. SCHEDOP_block with the mask set and an event
 *   pending unmasks and returns at once, the upcall delivered.
 * - Raising a port that is already pending changes nothing (no selector bit, no upcall_pending);
 *   raising one whose selector bit is already set sets its pending bit but not upcall_pending.
 *   EVTCHNOP_unmask of a port that is not masked raises nothing.
 * - Ports in three selector words raised while masked: one upcall handles all three (the handler
 *   scans evtchn_pending_sel), each exactly once.
 * Across vCPUs:
 * - VIRQ_TIMER is per vCPU: bound to vCPU 1 (by vCPU 0), vCPU 1's single-shot timer raises it on
 *   vCPU 1 only; VCPUOP_set_singleshot_timer for vCPU 1 from vCPU 0 is -EINVAL; vCPU 0's own
 *   VIRQ_TIMER port stays quiet.
 * - Global VIRQs (VIRQ_DOM_EXC, VIRQ_CONSOLE) bind on vCPU 0 only (-EINVAL for vCPU 1);
 *   EVTCHNOP_bind_vcpu moves a global VIRQ's port to vCPU 1 (status says so) but refuses IPI and
 *   per-vCPU VIRQ ports (-EINVAL). An interdomain (loopback) port moved with bind_vcpu is delivered
 *   on vCPU 1.
 */
#include "guest.h"

const char test_title[] = "2-level event masking, pending_sel, upcall mask, VIRQs per vCPU";

#define MS          1000000ul

static evtchn_port_t p, q, r;

static unsigned int count(evtchn_port_t port)
{
    return ACCESS_ONCE(evtchn_ports[port].count);
}

static unsigned long sel(void)
{
    return ACCESS_ONCE(vcpu0_info->evtchn_pending_sel);
}

static unsigned long selbit(evtchn_port_t port)
{
    return 1ul << (port / 64);
}

static void nop_hypercall(void)
{
    hypercall_xen_version(XENVER_version, NULL);
}

/* Forget whatever is raised on vCPU 0 (events masked). */
static void quiesce(void)
{
    evtchn_disable();
    evtchn_clear_pending(p);
    evtchn_clear_pending(q);
    evtchn_clear_pending(r);
    vcpu0_info->evtchn_pending_sel = 0;
    vcpu0_info->evtchn_upcall_pending = 0;
}

static void masked_port_checks(void)
{
    unsigned int c = count(p);

    quiesce();
    evtchn_mask(p);
    check_rc("send on a masked port", evtchn_send(p), 0);
    check(evtchn_is_pending(p), "masked port: evtchn_pending not set");
    check(!(sel() & selbit(p)), "masked port: the selector bit was set");
    check_eq("masked port: upcall_pending", vcpu0_info->evtchn_upcall_pending, 0);
    evtchn_enable();
    nop_hypercall();
    check_eq("masked port: upcalls with events enabled", count(p) - c, 0);

    /* EVTCHNOP_unmask with events enabled: delivered before the hypercall returns. */
    check_rc("EVTCHNOP_unmask of a pending masked port", evtchn_unmask_hypercall(p), 0);
    check_eq("deliveries right after EVTCHNOP_unmask (events enabled)", count(p) - c, 1);
    check(!evtchn_is_masked(p), "EVTCHNOP_unmask left the port masked");
    check_eq("upcall mask after the upcall", vcpu0_info->evtchn_upcall_mask, 0);

    /* Linux's unmask: the guest re-raises the port itself; the next hypercall delivers. */
    c = count(p);
    evtchn_disable();
    evtchn_mask(p);
    evtchn_send(p);
    evtchn_unmask(p);                   /* events stay disabled: only the bits */
    check(sel() & selbit(p), "the guest's own unmask did not set the selector bit");
    check_eq("upcall_pending after the guest's own unmask", vcpu0_info->evtchn_upcall_pending, 1);
    check_eq("deliveries with events disabled", count(p) - c, 0);
    vcpu0_info->evtchn_upcall_mask = 0;
    nop_hypercall();
    check_eq("deliveries after enabling events and a hypercall", count(p) - c, 1);

    /* upcall_pending alone, nothing pending: an upcall that finds nothing. */
    c = smp_vcpus[0].upcalls;
    evtchn_disable();
    vcpu0_info->evtchn_upcall_pending = 1;
    vcpu0_info->evtchn_upcall_mask = 0;
    nop_hypercall();
    check_eq("upcalls for an upcall_pending set by the guest", smp_vcpus[0].upcalls - c, 1);
}

static void upcall_mask_checks(void)
{
    unsigned int c = count(p), u;
    uint64_t t0, t1;
    long rc;

    quiesce();
    check_rc("send with events disabled", evtchn_send(p), 0);
    check(evtchn_is_pending(p) && (sel() & selbit(p)) && vcpu0_info->evtchn_upcall_pending,
          "send with events disabled: pending %d, selector %#lx, upcall_pending %u", evtchn_is_pending(p), sel(),
          vcpu0_info->evtchn_upcall_pending);
    for ( unsigned int i = 0; i < 3; i++ )
        nop_hypercall();
    check_eq("upcalls with the upcall mask set", count(p) - c, 0);
    u = smp_vcpus[0].upcalls;
    vcpu0_info->evtchn_upcall_mask = 0;
    nop_hypercall();
    check_eq("deliveries once the mask is clear", count(p) - c, 1);
    check_eq("upcalls once the mask is clear", smp_vcpus[0].upcalls - u, 1);
    check_eq("the upcall mask after the upcall returned", vcpu0_info->evtchn_upcall_mask, 0);

    /* SCHEDOP_block: unmasks, and with an event pending returns at once (a 1 s timer guards it). */
    c = count(p);
    quiesce();
    evtchn_send(p);
    hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0,
                      &(struct vcpu_set_singleshot_timer){ .timeout_abs_ns = guest_system_time() + 1000 * MS });
    t0 = guest_system_time();
    rc = hypercall_sched_op(SCHEDOP_block, NULL);
    t1 = guest_system_time();
    hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
    check_rc("SCHEDOP_block with an event pending", rc, 0);
    check(t1 - t0 < 500 * MS, "SCHEDOP_block with an event pending blocked for %lu ms", (t1 - t0) / MS);
    check_eq("deliveries across SCHEDOP_block", count(p) - c, 1);
    check_eq("the upcall mask after SCHEDOP_block", vcpu0_info->evtchn_upcall_mask, 0);
}

static void set_pending_rules(void)
{
    struct evtchn_unmask um = { .port = p };

    /* Already pending: nothing more. */
    quiesce();
    evtchn_send(p);
    vcpu0_info->evtchn_pending_sel = 0;
    vcpu0_info->evtchn_upcall_pending = 0;
    check_rc("send on a port already pending", evtchn_send(p), 0);
    check(!(sel() & selbit(p)), "a send on a port already pending set the selector bit");
    check_eq("upcall_pending after a send on a port already pending", vcpu0_info->evtchn_upcall_pending, 0);

    /* Selector bit already set: pending is set, upcall_pending is not. */
    quiesce();
    vcpu0_info->evtchn_pending_sel = selbit(p);
    check_rc("send with the selector bit already set", evtchn_send(p), 0);
    check(evtchn_is_pending(p), "send with the selector bit set: not pending");
    check_eq("upcall_pending after a send with its selector bit already set",
             vcpu0_info->evtchn_upcall_pending, 0);

    /* EVTCHNOP_unmask of a port that is not masked: nothing is raised. */
    quiesce();
    evtchn_send(p);
    vcpu0_info->evtchn_pending_sel = 0;
    vcpu0_info->evtchn_upcall_pending = 0;
    check_rc("EVTCHNOP_unmask of a port that is not masked", hypercall_event_channel_op(EVTCHNOP_unmask, &um), 0);
    check(!(sel() & selbit(p)), "EVTCHNOP_unmask of an unmasked pending port set the selector bit");
    check_eq("upcall_pending after EVTCHNOP_unmask of an unmasked port", vcpu0_info->evtchn_upcall_pending, 0);
    quiesce();
}

static void three_words(void)
{
    unsigned int cp = count(p), cq = count(q), cr = count(r), u;

    quiesce();
    evtchn_send(p);
    evtchn_send(q);
    evtchn_send(r);
    check_eq("selector with ports in words 0, 1, 2 raised", sel() & 7, 7);
    check_eq("upcall_pending", vcpu0_info->evtchn_upcall_pending, 1);
    u = smp_vcpus[0].upcalls;
    evtchn_enable();
    check_eq("upcalls for three words", smp_vcpus[0].upcalls - u, 1);
    check(count(p) - cp == 1 && count(q) - cq == 1 && count(r) - cr == 1,
          "deliveries of the three ports: %u %u %u", count(p) - cp, count(q) - cq, count(r) - cr);
    check_eq("selector after the upcall", sel() & 7, 0);
}

/* --- across vCPUs --- */

static evtchn_port_t timer0, timer1;
static volatile long job_rc, job_fired;

static void timer_job(void *arg)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = guest_system_time() + 5 * MS };
    uint64_t end = guest_system_time() + 2000 * MS;

    job_rc = hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 1, &t);
    smp_wait_until(count(timer1) > 0 || guest_system_time() > end);
    job_fired = count(timer1);
}

static void virq_checks(void)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = 0 };
    struct evtchn_bind_virq bv;
    struct evtchn_bind_vcpu bvc;
    struct evtchn_status st = { .dom = DOMID_SELF };
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
    long dom_exc, rc;
    unsigned long spur0;
    uint64_t end;

    if ( !smp_bring_up(1, false) )
        return;

    /* vCPU 1's periodic timer too (a waking vCPU gets a tick if a period passed). */
    check_rc("stop_periodic_timer for vCPU 1 from vCPU 0",
             hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 1, NULL), 0);
    rc = evtchn_bind_virq(VIRQ_TIMER, 1, NULL, NULL);
    if ( !check(rc > 0, "bind VIRQ_TIMER for vCPU 1: %ld (%s)", rc, errno_name(rc)) )
        return;
    timer1 = rc;
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 1 };
    check_rc("bind VIRQ_TIMER for vCPU 1 again", hypercall_event_channel_op(EVTCHNOP_bind_virq, &bv), -EEXIST);
    check_rc("set_singleshot_timer for vCPU 1 from vCPU 0",
             hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 1, &t), -EINVAL);

    spur0 = smp_vcpus[0].spurious;
    smp_run(1, timer_job, NULL);
    check_rc("vCPU 1: set_singleshot_timer(+5 ms)", job_rc, 0);
    /* Handled on vCPU 1 only (evtchn.h): delivered means raised on vCPU 1's selector. */
    check_eq("vCPU 1's VIRQ_TIMER deliveries on vCPU 1", job_fired, 1);
    check_eq("vCPU 0's VIRQ_TIMER deliveries (vCPU 1's timer fired)", count(timer0), 0);
    check_eq("upcalls of vCPU 0 that found nothing (vCPU 1's timer fired)", smp_vcpus[0].spurious - spur0, 0);

    /* Global VIRQs: vCPU 0 only; bind_vcpu moves them. */
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 1 };
    check_rc("bind VIRQ_DOM_EXC for vCPU 1", hypercall_event_channel_op(EVTCHNOP_bind_virq, &bv), -EINVAL);
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_CONSOLE, .vcpu = 1 };
    check_rc("bind VIRQ_CONSOLE for vCPU 1", hypercall_event_channel_op(EVTCHNOP_bind_virq, &bv), -EINVAL);
    dom_exc = evtchn_bind_virq(VIRQ_DOM_EXC, 0, NULL, NULL);
    if ( check(dom_exc > 0, "bind VIRQ_DOM_EXC for vCPU 0: %ld (%s)", dom_exc, errno_name(dom_exc)) )
    {
        bvc = (struct evtchn_bind_vcpu){ .port = dom_exc, .vcpu = 1 };
        check_rc("bind_vcpu of VIRQ_DOM_EXC's port to vCPU 1",
                 hypercall_event_channel_op(EVTCHNOP_bind_vcpu, &bvc), 0);
        st.port = dom_exc;
        if ( check_rc("status of VIRQ_DOM_EXC's port", hypercall_event_channel_op(EVTCHNOP_status, &st), 0) )
            check_eq("status: vcpu of the moved VIRQ_DOM_EXC port", st.vcpu, 1);
    }
    bvc = (struct evtchn_bind_vcpu){ .port = p, .vcpu = 1 };
    check_rc("bind_vcpu of an IPI port", hypercall_event_channel_op(EVTCHNOP_bind_vcpu, &bvc), -EINVAL);
    bvc = (struct evtchn_bind_vcpu){ .port = timer0, .vcpu = 1 };
    check_rc("bind_vcpu of a VIRQ_TIMER port", hypercall_event_channel_op(EVTCHNOP_bind_vcpu, &bvc), -EINVAL);

    /* A loopback interdomain port moved to vCPU 1 is delivered there. */
    if ( !check_rc("alloc_unbound", hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &au), 0) )
        return;
    bi.remote_port = au.port;
    if ( !check_rc("bind_interdomain", hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &bi), 0) )
        return;
    evtchn_disable();
    evtchn_clear_pending(bi.local_port);        /* binding marks the new local port pending */
    evtchn_set_handler(au.port, 1, NULL, NULL);
    bvc = (struct evtchn_bind_vcpu){ .port = au.port, .vcpu = 1 };
    check_rc("bind_vcpu of an interdomain port", hypercall_event_channel_op(EVTCHNOP_bind_vcpu, &bvc), 0);
    evtchn_enable();
    check_rc("send to the moved interdomain port", evtchn_send(bi.local_port), 0);
    end = guest_system_time() + 2000 * MS;
    while ( count(au.port) == 0 && guest_system_time() < end )
        hypercall_sched_op(SCHEDOP_yield, NULL);
    check_eq("deliveries of the moved interdomain port on vCPU 1", count(au.port), 1);
}

void test_main(start_info_t *si)
{
    long rc;

    rc = smp_init();
    if ( rc )
        report_fatal("smp_init: %ld (%s)", rc, errno_name(rc));
    if ( smp_nr_vcpus < 2 )
        report_fatal("dom0 has %u vCPU; the test needs 2 (hv-args: dom0_max_vcpus=2)", smp_nr_vcpus);
    /* Nothing else may tick: every vCPU starts with a 10 ms periodic timer. */
    hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);

    /* p in word 0; q and r: the first ports of words 1 and 2 (the others stay bound and silent). */
    rc = evtchn_bind_ipi(0, NULL, NULL);
    if ( rc <= 0 || rc >= 64 )
        report_fatal("bind_ipi: %ld", rc);
    p = rc;
    while ( !q || !r )
    {
        rc = evtchn_bind_ipi(0, NULL, NULL);
        if ( rc <= 0 )
            report_fatal("bind_ipi: %ld (%s)", rc, errno_name(rc));
        if ( rc >= 64 && rc < 128 && !q )
            q = rc;
        if ( rc >= 128 && rc < 192 && !r )
            r = rc;
    }
    /* VIRQ_TIMER for vCPU 0 (a guard against blocking for ever, and checked for silence later). */
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, NULL, NULL);
    if ( rc <= 0 )
        report_fatal("bind VIRQ_TIMER: %ld (%s)", rc, errno_name(rc));
    timer0 = rc;
    printf("ports: p %u, q %u, r %u, VIRQ_TIMER %u\n", p, q, r, timer0);

    masked_port_checks();
    upcall_mask_checks();
    set_pending_rules();
    three_words();
    virq_checks();
}
