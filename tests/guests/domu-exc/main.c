/*
 * domu-exc - dom0 is told (VIRQ_DOM_EXC) when a boot-time domU ends, and the domU is gone afterwards.
 * The same kernel runs as dom0 and as the domU (`domains`); the domU-crash test runs it too, with a
 * domU that crashes instead of powering off.
 *
 *   dom0: binds VIRQ_DOM_EXC, then offers domain 1 a port (EVTCHNOP_alloc_unbound), which tells the
 *         domU that dom0 is ready; waits for VIRQ_DOM_EXC, then until domain 1 no longer exists
 *         (EVTCHNOP_status naming it: -ESRCH), with more VIRQ_DOM_EXCs meanwhile (Xen sends one when
 *         a domain shuts down and one when its destruction completes); the offered port is
 *         unbound again (its peer went away).
 *   domU: binds to dom0's port (domu.h's rendezvous), prints its result, then powers off; with
 *         `crash` on its command line it prints its result and then crashes (no trap table, ud2),
 *         which the hypervisor must contain: the domain is destroyed and its memory returned
 *         (domu-crash's `check` compares the hypervisor's figures).
 * Parva-only: Xen 4.17 builds no domUs from boot modules.
 */
#include "guest.h"
#include "domu.h"

const char test_title[] = "dom0 gets VIRQ_DOM_EXC when a boot-time domain ends";

#define WAIT_NS     (30ull * 1000 * 1000 * 1000)

static void as_dom0(void)
{
    struct evtchn_bind_virq virq = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    struct evtchn_alloc_unbound go = { .dom = DOMID_SELF, .remote_dom = 1 };
    struct evtchn_status st;
    unsigned int exc = 0, tries;
    long rc = 0;

    if ( !check_rc("bind VIRQ_DOM_EXC", hypercall_event_channel_op(EVTCHNOP_bind_virq, &virq), 0) ||
         !check_rc("offer domain 1 a port", hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &go), 0) )
        return;
    printf("dom0: VIRQ_DOM_EXC on port %u; port %u offered to domain 1\n", virq.port, go.port);
    if ( !domu_wait_port(virq.port, WAIT_NS) )
    {
        report_fail("no VIRQ_DOM_EXC within 30 s");
        return;
    }
    exc++;
    printf("dom0: VIRQ_DOM_EXC\n");
    /* Now wait for the domain to be gone (destroyed), taking the further VIRQs as they come. */
    for ( tries = 0; tries < 300; tries++ )
    {
        st = (struct evtchn_status){ .dom = 1, .port = 1 };
        rc = hypercall_event_channel_op(EVTCHNOP_status, &st);
        if ( rc == -ESRCH )
            break;
        if ( domu_wait_port(virq.port, 100ull * 1000 * 1000) )
            exc++;
    }
    check_rc("EVTCHNOP_status naming domain 1 once it is destroyed", rc, -ESRCH);
    printf("dom0: domain 1 is gone; %u VIRQ_DOM_EXC event(s) seen\n", exc);
    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = go.port };
    if ( check_rc("status of the port domain 1 had bound", hypercall_event_channel_op(EVTCHNOP_status, &st), 0) )
    {
        check_eq("the port is unbound again", st.status, EVTCHNSTAT_unbound);
        check_eq("... still offered to domain 1", st.u.unbound.dom, 1);
    }
}

static void as_domU(void)
{
    evtchn_port_t remote;
    long port = domu_bind_offered_port(0, WAIT_NS, &remote);

    if ( port < 0 )
    {
        report_fail("no port of dom0 would bind: %ld (%s)", port, errno_name(port));
        return;
    }
    printf("domU: bound to dom0's port %u (local port %ld); this line comes through the console ring\n",
           remote, port);
    if ( !guest_cmdline_option("crash", NULL, 0) )
        return;                             /* the framework prints the result and powers off */
    printf("domU: crashing on purpose (no trap table, ud2)\n");
    test_print_result();
    hypercall_set_trap_table(NULL);
    asm volatile ( "ud2" );
    report_fatal("still running after ud2 without a trap table");
}

void test_main(start_info_t *si)
{
    (void)si;
    if ( guest_is_dom0() )
        as_dom0();
    else
        as_domU();
}
