/*
 * domu-rtt - event-channel round trip and wake-up latency between two domains, in guest TSC cycles.
 * `make bench` boots two boot-time domUs (`domains`, no dom0) under QEMU with -icount shift=0: "ping"
 * on CPU 0 and "pong" on CPU 1, joined by an interdomain event channel (domu.h's rendezvous).
 *
 *   ping (role=a): grants pong one page (ref REF_SHARED, whose number both know) for the figures it
 *          shares, offers pong a port and waits for its hello. Then, n times: sleeps 1 ms blocked on a
 *          single-shot timer (so pong is surely blocked: under -icount QEMU runs one CPU at a time
 *          and an event does not preempt the sending CPU), writes t0 = rdtsc() into the shared page,
 *          sends, and blocks; its upcall for pong's answer reads t2.  rtt = t2 - t0.
 *   pong (role=b): maps the shared page, binds to ping's port, says hello, and then waits blocked
 *          in SCHEDOP_block; its upcall reads t1 and sends back.  wakeup = t1 - t0 (t0 from the page;
 *          both domains read the same TSC).
 * Each prints its "BENCH <key> median=..." line (tests/bench/run.sh collects them) and its result.
 * The nearest figures on Xen 4.17, which builds no domains from boot modules, are pvbench's
 * evtchn-rtt and wakeup between two vCPUs of one domain: the same send, pending and kick path.
 */
#include "guest.h"
#include "domu.h"
#include "evtchn.h"
#include "gnttab.h"
#include <xen/vcpu.h>

const char test_title[] = "event-channel round trip between two domains (guest TSC cycles)";

#define N           200
#define WARM        10
#define REF_SHARED  8
#define SLOT_SHARED 100
#define MS          1000000ull

struct shared {
    volatile uint64_t t0;
    volatile uint32_t seq;
};

static uint64_t samples[N];
static uint8_t shared_page[4096] __attribute__((aligned(4096)));
static struct shared *sh;
static evtchn_port_t port;
static volatile unsigned int events, timer_fired;
static volatile uint64_t event_tsc;
static volatile bool stop;

static void sort(uint64_t *a, unsigned int n)
{
    for ( unsigned int i = 1; i < n; i++ )
    {
        uint64_t v = a[i];
        unsigned int j = i;

        for ( ; j > 0 && a[j - 1] > v; j-- )
            a[j] = a[j - 1];
        a[j] = v;
    }
}

static void result(const char *key, const char *desc)
{
    sort(samples, N);
    printf("BENCH %s median=%lu min=%lu max=%lu n=%u %s\n", key, samples[N / 2], samples[0], samples[N - 1], N,
           desc);
}

/* Both roles: the peer's event. */
static void event_handler(evtchn_port_t p, void *arg)
{
    (void)p; (void)arg;
    event_tsc = rdtsc();
    events++;
}

/* pong: answer at once, from the upcall, recording the wake-up latency. */
static void pong_handler(evtchn_port_t p, void *arg)
{
    uint64_t t1 = rdtsc();
    unsigned int i = events;

    (void)p; (void)arg;
    if ( sh->seq == ~0u )
        stop = true;
    else
        evtchn_send(port);
    if ( i >= WARM && i < WARM + N )
        samples[i - WARM] = t1 - sh->t0;
    events = i + 1;
}

static void timer_handler(evtchn_port_t p, void *arg)
{
    (void)p; (void)arg;
    timer_fired++;
}

/* ping: block for about 1 ms. */
static void nap(void)
{
    vcpu_set_singleshot_timer_t t = { .timeout_abs_ns = guest_system_time() + MS };
    unsigned int f = timer_fired;

    hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
    smp_wait_until(timer_fired != f);
}

static void as_ping(domid_t peer)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = peer };

    if ( !gnt_window_init() || gnt_setup(1) )
    {
        report_error("grant table setup failed");
        return;
    }
    sh = (struct shared *)shared_page;
    gnt_grant_v1(REF_SHARED, peer, virt_to_mfn(shared_page), false);
    if ( !check_rc("EVTCHNOP_alloc_unbound", hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &au), 0) )
        return;
    port = au.port;
    if ( evtchn_bind_virq(VIRQ_TIMER, 0, timer_handler, NULL) < 0 )
    {
        report_error("bind VIRQ_TIMER failed");
        return;
    }
    evtchn_set_handler(port, 0, event_handler, NULL);
    evtchn_enable();
    /* pong's hello. */
    {
        uint64_t end = guest_system_time() + 30000 * MS;

        while ( !events && guest_system_time() < end )
            nap();
        if ( !events )
        {
            report_error("no hello from domain %u", peer);
            return;
        }
    }
    for ( unsigned int i = 0; i < N + WARM; i++ )
    {
        unsigned int e;
        uint64_t t0;

        nap();
        e = events;
        sh->seq = i;
        t0 = rdtsc();
        sh->t0 = t0;
        evtchn_send(port);
        smp_wait_until(events != e);
        if ( i >= WARM )
            samples[i - WARM] = event_tsc - t0;
    }
    sh->seq = ~0u;
    evtchn_send(port);
    result("domu-rtt", "event-channel round trip between two domains (send, upcall, send back)");
}

static void as_pong(domid_t peer)
{
    evtchn_port_t remote;
    grant_handle_t h;
    long rc;

    if ( !gnt_window_init() )
    {
        report_error("grant window setup failed");
        return;
    }
    rc = domu_bind_offered_port(peer, 30000 * MS, &remote);
    if ( rc < 0 )
    {
        report_error("binding domain %u's port: %ld (%s)", peer, rc, errno_name(rc));
        return;
    }
    port = (evtchn_port_t)rc;
    if ( !check_st("map the shared page",
                   gnt_map(REF_SHARED, peer, (uint64_t)gnt_slot(SLOT_SHARED), GNTMAP_host_map, &h, NULL), GNTST_okay) )
        return;
    sh = (struct shared *)gnt_slot(SLOT_SHARED);
    evtchn_set_handler(port, 0, pong_handler, NULL);
    evtchn_enable();
    evtchn_send(port);                                  /* hello */
    smp_wait_until(stop);
    if ( events < N + WARM )
    {
        report_error("only %u pings", events);
        return;
    }
    result("domu-wakeup", "wake-up latency between two domains: send to the upcall of the blocked one");
    check_st("unmap the shared page", gnt_unmap(h, (uint64_t)gnt_slot(SLOT_SHARED), 0), GNTST_okay);
}

void test_main(start_info_t *si)
{
    char role[8];
    domid_t peer = (domid_t)guest_cmdline_number("peer", 0);

    (void)si;
    if ( guest_is_dom0() )
        report_fatal("this benchmark runs as two boot-time domUs (see its domains file), not as dom0");
    evtchn_init();
    if ( !guest_cmdline_option("role", role, sizeof(role)) )
        report_fatal("no role= on the command line");
    if ( !strcmp(role, "a") )
        as_ping(peer);
    else
        as_pong(peer);
}
