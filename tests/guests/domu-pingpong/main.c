/*
 * domu-pingpong - two boot-time domUs, and no dom0, play ping-pong over an interdomain event
 * channel; each prints its result through its console ring, and the hypervisor powers the machine
 * off once both have ended (`domains` boots this kernel twice, `expect` checks the ending).
 *
 *   role=a peer=B rounds=N: offers B a port (EVTCHNOP_alloc_unbound, remote_dom B), then answers
 *                           each of B's N sends with a send of its own.
 *   role=b peer=A rounds=N: binds to the port A offered (domu.h's rendezvous: A's port number is not
 *                           known in advance), then sends N times, each time waiting for A's answer.
 * Both wait with SCHEDOP_poll (timeout 10 s per step) on their own port, events masked, and check
 * the channel's status on both ends.  Parva-only: Xen 4.17 builds no domUs from boot modules.
 */
#include "guest.h"
#include "domu.h"

const char test_title[] = "ping-pong between two boot-time domains";

#define STEP_NS     (10ull * 1000 * 1000 * 1000)

static void check_interdomain(evtchn_port_t port, domid_t peer, const char *what)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    if ( check_rc(what, hypercall_event_channel_op(EVTCHNOP_status, &st), 0) )
    {
        check_eq(what, st.status, EVTCHNSTAT_interdomain);
        check_eq(what, st.u.interdomain.dom, peer);
    }
}

static void play_a(domid_t peer, unsigned long rounds)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = peer };
    unsigned long i;

    if ( !check_rc("alloc_unbound for the peer", hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0) )
        return;
    printf("role a: offered port %u to domain %u; %lu rounds\n", a.port, peer, rounds);
    for ( i = 0; i < rounds; i++ )
    {
        if ( !domu_wait_port(a.port, STEP_NS) )
        {
            report_fail("round %lu: no ping from domain %u within 10 s", i, peer);
            return;
        }
        if ( i == 0 )
            check_interdomain(a.port, peer, "status of our port once the peer bound it");
        if ( !check_rc("send the pong", domu_send(a.port), 0) )
            return;
    }
    printf("role a: answered %lu pings\n", rounds);
}

static void play_b(domid_t peer, unsigned long rounds)
{
    evtchn_port_t remote = 0, port;
    unsigned long i;
    long rc;

    rc = domu_bind_offered_port(peer, STEP_NS, &remote);
    if ( rc < 0 )
    {
        report_fail("no port of domain %u would bind: %ld (%s)", peer, rc, errno_name(rc));
        return;
    }
    port = (evtchn_port_t)rc;
    printf("role b: bound local port %u to domain %u's port %u; %lu rounds\n", port, peer, remote, rounds);
    check_interdomain(port, peer, "status of our bound port");
    /* Binding marks the new port pending (as Xen): start from a clean slate. */
    __atomic_and_fetch(&shared_info->evtchn_pending[port / 64], ~(1ul << (port % 64)), __ATOMIC_SEQ_CST);
    for ( i = 0; i < rounds; i++ )
    {
        if ( !check_rc("send the ping", domu_send(port), 0) )
            return;
        if ( !domu_wait_port(port, STEP_NS) )
        {
            report_fail("round %lu: no pong from domain %u within 10 s", i, peer);
            return;
        }
    }
    printf("role b: %lu round trips done\n", rounds);
}

void test_main(start_info_t *si)
{
    char role[8];
    unsigned long peer = guest_cmdline_number("peer", 0), rounds = guest_cmdline_number("rounds", 100);

    if ( guest_is_dom0() )
        report_fatal("this test runs as two boot-time domUs (see its domains file), not as dom0");
    check_eq("start_info flags of a domU", si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN), 0);
    check(si->console.domU.mfn && si->console.domU.evtchn, "no console ring in start_info");
    check_eq("store_mfn (no xenstore)", si->store_mfn, 0);
    if ( !guest_cmdline_option("role", role, sizeof(role)) || !peer )
        report_fatal("command line \"%s\": needs role=a|b and peer=<domid>", (const char *)si->cmd_line);
    if ( !strcmp(role, "a") )
        play_a((domid_t)peer, rounds);
    else if ( !strcmp(role, "b") )
        play_b((domid_t)peer, rounds);
    else
        report_fatal("role=%s: a or b", role);
}
